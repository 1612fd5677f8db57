package managedagents

import (
	"context"
	"iter"
)

// Page is one page of a list.
type Page[T any] struct {
	// Data holds the items of the page, possibly none even when more pages follow.
	Data []T `json:"data"`
	// NextPage is the cursor of the next page; empty on the last page. Pass it as
	// the Page param of the same list call, with all other params unchanged.
	NextPage string `json:"next_page"`
	// PrevPage is the cursor of the previous page (sessions list only).
	PrevPage string `json:"prev_page,omitempty"`
}

// HasNextPage reports whether another page follows.
func (p *Page[T]) HasNextPage() bool { return p.NextPage != "" }

// listAll returns an iterator over every item of every page from first on,
// fetching pages lazily and stopping at the first error.
func listAll[T any](ctx context.Context, first string, fetch func(ctx context.Context, page string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := first
		for {
			p, err := fetch(ctx, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Data {
				if !yield(item, nil) {
					return
				}
			}
			if p.NextPage == "" || p.NextPage == cursor {
				return
			}
			cursor = p.NextPage
		}
	}
}
