package report

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	const (
		ms = time.Millisecond
		s  = time.Second
		m  = time.Minute
		h  = time.Hour
		d  = 24 * time.Hour
	)
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{1, "<1ms"}, // 1ns
		{499 * time.Microsecond, "<1ms"},
		{500 * time.Microsecond, "1ms"}, // halves round away from zero
		{250 * ms, "250ms"},
		{999*ms + 400*time.Microsecond, "999ms"},
		{999*ms + 600*time.Microsecond, "1s"}, // carries into seconds
		{s, "1s"},
		{59 * s, "59s"},
		{59*s + 400*ms, "59s"},
		{59*s + 500*ms, "1m"},
		{m, "1m"},
		{m + s, "1m 1s"},
		{43*m + 12*s, "43m 12s"}, // 99.9% over 30d: 2592 s
		{25*m + 55*s + 200*ms, "25m 55s"},
		{h, "1h"},
		{h + 29*s, "1h"},             // two units: seconds are dropped, 29 s rounds down
		{h + 30*s, "1h 1m"},          // 30 s rounds up
		{59*m + 59*s + 700*ms, "1h"}, // 59m 59.7s → 60m 0s → 1h
		{d + 2*h, "1d 2h"},
		{d + 2*h + 29*m, "1d 2h"},
		{d + 2*h + 30*m, "1d 3h"},
		{23*h + 59*m + 40*s, "1d"}, // 23h 60m carries into a day
		{3*d + 4*h, "3d 4h"},
		{30 * d, "30d"}, // never "4w 2d" or "1mo"
		{400 * d, "400d"},
		{-(5*m + 3*s), "-5m 3s"},
		{-250 * ms, "-250ms"},
		{-1, "-<1ms"},
		{-(d + 2*h), "-1d 2h"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.in); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanDurationExtremes(t *testing.T) {
	// math.MaxInt64 ns is 106751d 23h 47m 16.85s. Rounding it up to 106752d
	// would overflow time.Duration, whose Round saturates instead: the answer
	// is one unit short, but neither end may panic or wrap to a negative.
	if got := HumanDuration(math.MaxInt64); got != "106751d 23h" {
		t.Errorf("HumanDuration(max) = %q, want 106751d 23h", got)
	}
	if got := HumanDuration(math.MinInt64); got != "-106751d 23h" {
		t.Errorf("HumanDuration(min) = %q, want -106751d 23h", got)
	}
}

func TestHumanSeconds(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0s"},
		{0.4, "400ms"},
		{1555.2, "25m 55s"}, // 0.6 × 2592 s
		{2592, "43m 12s"},
		{-518.4, "-8m 38s"}, // −0.2 × 2592 s
		{259200, "3d"},
		{777600, "9d"},
		{274000, "3d 4h"}, // 3d 4h 6m 40s
		{24192, "6h 43m"}, // 99% over 28d: 6h 43m 12s
		{100 * 365 * 86400, "36500d"},
		{1e12, "over 100 years"},
		{math.Inf(1), "over 100 years"},
		{math.Inf(-1), "-over 100 years"},
		{math.NaN(), "unknown"},
	}
	for _, tt := range tests {
		if got := HumanSeconds(tt.in); got != tt.want {
			t.Errorf("HumanSeconds(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanDurationNeverMoreThanTwoUnits(t *testing.T) {
	// Walk a wide range with an odd step so every unit boundary is crossed.
	for d := time.Duration(0); d < 5*24*time.Hour; d += 7*time.Minute + 13*time.Second + 17*time.Millisecond {
		got := HumanDuration(d)
		if n := len(strings.Fields(got)); n > 2 {
			t.Fatalf("HumanDuration(%v) = %q: %d units", d, got, n)
		}
		if strings.Contains(got, " 0") {
			t.Fatalf("HumanDuration(%v) = %q: prints a zero unit", d, got)
		}
	}
}
