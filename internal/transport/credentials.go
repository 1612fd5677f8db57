package transport

import (
	"net/http"

	"github.com/go-managedagents/managedagents/internal/config"
)

// Credentials is the rule by which an endpoint picks the credential of its
// requests among those a config holds (self-hosted.md §1.1). Each rule is an
// order of preference; the first credential set is sent, exactly one per
// request. Only the API key goes in x-api-key: the others are sent as
// Authorization: Bearer.
type Credentials uint8

const (
	// ClientCredentials is the rule of every endpoint that declares none: a
	// client acting for a work item sends the item's credential (its
	// sessions token, else the environment key); otherwise the API key, the
	// auth token, then the environment key.
	ClientCredentials Credentials = iota
	// EnvironmentCredentials is the rule of the work endpoints that take the
	// environment key (poll, ack, list): the environment key, else the auth
	// token; never the API key, which they refuse.
	EnvironmentCredentials
	// WorkItemCredentials is the rule of the endpoints of one claimed work
	// item (heartbeat, stop): the item's sessions token, else the environment
	// key, the auth token, then the API key.
	WorkItemCredentials
	// APIKeyCredentials is the rule of the work endpoints that refuse the
	// environment key and the item's token (get, update): the API key, else
	// the auth token.
	APIKeyCredentials
)

// credential is one credential of a config.
type credential uint8

const (
	apiKey credential = iota + 1
	authToken
	environmentKey
	workItem // the item's token, or the environment key when it has none
)

// order is the preference of each rule, indexed by the rule.
var order = [...][]credential{
	ClientCredentials:      {workItem, apiKey, authToken, environmentKey},
	EnvironmentCredentials: {environmentKey, authToken},
	WorkItemCredentials:    {workItem, environmentKey, authToken, apiKey},
	APIKeyCredentials:      {apiKey, authToken},
}

// value returns the value of credential c in cfg, "" when it is not set.
func (c credential) value(cfg *config.Config) string {
	switch c {
	case apiKey:
		return cfg.APIKey.Reveal()
	case authToken:
		return cfg.AuthToken.Reveal()
	case environmentKey:
		return cfg.EnvironmentKey.Reveal()
	case workItem:
		if !cfg.WorkItem {
			return ""
		}
		if t := cfg.WorkItemToken.Reveal(); t != "" {
			return t
		}
		return cfg.EnvironmentKey.Reveal()
	}
	return ""
}

// pick returns the credential rule r sends with cfg and its value; 0 when cfg
// holds none that r accepts.
func (r Credentials) pick(cfg *config.Config) (credential, string) {
	if int(r) >= len(order) {
		return 0, ""
	}
	for _, c := range order[r] {
		if v := c.value(cfg); v != "" {
			return c, v
		}
	}
	return 0, ""
}

// HasCredential reports whether cfg holds a credential that e's rule sends.
func HasCredential(cfg *config.Config, e *Endpoint) bool {
	c, _ := e.Credentials.pick(cfg)
	return c != 0
}

// setCredential sets the one auth header of a request of e, by e's rule.
func setCredential(req *http.Request, cfg *config.Config, e *Endpoint) {
	switch c, v := e.Credentials.pick(cfg); c {
	case 0:
	case apiKey:
		req.Header.Set("X-Api-Key", v)
	default:
		req.Header.Set("Authorization", "Bearer "+v)
	}
}
