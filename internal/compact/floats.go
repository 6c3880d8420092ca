// Package compact holds long columns of counts in less memory without
// changing a single value.
//
// Event counts are almost always whole numbers, and most hours of most
// selectors count fewer than 65,536 events: a column whose every value is a
// whole number in [0, 2¹⁶) (and not −0) is kept as uint16, 2 bytes a value;
// one whose values are whole numbers in [0, 2³²) as uint32, 4 bytes; any
// other as float64. Converting back to float64 is exact. The first value that
// does not fit the column's width (65,536 or more; a fraction, a negative,
// NaN, ±Inf, −0, 2³² or more) widens the whole column for good, so At always
// returns exactly what Set stored.
package compact

import "math"

// Floats is a column of float64 values; the zero value is empty. One of the
// three slices is in use: tiny while small and wide are nil, small while
// wide is nil, wide once set.
type Floats struct {
	tiny  []uint16
	small []uint32
	wide  []float64
	width uint8 // 0: tiny, 1: small, 2: wide
}

const (
	widthTiny = iota
	widthSmall
	widthWide
)

// widthOf is the narrowest width that keeps v exactly.
func widthOf(v float64) uint8 {
	switch {
	case v >= 0 && v < 1<<16 && v == math.Trunc(v) && !(v == 0 && math.Signbit(v)):
		return widthTiny
	case v >= 0 && v < 1<<32 && v == math.Trunc(v) && !(v == 0 && math.Signbit(v)):
		return widthSmall
	}
	return widthWide
}

// Len is the number of values.
func (f *Floats) Len() int {
	switch f.width {
	case widthTiny:
		return len(f.tiny)
	case widthSmall:
		return len(f.small)
	}
	return len(f.wide)
}

// At returns value i (0 ≤ i < Len).
func (f *Floats) At(i int) float64 {
	switch f.width {
	case widthTiny:
		return float64(f.tiny[i])
	case widthSmall:
		return float64(f.small[i])
	}
	return f.wide[i]
}

// Set stores v as value i (0 ≤ i < Len).
func (f *Floats) Set(i int, v float64) {
	if w := widthOf(v); w > f.width {
		f.widen(w)
	}
	switch f.width {
	case widthTiny:
		f.tiny[i] = uint16(v)
	case widthSmall:
		f.small[i] = uint32(v)
	default:
		f.wide[i] = v
	}
}

// widen moves the column to width w, keeping the capacity it had.
func (f *Floats) widen(w uint8) {
	n, c := f.Len(), f.capacity()
	vals := func(i int) float64 { return f.At(i) }
	switch w {
	case widthSmall:
		s := make([]uint32, n, max(c, 1))
		for i := range n {
			s[i] = uint32(vals(i))
		}
		f.small = s
	case widthWide:
		s := make([]float64, n, max(c, 1))
		for i := range n {
			s[i] = vals(i)
		}
		f.wide = s
	}
	f.tiny = nil
	if w == widthWide {
		f.small = nil
	}
	f.width = w
}

func (f *Floats) capacity() int {
	switch f.width {
	case widthTiny:
		return cap(f.tiny)
	case widthSmall:
		return cap(f.small)
	}
	return cap(f.wide)
}

// Grow adds n zeros at the end, reserving capacity for extra more values
// beyond them (so a column filled one value at a time is allocated once
// when its final length is known); an empty column gets exactly n+extra,
// a longer one with extra 0 grows as append does.
func (f *Floats) Grow(n, extra int) {
	switch f.width {
	case widthTiny:
		f.tiny = growSlice(f.tiny, n, extra)
	case widthSmall:
		f.small = growSlice(f.small, n, extra)
	default:
		f.wide = growSlice(f.wide, n, extra)
	}
}

// Prepend adds n zeros at the start.
func (f *Floats) Prepend(n int) {
	switch f.width {
	case widthTiny:
		f.tiny = append(make([]uint16, n, n+len(f.tiny)), f.tiny...)
	case widthSmall:
		f.small = append(make([]uint32, n, n+len(f.small)), f.small...)
	default:
		f.wide = append(make([]float64, n, n+len(f.wide)), f.wide...)
	}
}

// DropFront removes the first k values (k ≤ Len). The memory they held is
// given back once the column has slid far enough that the waste matters.
func (f *Floats) DropFront(k int) {
	switch f.width {
	case widthTiny:
		f.tiny = dropFront(f.tiny, k)
	case widthSmall:
		f.small = dropFront(f.small, k)
	default:
		f.wide = dropFront(f.wide, k)
	}
}

// Bytes is the memory the column's values take (its capacity), for tests
// and accounting.
func (f *Floats) Bytes() int {
	switch f.width {
	case widthTiny:
		return 2 * cap(f.tiny)
	case widthSmall:
		return 4 * cap(f.small)
	}
	return 8 * cap(f.wide)
}

// Wide reports whether the column is kept as float64.
func (f *Floats) Wide() bool { return f.width == widthWide }

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
	switch f.width {
	case widthTiny:
		copy(f.tiny[i+1:], f.tiny[i:])
		f.tiny[i] = 0
	case widthSmall:
		copy(f.small[i+1:], f.small[i:])
		f.small[i] = 0
	default:
		copy(f.wide[i+1:], f.wide[i:])
		f.wide[i] = 0
	}
	f.Set(i, v)
}

// Prefix returns the first n values (0 ≤ n ≤ Len) as a column of their own
// that shares f's memory: its capacity ends at n, so growing it allocates
// and nothing written through it reaches f. It stays what f held as long
// as f's owner never Sets those n values again (Set, Grow, Prepend,
// DropFront and Insert past them leave them alone: they write after the
// last value, or into new memory); a column lent out this way is read-only
// for good.
func (f *Floats) Prefix(n int) Floats {
	switch f.width {
	case widthTiny:
		return Floats{tiny: f.tiny[:n:n], width: widthTiny}
	case widthSmall:
		return Floats{small: f.small[:n:n], width: widthSmall}
	}
	return Floats{wide: f.wide[:n:n], width: widthWide}
}

// Clone returns a copy of the column in memory of its own.
func (f *Floats) Clone() Floats {
	return Floats{tiny: clone(f.tiny), small: clone(f.small), wide: clone(f.wide), width: f.width}
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
