package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"

	"github.com/go-managedagents/managedagents/internal/callinfo"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
)

// doJSON sends r with opts and decodes the JSON answer into a new T.
func doJSON[T any](ctx context.Context, c *Client, r transport.Request, opts []option.RequestOption) (*T, error) {
	var out T
	if err := c.send(ctx, r, opts, jsonInto(&out)); err != nil {
		return nil, err
	}
	return &out, nil
}

// withSecrets returns opts and an option that adds secrets, the secrets the
// call's body carries, to what an error answer has masked, as the API key is.
func withSecrets(opts []option.RequestOption, secrets ...Secret) []option.RequestOption {
	if len(secrets) == 0 {
		return opts
	}
	return append(slices.Clip(opts), func(cfg *config.Config) error {
		cfg.Secrets = slices.Clip(cfg.Secrets)
		for _, s := range secrets {
			if s.IsSet() {
				cfg.Secrets = append(cfg.Secrets, s.v)
			}
		}
		return nil
	})
}

// doWith sends r with opts and decodes the answer with decode, for answers
// that plain JSON decoding does not fit (unions, events).
func doWith[T any](ctx context.Context, c *Client, r transport.Request, opts []option.RequestOption, decode func([]byte) (T, error)) (T, error) {
	var out T
	err := c.send(ctx, r, opts, func(data []byte) error {
		if err := notEmpty(data); err != nil {
			return err
		}
		v, err := decode(data)
		out = v
		return err
	})
	return out, err
}

// jsonInto returns a decoder of a JSON value into out that refuses an empty
// body and a JSON null, which would leave out untouched and look like success.
func jsonInto(out any) func([]byte) error {
	return func(data []byte) error {
		if err := notEmpty(data); err != nil {
			return err
		}
		return json.Unmarshal(data, out)
	}
}

// notEmpty refuses an empty body and a JSON null.
func notEmpty(data []byte) error {
	switch t := bytes.TrimSpace(data); {
	case len(t) == 0:
		return errEmptyBody
	case string(t) == "null":
		return errNullBody
	}
	return nil
}

// send makes one call of r with the client's settings and opts, and decodes
// the 2xx answer's body with decode; a body that decode refuses is a
// *ResponseError carrying the answer's status and request id.
func (c *Client) send(ctx context.Context, r transport.Request, opts []option.RequestOption, decode func([]byte) error) error {
	cfg, err := c.config(opts)
	if err != nil {
		return err
	}
	return sendWith(ctx, cfg, r, decode)
}

// sendWith is send with the settings of the call already made. It is the one
// way from the services to the transport: it checks the context, the path
// parameters (by their names in the route) and the credentials before
// sending, turns the transport's errors into the package's, and ends the
// call's record (option.Call) with the outcome.
func sendWith(ctx context.Context, cfg *config.Config, r transport.Request, decode func([]byte) error) error {
	return sendWithStatus(ctx, cfg, r, func(_ int, data []byte) error { return decode(data) })
}

// sendWithStatus is sendWith for the endpoints whose answer means something
// by its status as well as its body (a stop answered 204 or 409): decode
// gets both.
func sendWithStatus(ctx context.Context, cfg *config.Config, r transport.Request, decode func(status int, data []byte) error) error {
	if err := check(ctx, cfg, r); err != nil {
		return err
	}
	ctx, info := startCall(ctx, r, false)
	resp, data, err := transport.Do(ctx, cfg, r)
	var body []byte
	switch {
	case err != nil:
		resp, body = lastResponse(err)
		err = fromWire(err, cfg)
	default:
		if derr := decode(resp.StatusCode, data); derr != nil {
			err = responseError(cfg, resp.Request.Method, resp.Request.URL.Redacted(), resp, derr)
		}
	}
	endCall(cfg, info, resp, body, err)
	return err
}

// openStreamConn opens an event stream with at most retries retries. The
// call's record ends when the returned body is read to its end, fails, or is
// closed.
func openStreamConn(ctx context.Context, cfg *config.Config, r transport.Request, retries int) (*http.Response, error) {
	return openBody(ctx, cfg, r, true, func(ctx context.Context) (*http.Response, error) {
		return transport.Open(ctx, cfg, r, retries)
	})
}

// openDownload sends the download r. The call's record ends when the
// returned body is read to its end, fails, or is closed.
func openDownload(ctx context.Context, cfg *config.Config, r transport.Request) (*http.Response, error) {
	return openBody(ctx, cfg, r, false, func(ctx context.Context) (*http.Response, error) {
		return transport.Fetch(ctx, cfg, r)
	})
}

// openBody makes a call of r whose 2xx body open hands over unread: it checks
// the call, turns the transport's errors into the package's, and ends the
// call's record with the body.
func openBody(ctx context.Context, cfg *config.Config, r transport.Request, stream bool, open func(context.Context) (*http.Response, error)) (*http.Response, error) {
	if err := check(ctx, cfg, r); err != nil {
		return nil, err
	}
	ctx, info := startCall(ctx, r, stream)
	resp, err := open(ctx)
	if err != nil {
		last, body := lastResponse(err)
		err = fromWire(err, cfg)
		endCall(cfg, info, last, body, err)
		return nil, err
	}
	if cfg.ResponseInto != nil {
		*cfg.ResponseInto = publicResponse(cfg, resp, nil)
	}
	ended := publicResponse(cfg, resp, nil)
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: func(err error) {
		if err != nil && errors.Is(context.Cause(ctx), errStreamClosed) {
			err = nil // a read cut by EventStream.Close: the application's end, not a failure
		}
		info.End(ended, redactErr(err, cfg))
	}}
	return resp, nil
}

// check refuses a call that cannot be sent: a nil context, a path parameter
// that is empty or would leave its segment, no credential the endpoint
// accepts.
func check(ctx context.Context, cfg *config.Config, r transport.Request) error {
	if ctx == nil {
		return invalid("ctx", "must not be nil")
	}
	names := r.Endpoint.Params()
	if len(names) != len(r.PathParams) {
		return fmt.Errorf("%s%s takes %d path parameters, not %d", errPrefix, r.Endpoint, len(names), len(r.PathParams))
	}
	for i, name := range names {
		if err := checkID(name, r.PathParams[i]); err != nil {
			return err
		}
	}
	if !transport.HasCredential(cfg, r.Endpoint) {
		return missingCredentials(r.Endpoint)
	}
	return nil
}

// startCall returns ctx carrying the record of a call of r, which
// middlewares read as an option.Call.
func startCall(ctx context.Context, r transport.Request, stream bool) (context.Context, *callinfo.State) {
	st := r.Call(stream)
	return callinfo.Start(ctx, st), st
}

// endCall ends the record of a unary call and fills option.WithResponseInto.
func endCall(cfg *config.Config, info *callinfo.State, resp *http.Response, body []byte, err error) {
	if cfg.ResponseInto != nil {
		*cfg.ResponseInto = publicResponse(cfg, resp, body)
	}
	info.End(publicResponse(cfg, resp, body), err)
}

// endOnClose ends the call of a stream or a download once: at the end of its body (nil), on a
// read error (that error), or when it is closed.
type endOnClose struct {
	io.ReadCloser
	once sync.Once
	end  func(error)
}

func (b *endOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		end := err
		if err == io.EOF {
			end = nil
		}
		b.once.Do(func() { b.end(end) })
	}
	return n, err
}

func (b *endOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.end(nil) })
	return err
}
