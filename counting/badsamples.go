package counting

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Reasons a counter sample is bad, the values of slobudget_bad_samples_total's
// reason label.
const (
	// ReasonNaN is a NaN value: a broken exporter, or a Prometheus staleness
	// marker as VictoriaMetrics returns them in raw reads (over the HTTP API a
	// staleness marker is indistinguishable from any other NaN).
	ReasonNaN = "nan"
	// ReasonInf is +Inf or -Inf.
	ReasonInf = "inf"
	// ReasonNegative is a negative value, which no counter can have.
	ReasonNegative = "negative"
)

// badReason returns why a counter value is bad, or "".
func badReason(v float64) string {
	switch {
	case math.IsNaN(v):
		return ReasonNaN
	case math.IsInf(v, 0):
		return ReasonInf
	case v < 0:
		return ReasonNegative
	}
	return ""
}

// badSampleLog records the bad counter samples a Counter read, for the
// self-metric (counts not yet taken) and the SLO's notes (the latest one).
type badSampleLog struct {
	mu      sync.Mutex
	seen    map[string]int // reason -> since start
	pending map[string]int // reason -> not yet taken by the metrics
	lastT   int64
	lastSel string
	lastSer labels.Labels
}

func (l *badSampleLog) record(selector string, series labels.Labels, t int64, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen, l.pending = map[string]int{}, map[string]int{}
	}
	l.seen[reason]++
	l.pending[reason]++
	if t >= l.lastT {
		l.lastT, l.lastSel, l.lastSer = t, selector, series
	}
}

// take returns the counts by reason recorded since the last take.
func (l *badSampleLog) take() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.pending
	l.pending = map[string]int{}
	return out
}

// note names the bad samples once, while the latest of them lies inside the
// window ending at at.
func (l *badSampleLog) note(at, window int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) == 0 || l.lastT <= at-window {
		return ""
	}
	reasons := make([]string, 0, len(l.seen))
	n := 0
	for r, c := range l.seen {
		reasons = append(reasons, fmt.Sprintf("%d %s", c, reasonWords[r]))
		n += c
	}
	sort.Strings(reasons)
	return fmt.Sprintf("%d bad counter sample(s) skipped (%s), the latest at %s in %s of %s: each ends its series' run and counts nothing; the next good sample is a new baseline",
		n, strings.Join(reasons, ", "), time.UnixMilli(l.lastT).UTC().Format(time.RFC3339), l.lastSer, l.lastSel)
}

var reasonWords = map[string]string{ReasonNaN: "NaN", ReasonInf: "infinite", ReasonNegative: "negative"}
