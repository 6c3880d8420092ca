package slo

import (
	"math"
	"testing"
	"time"
)

func shaped(from, at time.Time, total func(i int) float64) []Bucket {
	var out []Bucket
	for lo, i := from, 0; lo.Before(at); i++ {
		hi := lo.Truncate(time.Hour).Add(time.Hour)
		if hi.After(at) {
			hi = at
		}
		v := total(i)
		out = append(out, Bucket{Start: lo, End: hi, Counts: Counts{Good: v, Total: v}})
		lo = hi
	}
	return out
}

// The next evaluation in the same hour shares the full hours when their
// counts are the same to the bit, and makes its own otherwise; either way
// every bucket comes back exactly.
func TestHourlyHistorySharesUnchangedHours(t *testing.T) {
	at := time.Date(2024, 6, 15, 12, 20, 30, 0, time.UTC)
	step := 30 * time.Second
	base := func(i int) float64 { return float64(100 + i) }
	prev, err := NewHourlyHistoryLike(shaped(at.Add(-30*24*time.Hour), at, base), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		at    time.Time
		total func(i int) float64
		share bool
	}{
		{"same hour, same counts", at.Add(step), base, true},
		{"a late sample changed one hour", at.Add(step), func(i int) float64 { return base(i) + float64(i/700) }, false},
		{"0 against -0", at.Add(step), func(i int) float64 {
			if i == 5 {
				return math.Copysign(0, -1)
			}
			return base(i)
		}, false},
		{"the next hour", at.Add(time.Hour), base, false},
	} {
		bs := shaped(c.at.Add(-30*24*time.Hour), c.at, c.total)
		h, err := NewHourlyHistoryLike(bs, prev)
		if err != nil {
			t.Fatal(err)
		}
		if h.sharesHours(prev) != c.share {
			t.Errorf("%s: shares %v, want %v", c.name, h.sharesHours(prev), c.share)
		}
		back := h.Buckets()
		if len(back) != len(bs) {
			t.Fatalf("%s: %d buckets back, want %d", c.name, len(back), len(bs))
		}
		for i := range bs {
			if back[i].Start != bs[i].Start || back[i].End != bs[i].End ||
				math.Float64bits(back[i].Good) != math.Float64bits(bs[i].Good) || math.Float64bits(back[i].Total) != math.Float64bits(bs[i].Total) {
				t.Fatalf("%s: bucket %d %+v, want %+v", c.name, i, back[i], bs[i])
			}
		}
	}
	for _, n := range []int{0, 1, 2, 3} {
		bs := shaped(at.Add(-time.Duration(n)*time.Hour+time.Minute), at, base)[:n]
		if n == 0 {
			bs = nil
		}
		h, err := NewHourlyHistoryLike(bs, prev)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(h.Buckets()); got != n {
			t.Errorf("%d buckets: %d back", n, got)
		}
	}
}
