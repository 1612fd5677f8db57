package cron

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/stretchr/testify/require"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]string{
		"":                    "has 0 fields",
		"* * * *":             "has 4 fields",
		"0 * * * * *":         "has 6 fields",
		"0 0 * * * 2026":      "has 6 fields",
		"@daily":              "shortcuts",
		" @hourly":            "shortcuts",
		"60 * * * *":          `minute field "60": 60 is out of range 0-59`,
		"* 24 * * *":          "hour field",
		"* * 0 * *":           "day of month field",
		"* * 32 * *":          "out of range 1-31",
		"* * * 13 *":          "month field",
		"* * * * 8":           "out of range 0-7",
		"* * L * *":           `"L" is not supported`,
		"* * 15W * *":         `"W" is not supported`,
		"* * * * 1#2":         `"#" is not supported`,
		"* * ? * *":           `"?" is not supported`,
		"*/0 * * * *":         "step",
		"*/x * * * *":         "step",
		"5-1 * * * *":         "runs backwards",
		"1,,2 * * * *":        "a value is missing",
		"a * * * *":           `"a" is not a number`,
		"* * * FOO *":         `"FOO" is not a number`,
		"* * * * MON-FOO":     `"FOO" is not a number`,
		"0 9 * * 1-5 extra x": "has 7 fields",
	} {
		_, err := Parse(expr)
		require.Error(t, err, expr)
		require.Contains(t, err.Error(), want, expr)
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	la := mustLoad(t, "America/Los_Angeles")
	utc := time.UTC
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct {
		expr  string
		loc   *time.Location
		after string
		want  []string
	}{
		// The reference's sample: weekdays at 09:00 in Los Angeles are 17:00 UTC in
		// November; the weekend is skipped.
		{"0 9 * * 1-5", la, "2026-11-23T17:00:04Z", []string{"2026-11-24T17:00:00Z", "2026-11-25T17:00:00Z",
			"2026-11-26T17:00:00Z", "2026-11-27T17:00:00Z", "2026-11-30T17:00:00Z"}},
		// Strictly after: an instant that matches is not returned again.
		{"*/15 * * * *", utc, "2026-01-01T00:15:00Z", []string{"2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"}},
		{"*/15 * * * *", utc, "2026-01-01T00:14:59.9Z", []string{"2026-01-01T00:15:00Z"}},
		// Lists, ranges with steps, a value with a step, names in any case.
		{"5,10-20/5 0 * * *", utc, "2026-01-01T00:00:00Z", []string{"2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z",
			"2026-01-01T00:15:00Z", "2026-01-01T00:20:00Z", "2026-01-02T00:05:00Z"}},
		{"50/5 23 * * *", utc, "2026-01-01T00:00:00Z", []string{"2026-01-01T23:50:00Z", "2026-01-01T23:55:00Z", "2026-01-02T23:50:00Z"}},
		{"0 0 1 jan,Jul *", utc, "2026-02-01T00:00:00Z", []string{"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
		// 7 is Sunday, as 0 and SUN are.
		{"0 12 * * 7", utc, "2026-11-23T00:00:00Z", []string{"2026-11-29T12:00:00Z"}},
		{"0 12 * * sun", utc, "2026-11-23T00:00:00Z", []string{"2026-11-29T12:00:00Z"}},
		{"0 12 * * 5-7", utc, "2026-11-23T00:00:00Z", []string{"2026-11-27T12:00:00Z", "2026-11-28T12:00:00Z", "2026-11-29T12:00:00Z", "2026-12-04T12:00:00Z"}},
		// Both day fields restricted: either matches (the 1st, or any Monday).
		{"0 0 1 * 1", utc, "2026-11-25T00:00:00Z", []string{"2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z", "2026-12-07T00:00:00Z"}},
		// One starts with "*": both must match (odd days that are Mondays).
		{"0 0 */2 * 1", utc, "2026-11-25T00:00:00Z", []string{"2026-12-07T00:00:00Z", "2026-12-21T00:00:00Z"}},
		// 29 February only in leap years.
		{"0 0 29 2 *", utc, "2026-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		// Spring forward in Los Angeles (8 March 2026): 02:30 does not exist that day.
		{"30 2 * * *", la, "2026-03-07T00:00:00Z", []string{"2026-03-07T10:30:00Z", "2026-03-09T09:30:00Z"}},
		// Fall back (1 November 2026): 01:30 happens twice.
		{"30 1 * * *", la, "2026-10-31T12:00:00Z", []string{"2026-11-01T08:30:00Z", "2026-11-01T09:30:00Z", "2026-11-02T09:30:00Z"}},
	} {
		s, err := Parse(tc.expr)
		require.NoError(t, err, tc.expr)
		cur := at(tc.after)
		for i, w := range tc.want {
			next, ok := s.Next(cur, tc.loc)
			require.True(t, ok, "%s after %s", tc.expr, cur)
			require.Equal(t, at(w), next.UTC(), "%s: instant %d after %s", tc.expr, i, tc.after)
			cur = next
		}
	}
}

func TestNextNever(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"0 0 30 2 *", "0 0 31 4,6,9,11 *"} {
		s, err := Parse(expr)
		require.NoError(t, err)
		_, ok := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC)
		require.False(t, ok, expr)
	}
}

// matches reports whether the wall clock of t matches s, by the definition of
// the fields, for the brute-force search.
func (s *Schedule) matches(t time.Time) bool {
	return s.minute&(1<<uint(t.Minute())) != 0 && s.hour&(1<<uint(t.Hour())) != 0 &&
		s.month&(1<<uint(t.Month())) != 0 && s.dayMatches(t)
}

// FuzzNextAgainstBruteForce compares Next with a minute-by-minute search of
// the following 60 days, in a zone with daylight saving and one without.
func FuzzNextAgainstBruteForce(f *testing.F) {
	for _, seed := range []string{"0 9 * * 1-5", "*/7 */5 * * *", "0 0 1 * 1", "30 2 * * *", "15 1 * 3,11 0",
		"0 0 29 2 *", "59 23 31 * *", "0-10/3 12 10-20 * mon,FRI", "*/45 * */3 * *"} {
		f.Add(seed, int64(1774000000), true)
	}
	zones := []*time.Location{time.UTC, mustLoad(f, "America/Los_Angeles"), mustLoad(f, "Asia/Kolkata")}
	f.Fuzz(func(t *testing.T, expr string, unix int64, dst bool) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		loc := zones[0]
		if dst {
			loc = zones[1+int(uint64(unix)%2)]
		}
		after := time.Unix(unix%(40*365*86400), 0) // 1970 to 2010
		next, ok := s.Next(after, loc)
		cur := after.Truncate(time.Minute).Add(time.Minute)
		for range 60 * 24 * 60 {
			if s.matches(cur.In(loc)) {
				require.True(t, ok, "%q after %s: Next found nothing, brute force %s", expr, after, cur)
				require.True(t, cur.Equal(next), "%q after %s in %s: Next %s, brute force %s", expr, after, loc, next, cur)
				return
			}
			cur = cur.Add(time.Minute)
		}
		if ok {
			require.True(t, next.After(cur) || next.Equal(cur), "%q after %s: Next %s, none within 60 days", expr, after, next)
		}
	})
}

func TestParseAcceptsWhitespace(t *testing.T) {
	t.Parallel()
	s, err := Parse("  0\t9 *  * 1-5 ")
	require.NoError(t, err)
	next, ok := s.Next(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.UTC)
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), next)
}
