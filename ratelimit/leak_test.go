package ratelimit_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// Acquire, including one cancelled while it waits for a token or for the 429
// gate, must have returned.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
