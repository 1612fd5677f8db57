// Package option holds the options of a managedagents client. An option works
// both on the client (managedagents.NewClient, Client.WithOptions) and on a
// single call, where it applies to that call only; the exceptions say so: the
// rate-limiter options belong to a client, WithResponseInto to one call.
//
// WithMiddleware wraps every attempt of every call; a middleware finds the
// call it belongs to with CallFromContext, which is what tracing and metrics
// need to report once per call.
package option

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/internal/worksecret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// RequestOption changes the settings of a client or of one call.
type RequestOption func(*config.Config) error

// WithAPIKey sets the API key, sent as the x-api-key header. It replaces an auth
// token set earlier.
func WithAPIKey(key string) RequestOption {
	return func(c *config.Config) error {
		c.APIKey = secret.New(key)
		if key != "" {
			c.AuthToken = secret.String{}
		}
		return nil
	}
}

// WithAuthToken sets an OAuth or auth token, sent as Authorization: Bearer. It
// replaces an API key set earlier.
func WithAuthToken(token string) RequestOption {
	return func(c *config.Config) error {
		c.AuthToken = secret.New(token)
		if token != "" {
			c.APIKey = secret.String{}
		}
		return nil
	}
}

// WithEnvironmentKey sets the key of a self-hosted environment (environment
// settings in the Console). It is sent as Authorization: Bearer, never as
// x-api-key, on the work endpoints that take it (poll, ack, list), and on a
// work item's calls when the item's secret holds no token. It does not
// replace the API key, which the other endpoints keep using. NewClient reads
// it from ANTHROPIC_ENVIRONMENT_KEY.
func WithEnvironmentKey(key string) RequestOption {
	return func(c *config.Config) error {
		c.EnvironmentKey = secret.New(key)
		return nil
	}
}

// WithWorkItemSecret makes a client, or one call, act for one claimed work
// item of a self-hosted environment: secret is the item's secret as the poll
// returned it (WorkItem.Secret.Reveal(), or ANTHROPIC_WORK_SECRET in a
// child process). Its sessions token (self-hosted.md §1.2) is then sent as
// Authorization: Bearer on the item's heartbeat and stop and on every
// session call; when the secret holds no usable token, the environment key
// is sent instead. The work endpoints that take the environment key or the
// API key keep theirs. Neither the secret nor the token is ever shown.
func WithWorkItemSecret(secretText string) RequestOption {
	return func(c *config.Config) error {
		c.WorkItem = true
		c.WorkItemToken = secret.New(worksecret.SessionsToken(secretText))
		return nil
	}
}

// WithBaseURL sets the API's base URL (default https://api.anthropic.com). It must
// be an absolute http or https URL without credentials, query or fragment; a path
// prefix is kept. An error never repeats the value, which may be a credential
// passed by mistake.
func WithBaseURL(base string) RequestOption {
	return func(c *config.Config) error {
		u, err := url.Parse(base)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
			if err == nil && u.Scheme != "" && u.User == nil {
				return fmt.Errorf("option.WithBaseURL: not an absolute http(s) URL (scheme %q, host %q)", u.Scheme, u.Host)
			}
			return errors.New("option.WithBaseURL: not an absolute http(s) URL (the value is not shown: it may hold a credential)")
		case u.User != nil:
			return errors.New("option.WithBaseURL: the URL must not carry credentials")
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			// The SDK appends paths to the base URL: a query would swallow them,
			// and errors show the URL with its query.
			return errors.New("option.WithBaseURL: the URL must not have a query or fragment")
		}
		c.BaseURL = strings.TrimSuffix(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the *http.Client that sends requests. Its Timeout, if any,
// also bounds streams; prefer WithRequestTimeout, which bounds unary attempts only.
func WithHTTPClient(hc *http.Client) RequestOption {
	return func(c *config.Config) error {
		if hc == nil {
			return errors.New("option.WithHTTPClient: nil client")
		}
		c.HTTPClient = hc
		return nil
	}
}

// WithHeader sets an extra header on every request. Setting anthropic-beta adds
// beta names (see WithBetas); anthropic-workspace-id sets the workspace (see
// WithWorkspaceID); x-api-key and Authorization set the credentials.
func WithHeader(key, value string) RequestOption {
	return func(c *config.Config) error {
		switch http.CanonicalHeaderKey(key) {
		case "X-Api-Key":
			return WithAPIKey(value)(c)
		case "Authorization":
			token, ok := strings.CutPrefix(value, "Bearer ")
			if !ok {
				return errors.New("option.WithHeader: Authorization must be \"Bearer <token>\"")
			}
			return WithAuthToken(token)(c)
		case "Anthropic-Beta":
			return WithBetas(strings.Split(value, ",")...)(c)
		case "Anthropic-Workspace-Id":
			return WithWorkspaceID(value)(c)
		}
		if c.Header == nil {
			c.Header = http.Header{}
		}
		c.Header.Set(key, value)
		return nil
	}
}

// WithWorkspaceID sets the workspace of the requests, sent as the
// anthropic-workspace-id header: it selects the workspace when the credential
// can act on several (a workspace-scoped key must match it). An empty id sends
// no header.
func WithWorkspaceID(id string) RequestOption {
	return func(c *config.Config) error {
		if strings.ContainsAny(id, "\r\n") {
			return errors.New("option.WithWorkspaceID: the id holds a line break")
		}
		c.WorkspaceID = strings.TrimSpace(id)
		return nil
	}
}

// WithBetas adds beta names to the anthropic-beta header, after the betas of
// the endpoint (managed-agents-2026-04-01 for Managed Agents endpoints); names
// are never duplicated.
func WithBetas(names ...string) RequestOption {
	return func(c *config.Config) error {
		for _, n := range names {
			if n = strings.TrimSpace(n); n != "" {
				c.Betas = append(c.Betas, n)
			}
		}
		return nil
	}
}

// WithMaxRetries sets how many times a failed request is retried (default 2).
func WithMaxRetries(n int) RequestOption {
	return func(c *config.Config) error {
		if err := notNegative("WithMaxRetries", n); err != nil {
			return err
		}
		c.MaxRetries = n
		return nil
	}
}

// WithRequestTimeout bounds each attempt of a unary request (not streams). Zero
// means no bound beyond the context.
func WithRequestTimeout(d time.Duration) RequestOption {
	return func(c *config.Config) error {
		if err := notNegative("WithRequestTimeout", d); err != nil {
			return err
		}
		c.RequestTimeout = d
		return nil
	}
}

// WithMaxRetryAfter caps how long a retry waits when the server asks for a longer
// wait with retry-after (default 60 s). Beyond the cap the error is returned.
// The cap also bounds the pause a 429 imposes on the limiter, so that later
// calls of its class wait at most that long.
func WithMaxRetryAfter(d time.Duration) RequestOption {
	return func(c *config.Config) error {
		if err := notNegative("WithMaxRetryAfter", d); err != nil {
			return err
		}
		c.MaxRetryAfter = d
		return nil
	}
}

// WithRateLimits replaces the client-side limiter with a new in-process one with
// budgets b. Without any rate-limit option a client uses ratelimit.DefaultBudgets.
// It is an option of a client (NewClient, Client.WithOptions): given to one
// call it is refused, since a budget of its own would not count the client's
// other calls.
func WithRateLimits(b ratelimit.Budgets) RequestOption {
	return func(c *config.Config) error {
		if err := clientOnly(c, "WithRateLimits"); err != nil {
			return err
		}
		l, err := ratelimit.NewChecked(b)
		if err != nil {
			return fmt.Errorf("option.WithRateLimits: %w", err)
		}
		c.Limiter = l
		return nil
	}
}

// WithLimiter sets the client-side limiter, for example one shared by several
// clients or one backed by Redis (ratelimit/redisrate). It is an option of a
// client: given to one call it is refused.
func WithLimiter(l ratelimit.Limiter) RequestOption {
	return func(c *config.Config) error {
		if err := clientOnly(c, "WithLimiter"); err != nil {
			return err
		}
		if l == nil {
			return errors.New("option.WithLimiter: nil limiter (use WithoutLimiter)")
		}
		c.Limiter = l
		return nil
	}
}

// WithoutLimiter turns the client-side limiter off. It is an option of a
// client: given to one call it is refused.
func WithoutLimiter() RequestOption {
	return func(c *config.Config) error {
		if err := clientOnly(c, "WithoutLimiter"); err != nil {
			return err
		}
		c.Limiter = nil
		return nil
	}
}

// clientOnly refuses an option of the client's limiter given to one call.
func clientOnly(c *config.Config, name string) error {
	if c.PerCall {
		return fmt.Errorf("option.%s: the rate limiter belongs to the client; set it with NewClient or Client.WithOptions, not on one call", name)
	}
	return nil
}

// WithResponseInto makes a call store its last HTTP response in *dst when it
// returns, even when it fails (nil if no response arrived): its status and
// headers, such as request-id. The response's request carries no credentials,
// and a credential the server echoed into a header or an error answer's body
// is masked; its body has been read and closed (for an error answer it can be read
// again). For an event stream it is the answer to the first open, without
// its body, which the stream reads. It is an option of one call: given to a
// client it is refused, as every call would write the same variable.
func WithResponseInto(dst **http.Response) RequestOption {
	return func(c *config.Config) error {
		switch {
		case dst == nil:
			return errors.New("option.WithResponseInto: nil destination")
		case !c.PerCall:
			return errors.New("option.WithResponseInto: an option of one call, not of a client")
		}
		c.ResponseInto = dst
		return nil
	}
}

// WithLogger sets a structured logger for debug logs of requests, retries and
// reconnects. Credentials are never logged. Default: no logging.
func WithLogger(l *slog.Logger) RequestOption {
	return func(c *config.Config) error {
		c.Logger = l
		return nil
	}
}

// WithStreamIdleTimeout sets how long an event stream may go without receiving a
// byte (heartbeats count) before it is treated as disconnected (default 90 s).
// It also bounds each attempt to open a stream while it waits for the
// response headers.
func WithStreamIdleTimeout(d time.Duration) RequestOption {
	return func(c *config.Config) error {
		if d <= 0 {
			return fmt.Errorf("option.WithStreamIdleTimeout: %s is not positive", d)
		}
		c.StreamIdleTimeout = d
		return nil
	}
}

// WithMaxEventSize sets the largest stream frame read (default 32 MiB). A larger
// event is recovered from the events list instead.
func WithMaxEventSize(n int) RequestOption {
	return func(c *config.Config) error {
		if n < 1024 {
			return fmt.Errorf("option.WithMaxEventSize: %d is below 1024", n)
		}
		c.MaxEventSize = n
		return nil
	}
}

// WithStreamReconnects sets how many reconnects in a row, without a healthy
// connection between them, a stream makes before it gives up (default 10; 0
// means it never reconnects).
func WithStreamReconnects(n int) RequestOption {
	return func(c *config.Config) error {
		if err := notNegative("WithStreamReconnects", n); err != nil {
			return err
		}
		c.StreamReconnects = n
		return nil
	}
}

// WithStreamBackoff sets the first and the largest reconnect delay of a stream
// (default 0.5 s and 10 s). Reconnect delays follow the backoff of request
// retries with these bounds: first × 2ⁿ up to largest, minus a random jitter
// of up to a quarter, or the server's retry-after when it gave one. A stream's
// first open is a request like any other and uses the retry policy's
// backoff (0.5 s doubling to 8 s).
func WithStreamBackoff(first, largest time.Duration) RequestOption {
	return func(c *config.Config) error {
		if first <= 0 || largest < first {
			return fmt.Errorf("option.WithStreamBackoff: need 0 < first <= largest, got %s, %s", first, largest)
		}
		c.StreamBackoffMin, c.StreamBackoffMax = first, largest
		return nil
	}
}

// notNegative refuses a negative value of option name.
func notNegative[T int | time.Duration](name string, v T) error {
	if v < 0 {
		return fmt.Errorf("option.%s: %v is negative", name, v)
	}
	return nil
}
