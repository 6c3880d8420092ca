package slo

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/slobudget/slobudget/internal/compact"
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

// TestLentHoursCheckedHourByHour: a history refers to lent hours only when
// they hold exactly its counts (good as total less bad here, as a counter of
// errors adds them up); one hour off by an event, or lent hours that stop
// before the history's, and it holds its own copy or its own tail, and it
// expands to its buckets either way.
func TestLentHoursCheckedHourByHour(t *testing.T) {
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h := []Bucket{{Start: base.Add(-20 * time.Minute), End: base, Counts: Counts{Good: 3, Total: 4}}}
	var total, bad compact.Floats
	total.Grow(10, 0)
	bad.Grow(10, 0)
	for i := range 10 {
		t0 := base.Add(time.Duration(i) * time.Hour)
		c := Counts{Good: float64(100*i) - float64(i%3), Total: float64(100 * i)}
		h = append(h, Bucket{Start: t0, End: t0.Add(time.Hour), Counts: c})
		total.Set(i, c.Total)
		bad.Set(i, c.Bad())
	}
	h = append(h, Bucket{Start: base.Add(10 * time.Hour), End: base.Add(10*time.Hour + 5*time.Minute), Counts: Counts{Good: 1, Total: 1}})
	lent := func(until time.Time, tot compact.Floats) *LentHours {
		return &LentHours{Until: until.UnixMilli(), GoodIsTotalLessBad: true,
			Total: []HourTerm{{Col: tot, Base: base.Add(time.Hour).UnixMilli(), Sign: 1}},
			Bad:   []HourTerm{{Col: bad, Base: base.Add(time.Hour).UnixMilli(), Sign: 1}}}
	}
	off := total.Clone()
	off.Set(4, off.At(4)+1)
	for _, c := range []struct {
		name string
		lent *LentHours
		want int
	}{
		{"all lent", lent(base.Add(10*time.Hour), total), 10},
		{"the last three open", lent(base.Add(7*time.Hour), total), 7},
		{"an hour off by one", lent(base.Add(10*time.Hour), off), 0},
		{"none", nil, 0},
	} {
		got, err := NewHourlyHistoryLent(h, c.lent, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Lent() != c.want {
			t.Errorf("%s: %d hours lent, want %d", c.name, got.Lent(), c.want)
		}
		if !slices.Equal(got.Buckets(), h) {
			t.Errorf("%s: the history expands to\n%v\nwant\n%v", c.name, got.Buckets(), h)
		}
		if since := got.Since(base.Add(4*time.Hour + time.Minute)); !slices.Equal(since, h[5:]) {
			t.Errorf("%s: Since = %v, want %v", c.name, since, h[5:])
		}
	}
}
