package managedagents

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListAllStopsOnACursorCycle(t *testing.T) {
	t.Parallel()
	pages := map[string]*Page[int]{
		"":  {Data: []int{1}, NextPage: "a"},
		"a": {Data: []int{2}, NextPage: "b"},
		"b": {Data: []int{3}, NextPage: "a"}, // back to a: a server bug
	}
	var fetched []string
	var got []int
	var gotErr error
	for v, err := range listAll(context.Background(), "", func(_ context.Context, page string) (*Page[int], error) {
		fetched = append(fetched, page)
		return pages[page], nil
	}) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, v)
	}
	require.ErrorContains(t, gotErr, `cursor "a" was already followed`)
	require.Equal(t, []int{1, 2}, got, "the page that closes the circle is not delivered")
	require.Equal(t, []string{"", "a", "b"}, fetched)
}

func TestListAllFollowsEmptyPages(t *testing.T) {
	t.Parallel()
	pages := map[string]*Page[int]{
		"":  {Data: []int{1}, NextPage: "a"},
		"a": {NextPage: "b"},
		"b": {Data: []int{2}},
	}
	var got []int
	for v, err := range listAll(context.Background(), "", func(_ context.Context, page string) (*Page[int], error) {
		return pages[page], nil
	}) {
		require.NoError(t, err)
		got = append(got, v)
	}
	require.Equal(t, []int{1, 2}, got)
}
