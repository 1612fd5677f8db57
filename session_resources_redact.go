package managedagents

import (
	"fmt"
	"log/slog"
)

// The params types below hold a repository token: their JSON carries it to the
// API, but fmt and log/slog print a placeholder instead.

const redactedToken = "[redacted]"

func redactToken(token string) string {
	if token == "" {
		return ""
	}
	return redactedToken
}

// Format prints p with its AuthorizationToken redacted, for every verb.
func (p GitHubRepositoryResourceParams) Format(f fmt.State, verb rune) {
	type githubRepositoryResourceParams GitHubRepositoryResourceParams
	c := githubRepositoryResourceParams(p)
	c.AuthorizationToken = redactToken(c.AuthorizationToken)
	fmt.Fprintf(f, fmt.FormatString(f, verb), c)
}

// LogValue logs p with its AuthorizationToken redacted.
func (p GitHubRepositoryResourceParams) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("url", p.URL), slog.String("authorization_token", redactToken(p.AuthorizationToken))}
	if p.MountPath != "" {
		attrs = append(attrs, slog.String("mount_path", p.MountPath))
	}
	if p.Checkout != nil {
		attrs = append(attrs, slog.Any("checkout", p.Checkout))
	}
	return slog.GroupValue(attrs...)
}

// Format prints p with its AuthorizationToken redacted, for every verb.
func (p SessionResourceUpdateParams) Format(f fmt.State, verb rune) {
	type sessionResourceUpdateParams SessionResourceUpdateParams
	c := sessionResourceUpdateParams(p)
	c.AuthorizationToken = redactToken(c.AuthorizationToken)
	fmt.Fprintf(f, fmt.FormatString(f, verb), c)
}

// LogValue logs p with its AuthorizationToken redacted.
func (p SessionResourceUpdateParams) LogValue() slog.Value {
	return slog.GroupValue(slog.String("authorization_token", redactToken(p.AuthorizationToken)))
}

// LogValue logs p with the tokens of its repository resources redacted.
func (p SessionCreateParams) LogValue() slog.Value {
	type sessionCreateParams SessionCreateParams // without this method
	c := sessionCreateParams(p)
	c.Resources = redactResources(p.Resources)
	return slog.AnyValue(c)
}

// redactResources returns resources with a copy, token redacted, of each
// repository resource that has a token.
func redactResources(resources []SessionResourceParams) []SessionResourceParams {
	out := make([]SessionResourceParams, len(resources))
	for i, r := range resources {
		if g, ok := r.(*GitHubRepositoryResourceParams); ok && g != nil && g.AuthorizationToken != "" {
			c := *g
			c.AuthorizationToken = redactedToken
			r = &c
		}
		out[i] = r
	}
	return out
}
