package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
)

// credentialError reports a call refused before sending because the client
// holds no credential its endpoint accepts. It matches ErrMissingCredentials.
type credentialError struct {
	op   string
	need string
}

func (e *credentialError) Error() string {
	return errPrefix + e.op + " needs " + e.need + "; none is set"
}

func (e *credentialError) Is(target error) bool { return target == ErrMissingCredentials }

// missingCredentials returns the error of a call of e made without any
// credential e accepts: ErrMissingCredentials itself for the endpoints that
// take the client's credential, an error naming what is missing for the work
// endpoints.
func missingCredentials(e *transport.Endpoint) error {
	switch e.Credentials {
	case transport.EnvironmentCredentials:
		return &credentialError{e.Op, "the environment key (option.WithEnvironmentKey, ANTHROPIC_ENVIRONMENT_KEY) or an auth token"}
	case transport.APIKeyCredentials:
		return &credentialError{e.Op, "an API key (option.WithAPIKey, ANTHROPIC_API_KEY) or an auth token"}
	case transport.WorkItemCredentials:
		return &credentialError{e.Op, "the work item's token (option.WithWorkItemSecret, Client.ForWorkItem), the environment key, an auth token or an API key"}
	}
	return ErrMissingCredentials
}

// ForWorkItem returns a client that acts for item, a work item a poll
// returned: its heartbeats, its stop and every session call (the session, its
// events and their stream) send the item's sessions token, read from its
// secret (self-hosted.md §1.2), as Authorization: Bearer; when the secret
// holds no usable token they send the environment key instead. Poll, ack and
// list keep the environment key, work get and update the API key. The new
// client shares c's settings, rate limiter and HTTP client; c is unchanged.
//
// For one call, pass option.WithWorkItemSecret(item.Secret.Reveal()) instead.
func (c *Client) ForWorkItem(item *WorkItem) *Client {
	var s string
	if item != nil {
		s = item.Secret.Reveal()
	}
	return c.WithOptions(option.WithWorkItemSecret(s))
}
