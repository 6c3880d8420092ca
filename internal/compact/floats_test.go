package compact

import (
	"math"
	"testing"
)

// Every value comes back exactly, whether or not it fits in 32 bits, and
// the first one that does not fit widens the column without changing the
// others.
func TestFloatsKeepEveryValueExactly(t *testing.T) {
	values := []float64{0, 1, 41, 1<<32 - 1, 7, 1 << 32, 0.5, -1, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e300, 3}
	var f Floats
	f.Grow(len(values), 0)
	for i, v := range values {
		f.Set(i, v)
		for j := 0; j <= i; j++ {
			got := f.At(j)
			if math.Float64bits(got) != math.Float64bits(values[j]) {
				t.Fatalf("after setting %d: value %d is %v (bits %x), want %v", i, j, got, math.Float64bits(got), values[j])
			}
		}
		if wide := i >= 5; f.Wide() != wide {
			t.Fatalf("after setting %v: wide %v, want %v", v, f.Wide(), wide)
		}
	}
	var n Floats
	n.Grow(1, 0)
	n.Set(0, math.NaN())
	if !math.IsNaN(n.At(0)) {
		t.Fatalf("NaN came back as %v", n.At(0))
	}
}

// Whole counts take 4 bytes a value; a month of hours grown once when its
// length is known is allocated once.
func TestFloatsWholeCountsTakeFourBytes(t *testing.T) {
	var f Floats
	allocs := testing.AllocsPerRun(1, func() {
		f = Floats{}
		f.Grow(1, 719)
		for i := 1; i < 720; i++ {
			f.Grow(1, 0)
			f.Set(i, float64(i*1000))
		}
	})
	if allocs != 1 {
		t.Fatalf("filling 720 hours allocated %v times, want 1", allocs)
	}
	if f.Bytes() != 4*720 || f.Len() != 720 || f.At(719) != 719000 {
		t.Fatalf("720 whole hours: %d bytes, len %d, last %v", f.Bytes(), f.Len(), f.At(719))
	}
	f.Set(3, 2.5)
	if f.Bytes() != 8*720 || f.At(3) != 2.5 || f.At(719) != 719000 {
		t.Fatalf("after a fraction: %d bytes, %v, %v", f.Bytes(), f.At(3), f.At(719))
	}
}

func TestFloatsPrependAndDropFront(t *testing.T) {
	for _, wide := range []bool{false, true} {
		var f Floats
		f.Grow(3, 0)
		f.Set(0, 1)
		f.Set(1, 2)
		f.Set(2, 3)
		if wide {
			f.Set(2, 3.5)
		}
		f.Prepend(2)
		f.DropFront(1)
		want := []float64{0, 1, 2, 3}
		if wide {
			want[3] = 3.5
		}
		if f.Len() != len(want) {
			t.Fatalf("wide %v: len %d, want %d", wide, f.Len(), len(want))
		}
		for i, w := range want {
			if f.At(i) != w {
				t.Fatalf("wide %v: value %d is %v, want %v", wide, i, f.At(i), w)
			}
		}
		f.DropFront(4)
		if f.Len() != 0 {
			t.Fatalf("wide %v: len %d after dropping everything", wide, f.Len())
		}
	}
}

func TestFloatsInsert(t *testing.T) {
	var f Floats
	for _, step := range []struct {
		at int
		v  float64
	}{{0, 5}, {0, 1}, {2, 9}, {1, 3}, {2, 0.25}, {5, 11}} {
		f.Insert(step.at, step.v)
	}
	want := []float64{1, 3, 0.25, 5, 9, 11}
	if f.Len() != len(want) {
		t.Fatalf("len %d, want %d", f.Len(), len(want))
	}
	for i, w := range want {
		if f.At(i) != w {
			t.Fatalf("value %d is %v, want %v", i, f.At(i), w)
		}
	}
}
