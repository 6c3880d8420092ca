// Package compact holds long columns of counts in less memory without
// changing a single value.
//
// Event counts are almost always whole numbers: a column whose every value
// is a whole number in [0, 2³²) (and not −0) is kept as uint32, 4 bytes a
// value instead of 8, and converting back to float64 is exact. The first
// value that does not fit (a fraction, a negative, NaN, ±Inf, −0, 2³² or
// more) turns the whole column into float64 for good, so At always returns
// exactly what Set stored.
package compact

import "math"

// Floats is a column of float64 values; the zero value is empty.
type Floats struct {
	small []uint32  // used while wide is nil
	wide  []float64 // non-nil once some value did not fit in small
}

// fits reports whether v is kept exactly as a uint32.
func fits(v float64) bool {
	return v >= 0 && v < 1<<32 && v == math.Trunc(v) && !(v == 0 && math.Signbit(v))
}

// Len is the number of values.
func (f *Floats) Len() int {
	if f.wide != nil {
		return len(f.wide)
	}
	return len(f.small)
}

// At returns value i (0 ≤ i < Len).
func (f *Floats) At(i int) float64 {
	if f.wide != nil {
		return f.wide[i]
	}
	return float64(f.small[i])
}

// Set stores v as value i (0 ≤ i < Len).
func (f *Floats) Set(i int, v float64) {
	if f.wide == nil {
		if fits(v) {
			f.small[i] = uint32(v)
			return
		}
		f.widen()
	}
	f.wide[i] = v
}

// widen moves the column to float64, keeping the capacity it had.
func (f *Floats) widen() {
	w := make([]float64, len(f.small), max(cap(f.small), 1))
	for i, u := range f.small {
		w[i] = float64(u)
	}
	f.wide, f.small = w, nil
}

// Grow adds n zeros at the end, reserving capacity for extra more values
// beyond them (so a column filled one value at a time is allocated once
// when its final length is known); an empty column gets exactly n+extra,
// a longer one with extra 0 grows as append does.
func (f *Floats) Grow(n, extra int) {
	if f.wide != nil {
		f.wide = growSlice(f.wide, n, extra)
		return
	}
	f.small = growSlice(f.small, n, extra)
}

// Prepend adds n zeros at the start.
func (f *Floats) Prepend(n int) {
	if f.wide != nil {
		f.wide = append(make([]float64, n, n+len(f.wide)), f.wide...)
		return
	}
	f.small = append(make([]uint32, n, n+len(f.small)), f.small...)
}

// DropFront removes the first k values (k ≤ Len). The memory they held is
// given back once the column has slid far enough that the waste matters.
func (f *Floats) DropFront(k int) {
	if f.wide != nil {
		f.wide = dropFront(f.wide, k)
		return
	}
	f.small = dropFront(f.small, k)
}

// Bytes is the memory the column's values take (its capacity), for tests
// and accounting.
func (f *Floats) Bytes() int {
	if f.wide != nil {
		return 8 * cap(f.wide)
	}
	return 4 * cap(f.small)
}

// Wide reports whether the column is kept as float64.
func (f *Floats) Wide() bool { return f.wide != nil }

func growSlice[T any](s []T, n, extra int) []T {
	if need := len(s) + n + extra; (extra > 0 || len(s) == 0) && need > cap(s) {
		grown := make([]T, len(s), need)
		copy(grown, s)
		s = grown
	}
	var zero T
	for range n {
		s = append(s, zero)
	}
	return s
}

func dropFront[T any](s []T, k int) []T {
	s = s[k:]
	if cap(s) > 2*len(s)+48 {
		s = append([]T(nil), s...)
	}
	return s
}

// Insert puts v before value i (0 ≤ i ≤ Len), shifting the rest up.
func (f *Floats) Insert(i int, v float64) {
	f.Grow(1, 0)
	if f.wide != nil {
		copy(f.wide[i+1:], f.wide[i:])
		f.wide[i] = 0
	} else {
		copy(f.small[i+1:], f.small[i:])
		f.small[i] = 0
	}
	f.Set(i, v)
}
