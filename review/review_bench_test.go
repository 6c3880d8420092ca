package review

import (
	"testing"
)

// BenchmarkCompute reviews one SLO over 100 days (hourly and 5m buckets).
func BenchmarkCompute(b *testing.B) {
	sc := newScenario(&testing.T{})
	in := sc.input("edge")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
}
