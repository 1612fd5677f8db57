package managedagents

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// TestCloseDuringAReadEndsTheCallWithoutError: a Close from another
// goroutine while Next waits on the connection ends the connection's call
// with no error, as a Close between two reads does: the application ended
// it, the connection did not fail.
func TestCloseDuringAReadEndsTheCallWithoutError(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(write(frame(msg("sevt_1", 1))), hang())})
	ended := make(chan option.CallEnd, 1)
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{}, option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		option.CallFromContext(req.Context()).OnEnd(func(e option.CallEnd) { ended <- e })
		return next(req)
	}))
	require.NoError(t, err)
	require.True(t, s.Next())
	done := make(chan bool)
	go func() { done <- s.Next() }()
	time.Sleep(20 * time.Millisecond) // let Next block on the connection
	require.NoError(t, s.Close())
	require.False(t, <-done)
	select {
	case e := <-ended:
		require.NoError(t, e.Err)
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not end with its connection")
	}
}
