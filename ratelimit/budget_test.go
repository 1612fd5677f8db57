package ratelimit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestNewChecked(t *testing.T) {
	t.Parallel()
	minute := time.Minute
	for _, tc := range []struct {
		name    string
		in      ratelimit.Budget
		want    ratelimit.Budget // for valid budgets
		wantErr string           // substring of the error
	}{
		{name: "zero is the default", in: ratelimit.Budget{}, want: ratelimit.Budget{Limit: 600, Window: minute, Burst: 60}},
		{name: "explicit", in: ratelimit.Budget{Limit: 100, Window: minute, Burst: 99}, want: ratelimit.Budget{Limit: 100, Window: minute, Burst: 99}},
		{name: "burst defaults to a tenth", in: ratelimit.Budget{Limit: 300, Window: minute}, want: ratelimit.Budget{Limit: 300, Window: minute, Burst: 30}},
		{name: "burst at least 1", in: ratelimit.Budget{Limit: 2, Window: time.Second}, want: ratelimit.Budget{Limit: 2, Window: time.Second, Burst: 1}},
		{name: "no window", in: ratelimit.Budget{Limit: 10}, wantErr: "read budget: Window 0s must be positive"},
		{name: "negative window", in: ratelimit.Budget{Limit: 10, Window: -minute}, wantErr: "Window -1m0s must be positive"},
		{name: "no limit", in: ratelimit.Budget{Window: minute, Burst: 1}, wantErr: "Limit 0 must be at least 2"},
		{name: "limit 1", in: ratelimit.Budget{Limit: 1, Window: minute}, wantErr: "Limit 1 must be at least 2"},
		{name: "negative burst", in: ratelimit.Budget{Limit: 10, Window: minute, Burst: -1}, wantErr: "Burst -1 is negative"},
		{name: "burst equals limit", in: ratelimit.Budget{Limit: 10, Window: minute, Burst: 10}, wantErr: "Burst 10 must be less than Limit 10"},
		{name: "burst above limit", in: ratelimit.Budget{Limit: 10, Window: minute, Burst: 20}, wantErr: "Burst 20 must be less than Limit 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := ratelimit.NewChecked(ratelimit.Budgets{Read: tc.in})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "ratelimit: read budget: ") {
					t.Fatalf("NewChecked: %v, want an error containing %q", err, tc.wantErr)
				}
				if l != nil {
					t.Error("NewChecked returned a limiter with its error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ratelimit.Budgets{Create: ratelimit.DefaultBudgets.Create, Read: tc.want}
			if got := l.Budgets(); got != want {
				t.Errorf("Budgets() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestNewCheckedReportsBothClasses(t *testing.T) {
	t.Parallel()
	_, err := ratelimit.NewChecked(ratelimit.Budgets{
		Create: ratelimit.Budget{Limit: 1, Window: time.Minute},
		Read:   ratelimit.Budget{Limit: 10, Window: time.Minute, Burst: 10},
	})
	if err == nil || !strings.Contains(err.Error(), "create budget") || !strings.Contains(err.Error(), "read budget") {
		t.Fatalf("NewChecked: %v, want errors for both classes", err)
	}
}

func TestNewRepairsInvalidBudgets(t *testing.T) {
	t.Parallel()
	minute := time.Minute
	for _, tc := range []struct {
		name string
		in   ratelimit.Budget
		want ratelimit.Budget
	}{
		{name: "valid", in: ratelimit.Budget{Limit: 100, Window: minute, Burst: 5}, want: ratelimit.Budget{Limit: 100, Window: minute, Burst: 5}},
		{name: "burst too large", in: ratelimit.Budget{Limit: 100, Window: minute, Burst: 100}, want: ratelimit.Budget{Limit: 100, Window: minute, Burst: 10}},
		{name: "negative burst", in: ratelimit.Budget{Limit: 100, Window: minute, Burst: -3}, want: ratelimit.Budget{Limit: 100, Window: minute, Burst: 10}},
		{name: "no window", in: ratelimit.Budget{Limit: 100, Burst: 5}, want: ratelimit.Budget{Limit: 60, Window: minute, Burst: 6}},
		{name: "limit 1", in: ratelimit.Budget{Limit: 1, Window: minute}, want: ratelimit.Budget{Limit: 60, Window: minute, Burst: 6}},
		{name: "negative limit", in: ratelimit.Budget{Limit: -5, Window: minute, Burst: 100}, want: ratelimit.Budget{Limit: 60, Window: minute, Burst: 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ratelimit.New(ratelimit.Budgets{Create: tc.in}).Budgets()
			if want := (ratelimit.Budgets{Create: tc.want, Read: ratelimit.DefaultBudgets.Read}); got != want {
				t.Errorf("Budgets() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDefaultBudgets(t *testing.T) {
	t.Parallel()
	want := ratelimit.Budgets{
		Create: ratelimit.Budget{Limit: 60, Window: time.Minute, Burst: 6},
		Read:   ratelimit.Budget{Limit: 600, Window: time.Minute, Burst: 60},
	}
	if ratelimit.DefaultBudgets != want {
		t.Errorf("DefaultBudgets = %+v, want %+v", ratelimit.DefaultBudgets, want)
	}
	if got := ratelimit.New(ratelimit.Budgets{}).Budgets(); got != want {
		t.Errorf("New(Budgets{}).Budgets() = %+v, want %+v", got, want)
	}
}
