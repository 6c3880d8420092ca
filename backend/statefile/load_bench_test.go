package statefile

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLoad reads a state file the size of 10,000 SLOs' (20,000
// selectors, 716 hours each: 14.3 M hours, as bench-10k.sh's warm restart, the last
// 168 with data).
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	d := onDisk{Version: formatVersion, Identity: "x", Selectors: map[string]*diskRecord{}}
	for s := range 20000 {
		n := 716
		r := &diskRecord{First: 0, States: make([]byte, n), Increase: make([]float64, n)}
		for i := range n {
			// Seven days of data in a 30-day window: the hours before
			// the data are clean and empty.
			if i < n-168 {
				r.States[i] = byte(cleanEmpty)
				continue
			}
			r.States[i] = byte(cleanSampled)
			r.Increase[i] = float64((s*7919 + i*104729) % 100000)
		}
		d.Selectors[fmt.Sprintf(`http_requests_total{slo="slo-%05d",code=~"5.."}`, s)] = r
	}
	path := filepath.Join(dir, fileName)
	if err := write(path, &d); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := load(path, "x"); err != nil {
			b.Fatal(err)
		}
	}
}
