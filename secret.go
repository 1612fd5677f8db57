package managedagents

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/go-managedagents/managedagents/internal/secret"
)

// Secret is a value the SDK sends to the API but never shows: the tokens,
// refresh tokens, client secrets and secret values of vault credentials. Every
// fmt verb, log/slog and encoding/json print "[redacted]" in its place (""
// when it is unset); only the request that carries it to the API holds the
// value, and an error answer that echoes it has it masked. Build one with
// [NewSecret]; the zero Secret is unset.
type Secret struct{ v secret.String }

// NewSecret returns value as a Secret; an empty value gives the unset Secret.
func NewSecret(value string) Secret { return Secret{v: secret.New(value)} }

// IsSet reports whether s holds a non-empty value.
func (s Secret) IsSet() bool { return s.v.IsSet() }

// String returns "[redacted]", or "" when s is unset: never the value.
func (s Secret) String() string { return s.v.String() }

// GoString returns a placeholder, never the value.
func (s Secret) GoString() string { return "managedagents.Secret(" + s.v.String() + ")" }

// Format prints the placeholder of String for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.v.String()) }

// LogValue keeps the value out of log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.v.String()) }

// MarshalJSON encodes the placeholder of String, never the value: the SDK
// builds the bodies it sends without it.
func (s Secret) MarshalJSON() ([]byte, error) { return s.v.MarshalJSON() }

// reveal returns the value, for the request body that carries it.
func (s Secret) reveal() string { return s.v.Reveal() }
