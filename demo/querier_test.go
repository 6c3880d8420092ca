package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// TestQuerierReturnsRawSamples checks that what the daemon reads through the
// PromQL engine is exactly what was appended: for every series, over ranges
// in the history block, in the live head, and across both, the Querier's
// samples equal both a direct read of the TSDB (no PromQL) and the
// generator's record.
func TestQuerierReturnsRawSamples(t *testing.T) {
	start := time.Date(2026, 3, 15, 14, 20, 7, 0, time.UTC)
	d := openTestDemo(t, start)
	ctx := context.Background()
	for k := 1; k <= 12; k++ {
		if err := d.Tick(ctx, start.Add(time.Duration(k)*15*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	end := start.Add(3 * time.Minute)
	rec := d.Record()
	if len(rec.Samples) != len(d.gen.all) {
		t.Fatalf("recorded %d series, generated %d", len(rec.Samples), len(d.gen.all))
	}
	ranges := []struct {
		name string
		at   time.Time
		span time.Duration
	}{
		{"history only", start.Add(-10 * day), 25 * time.Hour},
		{"live head only", end, 2*time.Minute + 30*time.Second},
		{"across block and head", end, 2 * time.Hour},
		{"whole month", end, historySpan + time.Hour},
	}
	checked := 0
	for _, s := range d.gen.all {
		key := s.labels.String()
		for _, r := range ranges {
			lo, hi := r.at.Add(-r.span).UnixMilli(), r.at.UnixMilli()
			var want []Sample
			for _, smp := range rec.Samples[key] {
				if smp.T > lo && smp.T <= hi {
					want = append(want, smp)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s %s: the generator wrote nothing in the range; the test is mis-built", key, r.name)
			}
			direct := readTSDB(t, d, s.labels, lo+1, hi)
			if diff := diffSamples(direct, want); diff != "" {
				t.Errorf("%s %s: direct TSDB read differs from what was appended: %s", key, r.name, diff)
			}
			query := selectorOf(s.labels)
			m, err := d.Querier.Samples(ctx, query, r.at.Add(-r.span), r.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != 1 {
				t.Fatalf("%s: %d series, want 1", query, len(m))
			}
			got := make([]Sample, len(m[0].Floats))
			for i, v := range m[0].Floats {
				got[i] = Sample{T: v.T, V: v.V}
			}
			if diff := diffSamples(got, want); diff != "" {
				t.Errorf("%s at %s: %s", query, r.at.Format(time.RFC3339), diff)
			}
			checked += len(got)
		}
	}
	t.Logf("%d samples compared", checked)
}

// readTSDB reads a series' samples in [mint, maxt] straight from the TSDB.
func readTSDB(t *testing.T, d *Demo, ls labels.Labels, mint, maxt int64) []Sample {
	t.Helper()
	q, err := d.DB.Querier(mint, maxt)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	var ms []*labels.Matcher
	ls.Range(func(l labels.Label) { ms = append(ms, labels.MustNewMatcher(labels.MatchEqual, l.Name, l.Value)) })
	set := q.Select(context.Background(), false, nil, ms...)
	var out []Sample
	n := 0
	for set.Next() {
		n++
		it := set.At().Iterator(nil)
		for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
			if vt != chunkenc.ValFloat {
				t.Fatalf("%s: non-float sample", ls)
			}
			ts, v := it.At()
			if ts >= mint && ts <= maxt {
				out = append(out, Sample{T: ts, V: v})
			}
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%s: %d series in the TSDB, want 1", ls, n)
	}
	return out
}

func selectorOf(ls labels.Labels) string {
	var parts []string
	ls.Range(func(l labels.Label) {
		if l.Name != labels.MetricName {
			parts = append(parts, fmt.Sprintf("%s=%q", l.Name, l.Value))
		}
	})
	return ls.Get(labels.MetricName) + "{" + strings.Join(parts, ",") + "}"
}

// diffSamples describes the first difference, or returns "".
func diffSamples(got, want []Sample) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("sample %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d samples, want %d", len(got), len(want))
	}
	return ""
}
