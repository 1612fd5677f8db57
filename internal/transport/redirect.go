package transport

import (
	"errors"
	"net/http"
	"strings"
)

// safeClient returns a shallow copy of hc whose redirects never carry the SDK's
// credentials to another origin. hc itself is not changed. Go drops
// Authorization on a redirect to another domain but keeps x-api-key, and it
// treats another port or scheme of the same host as the same domain.
func safeClient(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = safeRedirect(hc.CheckRedirect)
	return &c
}

// safeRedirect wraps next (nil: Go's default of at most 10 redirects) with the
// removal of credential headers from a request to another origin than the first.
func safeRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(req, via[0]) {
			req.Header.Del("X-Api-Key")
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

func sameOrigin(a, b *http.Request) bool {
	return strings.EqualFold(a.URL.Scheme, b.URL.Scheme) && strings.EqualFold(a.URL.Host, b.URL.Host)
}
