package managedagentstest

import (
	"net/http"
	"net/url"
	"strings"
)

// Credential is the kind of credential a request carried, as recorded in
// [Request.Credential] (never its value).
type Credential string

// The kinds of credential the server tells apart (self-hosted.md §1.1).
const (
	// CredentialAPIKey is any credential that is neither of the others (or
	// the key of WithAPIKey), in x-api-key or Authorization: Bearer.
	CredentialAPIKey Credential = "api_key"
	// CredentialEnvironmentKey is the environment key, as a bearer.
	CredentialEnvironmentKey Credential = "environment_key"
	// CredentialWorkToken is the sessions token of a work item's secret, as a
	// bearer.
	CredentialWorkToken Credential = "work_token"
)

// credentialOf classifies the credential of r (x-api-key, else the bearer):
// its kind, its value and, for a work token, its item; s.mu must be held.
func (s *Server) credentialOf(r *http.Request) (Credential, string, *workRec) {
	value := r.Header.Get("X-Api-Key")
	if value == "" {
		value, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	switch {
	case value == "":
		return "", "", nil
	case value == s.envKey:
		return CredentialEnvironmentKey, value, nil
	}
	if w := s.workStore().tokens[value]; w != nil {
		return CredentialWorkToken, value, w
	}
	return CredentialAPIKey, value, nil
}

// authorize checks the credential of a request to route by what the API
// accepts there (self-hosted.md §1.1): the environment key on poll, ack and
// list; the item's token or the environment key on heartbeat and stop; the
// API key on work get and update; the API key or the environment key on
// stats; on a session's endpoints the API key, the token of one of the
// session's work items, or (self-hosted sessions) the environment key; on a
// memory store's endpoints the API key or the token of an item whose session
// uses the store; the API key anywhere else. It returns the credential's kind
// for the log.
func (s *Server) authorize(r *http.Request, route string) (Credential, *apiError) {
	if r.Header.Get("X-Api-Key") != "" && r.Header.Get("Authorization") != "" {
		return "", &apiError{status: 401, typ: "authentication_error", msg: "send only one of x-api-key and Authorization"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kind, value, item := s.credentialOf(r)
	unauthorized := func(msg string) (Credential, *apiError) {
		return kind, &apiError{status: 401, typ: "authentication_error", msg: msg}
	}
	switch {
	case kind == "":
		return unauthorized("x-api-key header is required")
	case kind != CredentialAPIKey && r.Header.Get("X-Api-Key") != "":
		return unauthorized("the environment key and work tokens are sent as Authorization: Bearer, not x-api-key")
	case kind == CredentialAPIKey && s.apiKey != "" && value != s.apiKey:
		return unauthorized("invalid x-api-key")
	}
	accepts := func(kinds ...Credential) bool {
		for _, k := range kinds {
			if k == kind {
				return true
			}
		}
		return false
	}
	switch route {
	case RoutePollWork, RouteAckWork, RouteListWork:
		if !accepts(CredentialEnvironmentKey) {
			return unauthorized("this endpoint takes the environment key")
		}
	case RouteHeartbeatWork, RouteStopWork:
		if kind == CredentialWorkToken && item.id != pathSegment(r, 5) {
			return kind, &apiError{status: 403, typ: "permission_error", msg: "the token is not valid for this work item"}
		}
		if !accepts(CredentialEnvironmentKey, CredentialWorkToken) {
			return unauthorized("this endpoint takes the work item's token or the environment key")
		}
	case RouteGetWork, RouteUpdateWork:
		if !accepts(CredentialAPIKey) {
			return unauthorized("this endpoint takes an API key, not the environment key or a work token")
		}
	case RouteWorkStats:
		if !accepts(CredentialAPIKey, CredentialEnvironmentKey) {
			return unauthorized("this endpoint takes an API key or the environment key")
		}
	default:
		if kind == CredentialAPIKey {
			return kind, nil
		}
		if strings.Contains(route, "/v1/memory_stores/{memory_store_id}") {
			// The stores of a session take its items' tokens, never the
			// environment key (self-hosted.md §1.1).
			if kind == CredentialWorkToken {
				if sess := s.sessions[item.session]; sess != nil && hasMemoryStore(sess, pathSegment(r, 3)) {
					return kind, nil
				}
				return kind, &apiError{status: 403, typ: "permission_error", msg: "the work token is not valid for this memory store"}
			}
			return unauthorized("this endpoint takes an API key or the token of a work item whose session uses the store")
		}
		id, isSession := "", strings.Contains(route, "/v1/sessions/{session_id}")
		if isSession {
			id = pathSegment(r, 3)
		}
		switch {
		case !isSession:
			return unauthorized("this endpoint takes an API key")
		case kind == CredentialWorkToken && item.session != id:
			return kind, &apiError{status: 403, typ: "permission_error", msg: "the work token is not valid for this session"}
		case kind == CredentialEnvironmentKey:
			if sess := s.sessions[id]; sess != nil && typeOf(sess.env["config"]) != "self_hosted" {
				return unauthorized("the environment key is valid for the sessions of a self-hosted environment only")
			}
		}
	}
	return kind, nil
}

// pathSegment returns the i-th segment of r's path, unescaped
// (/v1/sessions/{session_id}: 3 is the session id).
func pathSegment(r *http.Request, i int) string {
	segs := strings.Split(r.URL.EscapedPath(), "/")
	if i >= len(segs) {
		return ""
	}
	v, err := url.PathUnescape(segs[i])
	if err != nil {
		return ""
	}
	return v
}
