package managedagents

import "github.com/go-managedagents/managedagents/internal/clock"

// SetStreamClock makes the streams of c time their idle watchdog, backfill
// page bound, backoff and health on clk, for the tests of package
// managedagents_test.
func SetStreamClock(c *Client, clk clock.Clock) { c.cfg.StreamClock = clk }
