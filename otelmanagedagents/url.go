package otelmanagedagents

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// serverAttributes returns server.address and server.port of u: its port, or
// the scheme's.
func serverAttributes(u *url.URL) []attribute.KeyValue {
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 443
		if u.Scheme == "http" {
			port = 80
		}
	}
	return []attribute.KeyValue{keyServerAddress.String(u.Hostname()), keyServerPort.Int(port)}
}

// urlAttributes returns url.scheme, url.path, url.query and url.full of u, the
// URL of a call's first attempt. The query keeps only the parameters of
// params, those the call's params built (the endpoint's own), in their order
// and bytes; url.full has no user information. A query holding a content
// parameter leaves both url.query and url.full out.
func urlAttributes(u *url.URL, params url.Values, op string) []attribute.KeyValue {
	path := u.EscapedPath()
	attrs := []attribute.KeyValue{keyURLScheme.String(u.Scheme), keyURLPath.String(path)}
	query, content := definedQuery(u.RawQuery, params, op)
	if content {
		return attrs
	}
	full := u.Scheme + "://" + u.Host + path
	if query != "" {
		attrs = append(attrs, keyURLQuery.String(query))
		full += "?" + query
	}
	return append(attrs, keyURLFull.String(full))
}

// definedQuery returns the pairs of rawQuery whose name is a parameter of
// params, and whether one of them is a content parameter of op.
func definedQuery(rawQuery string, params url.Values, op string) (query string, content bool) {
	if rawQuery == "" || len(params) == 0 {
		return "", false
	}
	var kept []string
	for pair := range strings.SplitSeq(rawQuery, "&") {
		name, _, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(name)
		if err != nil {
			continue
		}
		if _, ok := params[name]; !ok {
			continue
		}
		kept = append(kept, pair)
		bare := strings.TrimSuffix(name, "[]")
		if slices.Contains(contentQueryParams, bare) || slices.Contains(contentQueryParamsOf[op], bare) {
			content = true
		}
	}
	return strings.Join(kept, "&"), content
}
