// Package secret holds credentials so that no formatting verb, logger or encoder
// can print them by accident.
package secret

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[redacted]"

// String is a credential. Its zero value is the empty credential. The value sits
// behind a pointer so that even reflection-based printing of a struct that holds a
// String in an unexported field (fmt's %+v, %#v) shows an address, never the text.
type String struct {
	p *string
}

// New wraps s. An empty s gives the zero String.
func New(s string) String {
	if s == "" {
		return String{}
	}
	return String{p: &s}
}

// Reveal returns the credential itself, for the one place that sends it.
func (s String) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsSet reports whether a non-empty credential is held.
func (s String) IsSet() bool { return s.p != nil }

// String returns a placeholder, never the credential.
func (s String) String() string {
	if s.p == nil {
		return ""
	}
	return redacted
}

// GoString returns a placeholder, never the credential.
func (s String) GoString() string { return "secret.String(" + s.String() + ")" }

// Format prints the placeholder for every verb.
func (s String) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps the credential out of slog output.
func (s String) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON keeps the credential out of JSON output.
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
