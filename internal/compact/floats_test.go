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

// Whole counts below 2¹⁶ take 2 bytes a value, below 2³² 4 bytes; a month
// of hours grown once when its length is known is allocated once.
func TestFloatsWholeCountsTakeTwoOrFourBytes(t *testing.T) {
	var f Floats
	allocs := testing.AllocsPerRun(1, func() {
		f = Floats{}
		f.Grow(1, 719)
		for i := 1; i < 720; i++ {
			f.Grow(1, 0)
			f.Set(i, float64(i*91)) // up to 65,429
		}
	})
	if allocs != 1 {
		t.Fatalf("filling 720 hours allocated %v times, want 1", allocs)
	}
	if f.Bytes() != 2*720 || f.Len() != 720 || f.At(719) != 719*91 {
		t.Fatalf("720 hours below 2^16: %d bytes, len %d, last %v", f.Bytes(), f.Len(), f.At(719))
	}
	f.Set(5, 1<<16)
	if f.Bytes() != 4*720 || f.At(5) != 1<<16 || f.At(719) != 719*91 || f.At(4) != 4*91 {
		t.Fatalf("after 65,536: %d bytes, %v, %v, %v", f.Bytes(), f.At(5), f.At(719), f.At(4))
	}
	f.Set(3, 2.5)
	if f.Bytes() != 8*720 || f.At(3) != 2.5 || f.At(719) != 719*91 || f.At(5) != 1<<16 {
		t.Fatalf("after a fraction: %d bytes, %v, %v", f.Bytes(), f.At(3), f.At(719))
	}
	// A tiny column straight to float64 keeps its values too.
	var g Floats
	g.Grow(3, 0)
	g.Set(0, 65535)
	g.Set(1, 1<<40)
	if !g.Wide() || g.At(0) != 65535 || g.At(1) != 1<<40 || g.At(2) != 0 {
		t.Fatalf("tiny to wide: %v %v %v (wide %v)", g.At(0), g.At(1), g.At(2), g.Wide())
	}
}

func TestFloatsPrependAndDropFront(t *testing.T) {
	// The third value puts the column at each width: 2, 4 and 8 bytes.
	for _, wide := range []float64{3, 70000, 3.5} {
		var f Floats
		f.Grow(3, 0)
		f.Set(0, 1)
		f.Set(1, 2)
		f.Set(2, wide)
		f.Prepend(2)
		f.DropFront(1)
		want := []float64{0, 1, 2, wide}
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
