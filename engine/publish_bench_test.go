package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slobudget/slobudget/backend/memory"
)

// BenchmarkFirstEvaluationManySLOs is the first evaluation of 10,000 SLOs
// against an empty store (no data: each SLO's own work is small), so what
// grows with the number of SLOs in EvaluateAt itself shows: looking up each
// SLO's results by a scan of all of them was quadratic.
func BenchmarkFirstEvaluationManySLOs(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("slos:\n")
	for i := range 10000 {
		fmt.Fprintf(&sb, "  - name: slo-%05d\n    service: s\n    objective: 99.9\n    window: 1d\n    sli:\n      events:\n        errors: bad_%d\n        total: total_%d\n", i, i, i)
	}
	cfg := loadConfig(b, sb.String())
	at := time.UnixMilli(1_700_006_400_000)
	for b.Loop() {
		e, err := New(cfg, Options{Source: memory.New(), Step: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		e.EvaluateAt(context.Background(), at)
	}
}
