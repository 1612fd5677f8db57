package option_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

const key = "sk-ant-option-secret-42"

func apply(t *testing.T, opts ...option.RequestOption) *config.Config {
	t.Helper()
	c := &config.Config{}
	for _, o := range opts {
		require.NoError(t, o(c))
	}
	return c
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	c := apply(t, option.WithAPIKey(key))
	require.Equal(t, key, c.APIKey.Reveal())
	require.False(t, c.AuthToken.IsSet())

	c = apply(t, option.WithAPIKey(key), option.WithAuthToken("tok"))
	require.False(t, c.APIKey.IsSet(), "the token replaces the key")
	require.Equal(t, "tok", c.AuthToken.Reveal())

	c = apply(t, option.WithAuthToken("tok"), option.WithAPIKey(key))
	require.False(t, c.AuthToken.IsSet(), "the key replaces the token")

	c = apply(t, option.WithHeader("x-api-key", key))
	require.Equal(t, key, c.APIKey.Reveal(), "WithHeader routes the key into the secret field")
	require.Empty(t, c.Header)

	c = apply(t, option.WithHeader("authorization", "Bearer tok"))
	require.Equal(t, "tok", c.AuthToken.Reveal())
	require.Empty(t, c.Header)

	err := option.WithHeader("Authorization", "Basic "+key)(&config.Config{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), key)
}

func TestHeadersAndBetas(t *testing.T) {
	t.Parallel()
	c := apply(t, option.WithHeader("anthropic-workspace-id", "wrkspc_1"), option.WithHeader("Anthropic-Beta", "a, b"), option.WithBetas("c", " ", "a"))
	require.Equal(t, "wrkspc_1", c.WorkspaceID, "routed to WithWorkspaceID")
	require.Empty(t, c.Header.Get("Anthropic-Beta"))
	require.Equal(t, []string{"a", "b", "c", "a"}, c.Betas, "deduplicated when the header is built")
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	c := apply(t, option.WithBaseURL("https://proxy.example/prefix/"))
	require.Equal(t, "https://proxy.example/prefix", c.BaseURL)
	for _, bad := range []string{"", "proxy.example", "ftp://x", "https://", "http://user:" + key + "@h", "ht tp://u:" + key + "@h",
		key, "https://api.example/?x-api-key=" + key, "https://api.example/#" + key, "https://api.example/?", "http://[::1]:" + key + "/"} {
		err := option.WithBaseURL(bad)(&config.Config{})
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), key)
	}
}

func TestInvalidValues(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]option.RequestOption{
		"retries":         option.WithMaxRetries(-1),
		"timeout":         option.WithRequestTimeout(-time.Second),
		"retry-after cap": option.WithMaxRetryAfter(-time.Second),
		"http client":     option.WithHTTPClient(nil),
		"limiter":         option.WithLimiter(nil),
		"idle timeout":    option.WithStreamIdleTimeout(0),
		"event size":      option.WithMaxEventSize(10),
		"reconnects":      option.WithStreamReconnects(-1),
		"backoff":         option.WithStreamBackoff(time.Second, time.Millisecond),
	} {
		require.Error(t, o(&config.Config{}), name)
	}
}

func TestValues(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	l := ratelimit.New(ratelimit.DefaultBudgets)
	c := apply(t, option.WithMaxRetries(0), option.WithRequestTimeout(time.Second), option.WithMaxRetryAfter(time.Minute),
		option.WithHTTPClient(hc), option.WithLimiter(l))
	require.Equal(t, 0, c.MaxRetries)
	require.Equal(t, time.Second, c.RequestTimeout)
	require.Equal(t, time.Minute, c.MaxRetryAfter)
	require.Same(t, hc, c.HTTPClient)
	require.Equal(t, l, c.Limiter)
	c = apply(t, option.WithLimiter(l), option.WithoutLimiter())
	require.Nil(t, c.Limiter)
}

func TestOptionsNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	opts := []option.RequestOption{option.WithAPIKey(key), option.WithAuthToken(key), option.WithHeader("X-Api-Key", key)}
	c := apply(t, opts...)
	out := ""
	for _, v := range []any{opts, opts[0], c, *c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out += fmt.Sprintf(verb, v)
		}
	}
	require.NotContains(t, out, key)
}

func TestClientAndCallOptions(t *testing.T) {
	t.Parallel()
	call := &config.Config{PerCall: true}
	for name, o := range map[string]option.RequestOption{
		"WithRateLimits": option.WithRateLimits(ratelimit.DefaultBudgets),
		"WithLimiter":    option.WithLimiter(ratelimit.New(ratelimit.DefaultBudgets)),
		"WithoutLimiter": option.WithoutLimiter(),
	} {
		err := o(call)
		require.ErrorContains(t, err, "option."+name+": the rate limiter belongs to the client", name)
		require.NoError(t, o(&config.Config{}), "%s works on a client", name)
	}
	require.Nil(t, call.Limiter, "a refused option changes nothing")

	var resp *http.Response
	require.ErrorContains(t, option.WithResponseInto(&resp)(&config.Config{}), "an option of one call")
	require.NoError(t, option.WithResponseInto(&resp)(call))
	require.Same(t, &resp, call.ResponseInto)
	require.Error(t, option.WithResponseInto(nil)(call))
}

func TestWorkspaceAndMiddleware(t *testing.T) {
	t.Parallel()
	c := apply(t, option.WithWorkspaceID(" wrkspc_1 "))
	require.Equal(t, "wrkspc_1", c.WorkspaceID)
	require.Error(t, option.WithWorkspaceID("wrkspc_1\r\nX-Api-Key: x")(&config.Config{}))
	require.Error(t, option.WithMiddleware(nil)(&config.Config{}))
	var order []string
	mw := func(name string) option.Middleware {
		return func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			order = append(order, name)
			return next(req)
		}
	}
	c = apply(t, option.WithMiddleware(mw("a"), mw("b")), option.WithMiddleware(mw("c")))
	require.Len(t, c.Middlewares, 3)
	_, _ = c.Middlewares[0](&http.Request{}, func(*http.Request) (*http.Response, error) { return nil, nil })
	_, _ = c.Middlewares[2](&http.Request{}, func(*http.Request) (*http.Response, error) { return nil, nil })
	require.Equal(t, []string{"a", "c"}, order, "appended in order")
}
