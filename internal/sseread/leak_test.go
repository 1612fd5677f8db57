package sseread

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind, such as a
// watchdog's timer function still running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
