package managedagents

import (
	"context"
	"fmt"
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
		var trail pageTrail
		for {
			p, err := fetch(ctx, cursor)
			if err == nil {
				err = trail.follow(cursor, p.NextPage)
			}
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
			if p.NextPage == "" {
				return
			}
			cursor = p.NextPage
		}
	}
}

// pageTrail remembers the cursors a listing has followed, so that a server
// whose next_page cursors go round in a circle gives an error instead of an
// endless listing.
type pageTrail map[string]struct{}

// follow records that the page of cursor pointed to next and returns an error if
// next was followed before.
func (t *pageTrail) follow(cursor, next string) error {
	if next == "" {
		return nil
	}
	if *t == nil {
		*t = pageTrail{}
	}
	(*t)[cursor] = struct{}{}
	if _, ok := (*t)[next]; ok {
		return fmt.Errorf("managedagents: list: the next_page cursor %q was already followed; the listing would never end", next)
	}
	return nil
}
