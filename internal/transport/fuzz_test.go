package transport

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets run over their seed corpora (testdata/fuzz/<Name>) with every
// go test; go test -fuzz=<Name> explores further.

// FuzzParseRetryAfter: the wait is never negative, is 0 without a usable header,
// and never exceeds what the headers say (retry-after-ms first, then
// retry-after in seconds or as a date).
func FuzzParseRetryAfter(f *testing.F) {
	f.Add("1500", "", int64(1775044800))
	f.Fuzz(func(t *testing.T, ms, ra string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		h := http.Header{}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		d := ParseRetryAfter(h, now)
		if d < 0 {
			t.Fatalf("negative wait %s for ms=%q ra=%q", d, ms, ra)
		}
		// The largest wait each header allows on its own.
		bound := time.Duration(0)
		if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && !math.IsNaN(v) {
			bound = max(bound, clampDuration(v*float64(time.Millisecond)))
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(ra), 64); err == nil && !math.IsNaN(v) {
			bound = max(bound, clampDuration(v*float64(time.Second)))
		} else if at, err := http.ParseTime(strings.TrimSpace(ra)); err == nil {
			bound = max(bound, at.Sub(now))
		}
		if d > bound {
			t.Fatalf("wait %s exceeds what ms=%q ra=%q allow (%s)", d, ms, ra, bound)
		}
		// A usable retry-after-ms wins over retry-after.
		if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && v >= 1 && v < 1e12 {
			if want := time.Duration(v * float64(time.Millisecond)); d != want {
				t.Fatalf("ms=%q gave %s, want %s", ms, d, want)
			}
		}
	})
}

// clampDuration converts ns to a Duration, saturating at the int64 range.
func clampDuration(ns float64) time.Duration {
	switch {
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= 0:
		return 0
	}
	return time.Duration(ns)
}
