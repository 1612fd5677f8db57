// Package cron reads the schedules of deployments: 5-field cron expressions
// (minute, hour, day of month, month, day of week) as the Managed Agents API
// accepts them, and finds the instants they fire at in a time zone.
//
// A field is "*" or a comma-separated list of values, ranges ("1-5") and steps
// ("*/15", "0-30/10", "5/20" for 5 to the field's end). Months and days of the
// week may be named (JAN…DEC, SUN…SAT, any case); day of week 0 and 7 are both
// Sunday. Seconds and year fields, the L, W, # and ? extensions and the
// "@daily" shortcuts are refused. As in Vixie cron, when both day fields are
// restricted (neither starts with "*") a day matches if either one does.
package cron

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed cron expression.
type Schedule struct {
	minute, hour, dom, month, dow uint64 // bit i set: value i matches
	domStar, dowStar              bool   // the field started with "*"
}

// field describes one of the five fields.
type field struct {
	name     string
	min, max int
	names    []string // names[i] is the name of value min+i
}

var fields = [5]field{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day of week", min: 0, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// Parse reads a 5-field cron expression. Its errors say which field is wrong
// and why, without repeating more of the expression than that field.
func Parse(expr string) (*Schedule, error) {
	if strings.HasPrefix(strings.TrimSpace(expr), "@") {
		return nil, errors.New("shortcuts such as @daily are not supported; write the 5 fields")
	}
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("has %d fields, want 5 (minute hour day-of-month month day-of-week)", len(parts))
	}
	var bits [5]uint64
	for i, p := range parts {
		b, err := fields[i].parse(p)
		if err != nil {
			return nil, fmt.Errorf("%s field %q: %w", fields[i].name, p, err)
		}
		bits[i] = b
	}
	if bits[4]&(1<<7) != 0 { // 7 is Sunday, as 0
		bits[4] |= 1
	}
	return &Schedule{minute: bits[0], hour: bits[1], dom: bits[2], month: bits[3], dow: bits[4],
		domStar: parts[2][0] == '*', dowStar: parts[4][0] == '*'}, nil
}

// parse reads one field into a bit set.
func (f field) parse(s string) (uint64, error) {
	if i := strings.IndexAny(s, "LW#?"); i >= 0 {
		return 0, fmt.Errorf("%q is not supported", s[i:i+1])
	}
	var bits uint64
	for item := range strings.SplitSeq(s, ",") {
		b, err := f.item(item)
		if err != nil {
			return 0, err
		}
		bits |= b
	}
	return bits, nil
}

// item reads one element of a list: "*", "n", "a-b", each with an optional
// "/step".
func (f field) item(s string) (uint64, error) {
	rng, stepText, hasStep := strings.Cut(s, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("step %q must be a positive integer", stepText)
		}
		step = n
	}
	var lo, hi int
	switch loText, hiText, isRange := strings.Cut(rng, "-"); {
	case rng == "*":
		lo, hi = f.min, f.max
	case isRange:
		var err error
		if lo, err = f.value(loText); err != nil {
			return 0, err
		}
		if hi, err = f.value(hiText); err != nil {
			return 0, err
		}
		if lo > hi {
			return 0, fmt.Errorf("range %d-%d runs backwards", lo, hi)
		}
	default:
		var err error
		if lo, err = f.value(rng); err != nil {
			return 0, err
		}
		hi = lo
		if hasStep {
			hi = f.max // "5/20": from 5 to the end, every 20
		}
	}
	var bits uint64
	for v := lo; v <= hi; v += step {
		bits |= 1 << v
	}
	return bits, nil
}

// value reads a number or a name of the field and checks its range.
func (f field) value(s string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if s == "" {
			return 0, errors.New("a value is missing")
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, f.min, f.max)
	}
	return n, nil
}

// searchYears bounds the search for the next instant: an expression that
// matches no day within that many years (February 30) never fires.
const searchYears = 30

// Next returns the first instant strictly after after, to the minute, whose
// wall clock in loc matches s; false if there is none. Wall-clock times a
// daylight-saving change skips never match; those it repeats may match twice.
func (s *Schedule) Next(after time.Time, loc *time.Location) (time.Time, bool) {
	t := after.Truncate(time.Minute).Add(time.Minute).In(loc)
	limit := t.Year() + searchYears
	for t.Year() <= limit {
		y, m, d := t.Date()
		switch {
		case s.month&(1<<uint(m)) == 0:
			t = later(t, time.Date(y, m+1, 1, 0, 0, 0, 0, loc))
		case !s.dayMatches(t):
			t = later(t, time.Date(y, m, d+1, 0, 0, 0, 0, loc))
		case s.hour&(1<<uint(t.Hour())) == 0:
			t = later(t, time.Date(y, m, d, t.Hour()+1, 0, 0, 0, loc))
		case s.minute&(1<<uint(t.Minute())) == 0:
			t = t.Add(time.Minute)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}

// dayMatches applies the day-of-month and day-of-week fields to t's date.
func (s *Schedule) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<uint(t.Day())) != 0
	dow := s.dow&(1<<uint(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// later returns next, or one minute after t when a daylight-saving change made
// next no later than t, so that the search always moves forward.
func later(t, next time.Time) time.Time {
	if next.After(t) {
		return next
	}
	return t.Add(time.Minute)
}
