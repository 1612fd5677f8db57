package transport

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// verdict is the retry policy's answer for one attempt.
type verdict struct {
	retry bool
	// uncertain: a request declared Once failed after it may have reached the
	// server; the failure is reported as an *UncertainError.
	uncertain bool
	reason    string
}

// decide applies the retry policy to one attempt's outcome: resp (nil on a
// transport error err) and whether the request surely never reached the server.
// It does not look at the retry budget or the wait.
func decide(repeatable bool, resp *http.Response, err error, notSent bool) verdict {
	if resp == nil {
		switch {
		case permanent(err):
			return verdict{reason: "permanent error: " + err.Error()}
		case notSent:
			return verdict{retry: true, reason: "connection failed before sending: " + err.Error()}
		case repeatable:
			return verdict{retry: true, reason: "connection error: " + err.Error()}
		}
		return verdict{uncertain: true, reason: "failed after sending: " + err.Error()}
	}
	status := resp.StatusCode
	if status/100 == 2 {
		return verdict{reason: "success"}
	}
	transient := status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusTooManyRequests || status >= 500
	// A 429 and a 409 (a conflict: duplicate name, version mismatch) are refusals:
	// the request was not applied, so neither is uncertain.
	uncertain := !repeatable && transient && status != http.StatusTooManyRequests && status != http.StatusConflict
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("X-Should-Retry"))) {
	case "true":
		return verdict{retry: true, uncertain: uncertain, reason: http.StatusText(status) + ", x-should-retry: true"}
	case "false":
		return verdict{uncertain: uncertain, reason: http.StatusText(status) + ", x-should-retry: false"}
	}
	switch {
	case status == http.StatusTooManyRequests:
		return verdict{retry: true, reason: "rate limited (429)"}
	case transient && repeatable:
		return verdict{retry: true, reason: "status " + http.StatusText(status)}
	}
	return verdict{uncertain: uncertain, reason: "status " + http.StatusText(status)}
}

// mayHaveApplied reports whether a failed attempt may have taken effect on
// the server: it was sent and then failed without an answer, or was answered
// with a 408 or a 5xx (the server may have failed after applying it). Refusals
// (4xx, 429) were not applied.
func mayHaveApplied(status int, err error, sent bool) bool {
	if status == 0 {
		return err != nil && sent
	}
	return status == http.StatusRequestTimeout || status >= 500
}

// permanent reports transport errors that a retry cannot fix.
func permanent(err error) bool {
	var unknownAuth x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	return errors.As(err, &unknownAuth) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		strings.Contains(err.Error(), "unsupported protocol scheme") ||
		// A header value that cannot be sent (a key with a newline) never can.
		strings.Contains(err.Error(), "invalid header field")
}

// Backoff is the one backoff of the SDK, used between the attempts of a
// request and between the reconnects of a stream (with other bounds).
type Backoff struct {
	// Base is the first wait; each retry doubles it.
	Base time.Duration
	// Max caps the doubled wait.
	Max time.Duration
}

// Delay returns the wait before retry number retry (0 for the first). A
// positive serverWait (retry-after-ms or retry-after) is used as is when it is
// at most limit; beyond it over is true and the caller must not wait.
// Otherwise the wait is Base × 2^retry, at most Max, minus a random jitter of
// up to a quarter.
func (b Backoff) Delay(retry int, serverWait, limit time.Duration) (wait time.Duration, over bool) {
	if serverWait > 0 {
		if serverWait > limit {
			return 0, true
		}
		return serverWait, false
	}
	return backoff(retry, b.Base, b.Max, rand.Float64()), false
}

// backoff returns base × 2^retry, at most max, minus jitter × a quarter of it.
func backoff(retry int, base, max time.Duration, jitter float64) time.Duration {
	d := max
	if retry >= 0 && retry < 30 {
		if b := base << retry; b > 0 && b < max {
			d = b
		}
	}
	return d - time.Duration(float64(d)*0.25*jitter)
}

// pastDeadline reports whether a wait starting now would end after ctx's deadline.
func pastDeadline(ctx context.Context, now time.Time, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && now.Add(wait).After(dl)
}

// notSent reports whether the attempt surely never reached the server: a dial or
// DNS failure, or a connection asked for and never obtained, or obtained but
// without a header written. A transport that reports no trace events at all is
// treated as having sent.
func notSent(err error, tr *attemptTrace) bool {
	if err == nil {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return tr != nil && tr.gettingConn.Load() && (!tr.gotConn.Load() || !tr.wroteHeaders.Load())
}
