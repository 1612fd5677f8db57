package apierror

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResponseError(t *testing.T) {
	t.Parallel()
	cause := &json.SyntaxError{Offset: 3}
	e := &ResponseError{Method: "POST", URL: "https://api.example.com/v1/agents", StatusCode: 200, ContentType: "text/html", RequestID: "req_1", Err: cause}
	require.Equal(t, `managedagents: POST https://api.example.com/v1/agents: decoding response: `+cause.Error()+` (status 200, content-type "text/html") [request-id req_1]`, e.Error())
	require.ErrorIs(t, e, ErrMalformedResponse)
	require.NotErrorIs(t, e, ErrServer)
	var se *json.SyntaxError
	require.True(t, errors.As(e, &se))

	empty := &ResponseError{Method: "GET", URL: "/v1/sessions/sesn_1"}
	require.Equal(t, "managedagents: GET /v1/sessions/sesn_1: empty response body", empty.Error())
	require.ErrorIs(t, empty, ErrMalformedResponse)
	require.Nil(t, errors.Unwrap(empty))
}
