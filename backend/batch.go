package backend

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/internal/promqlparse"
)

// Batcher is a Source that joins raw reads: callers that ask for the same
// (from, to] of selectors of one metric name within a short time (one
// evaluation phase: every SLO reads the same hours at the same instant) are
// answered by one query for all of them,
//
//	name{L=~"v1|v2|...", <matchers every one of them has>}
//
// over a label L that every selector of the query matches by equality, and
// each caller gets exactly the series its own matchers select, in the
// inner Source's order, with the same samples: the answer to its own
// selector. One Prometheus round trip per selector, whose JSON decoding and
// request overhead made a cycle of 10,000 SLOs take many seconds, becomes
// one per few hundred selectors.
//
// A selector without a metric name, or one that no other selector of its
// phase shares a label with, is read directly, as without the Batcher.
// Identical requests in flight at once share one answer (the callers must
// not modify the samples they get; nothing in slobudget does).
//
// Errors: a failed query fails every caller it was for, with its error.
type Batcher struct {
	inner Source
	o     BatchOptions

	mu     sync.Mutex
	parsed map[string]*parsedSelector
	open   map[phaseKey]*batch
	// sending counts, by phase, the batches being answered: a batch that
	// has lingered waits while maxSending of its phase are, gathering the
	// callers that arrive meanwhile (see send).
	sending map[phaseKey]int
	flights map[flightKey]*call
	// density is, by metric name, the samples one selector's answer held
	// per hour of range in the last query: what decides how many
	// selectors one query may ask for.
	density map[string]float64

	stats batchCounters
}

// BatchOptions configure a Batcher.
type BatchOptions struct {
	// Linger is how long the first caller of a phase waits for others
	// (default 10ms): long enough for concurrent evaluations to join, short
	// against a query's round trip.
	Linger time.Duration
	// MaxSelectors bounds the selectors of one query (default 1000).
	MaxSelectors int
	// MaxResponseBytes is the backend's cap on one answer (default
	// DefaultMaxResponseBytes); queries are sized to stay under a quarter
	// of it, from the answers seen so far.
	MaxResponseBytes int64
}

// BatchStats says how the Batcher answered.
type BatchStats struct {
	// Batched and Direct count the reads asked of the Batcher: answered
	// from a query shared with other selectors, or by the selector's own.
	Batched, Direct int64
	// Shared counts reads answered by an identical read in flight.
	Shared int64
	// Queries counts the joined queries sent to the inner Source.
	Queries int64
}

type batchCounters struct{ batched, direct, shared, queries atomic.Int64 }

// bytesPerSample is about what one raw sample costs in a Prometheus
// answer's JSON (`[1700000000.000,"123456"],`).
const bytesPerSample = 32

// NewBatcher wraps inner. The result also implements HourlySource and
// Query when inner does: Query passes through unchanged, HourlyIncreases
// is joined like Samples when inner runs range queries (the Prometheus
// client), and passes through otherwise.
func NewBatcher(inner Source, o BatchOptions) Source {
	if o.Linger <= 0 {
		o.Linger = 10 * time.Millisecond
	}
	if o.MaxSelectors <= 0 {
		o.MaxSelectors = 1000
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	b := &Batcher{inner: inner, o: o, parsed: map[string]*parsedSelector{}, open: map[phaseKey]*batch{}, sending: map[phaseKey]int{},
		flights: map[flightKey]*call{}, density: map[string]float64{}}
	hs, hourly := inner.(HourlySource)
	q, query := inner.(querier)
	switch {
	case hourly && query:
		return &batcherHourlyQuery{b, hs, q}
	case hourly:
		return &batcherHourly{b, hs}
	case query:
		return &batcherQuery{b, q}
	}
	return b
}

// querier is a backend that runs instant queries (engine/groups.go asks it
// for groups instead of reading samples).
type querier interface {
	Query(ctx context.Context, expr string, at time.Time) ([]Series, error)
}

type batcherHourly struct {
	*Batcher
	hs HourlySource
}

func (b *batcherHourly) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error) {
	return b.hourlyIncreases(ctx, b.hs, selector, first, last)
}

type batcherQuery struct {
	*Batcher
	q querier
}

func (b *batcherQuery) Query(ctx context.Context, expr string, at time.Time) ([]Series, error) {
	return b.q.Query(ctx, expr, at)
}

type batcherHourlyQuery struct {
	*Batcher
	hs HourlySource
	q  querier
}

func (b *batcherHourlyQuery) HourlyIncreases(ctx context.Context, selector string, first, last time.Time) (map[int64]Hour, error) {
	return b.hourlyIncreases(ctx, b.hs, selector, first, last)
}

func (b *batcherHourlyQuery) Query(ctx context.Context, expr string, at time.Time) ([]Series, error) {
	return b.q.Query(ctx, expr, at)
}

// BatcherOf returns the Batcher inside a Source made by NewBatcher.
func BatcherOf(src Source) (*Batcher, bool) {
	switch b := src.(type) {
	case *Batcher:
		return b, true
	case *batcherHourly:
		return b.Batcher, true
	case *batcherQuery:
		return b.Batcher, true
	case *batcherHourlyQuery:
		return b.Batcher, true
	}
	return nil, false
}

// Stats returns how the Batcher answered so far.
func (b *Batcher) Stats() BatchStats {
	return BatchStats{Batched: b.stats.batched.Load(), Direct: b.stats.direct.Load(),
		Shared: b.stats.shared.Load(), Queries: b.stats.queries.Load()}
}

// parsedSelector is a selector's matchers, parsed once.
type parsedSelector struct {
	name string // the metric name it matches by equality; "" for none
	ms   []*labels.Matcher
	// eq holds the value of each label other than the name that it
	// matches by equality.
	eq map[string]string
}

// phaseKey and flightKey name a read by its range: (from, to] of raw
// samples, or, hourly, the hours ending at from..to.
type phaseKey struct {
	name     string
	from, to int64
	hourly   bool
}

type flightKey struct {
	selector string
	from, to int64
	hourly   bool
}

// call is one selector's read, shared by identical requests.
type call struct {
	key   flightKey
	sel   *parsedSelector
	done  chan struct{}
	res   []Series
	hours map[int64]Hour
	err   error
}

// batch collects the calls of one phase until it is sent.
type batch struct {
	key   phaseKey
	calls []*call
	timer *time.Timer
	sent  bool
	// waiting is set when the linger passed while maxSending batches of
	// the phase were being answered.
	waiting bool
}

// Samples implements Source.
func (b *Batcher) Samples(ctx context.Context, selector string, from, to time.Time) ([]Series, error) {
	if !to.After(from) {
		return nil, nil
	}
	c, err := b.join(ctx, flightKey{selector, from.UnixMilli(), to.UnixMilli(), false})
	if c == nil && err == nil {
		// Nothing to join on: the selector's own query.
		return b.inner.Samples(ctx, selector, from, to)
	}
	if err != nil {
		return nil, err
	}
	return c.res, c.err
}

// hourlyIncreases joins HourlyIncreases like Samples when the inner Source
// runs range queries itself (the Prometheus client): the two range queries
// of hourly.go for many selectors at once, each caller's hours computed
// from its own series by the same rule.
func (b *Batcher) hourlyIncreases(ctx context.Context, hs HourlySource, selector string, first, last time.Time) (map[int64]Hour, error) {
	if _, ok := b.inner.(rangeQuerier); !ok || last.Before(first) {
		return hs.HourlyIncreases(ctx, selector, first, last)
	}
	c, err := b.join(ctx, flightKey{selector, first.UnixMilli(), last.UnixMilli(), true})
	if c == nil && err == nil {
		return hs.HourlyIncreases(ctx, selector, first, last)
	}
	if err != nil {
		return nil, err
	}
	return c.hours, c.err
}

// join adds the read to its phase's batch, or to an identical read in
// flight, and waits for its answer. It returns nil and no error when the
// selector cannot be joined (no metric name, no label matched by
// equality): the caller reads it directly.
func (b *Batcher) join(ctx context.Context, fk flightKey) (*call, error) {
	b.mu.Lock()
	if c := b.flights[fk]; c != nil {
		b.mu.Unlock()
		b.stats.shared.Add(1)
		return wait(ctx, c)
	}
	p, err := b.parseLocked(fk.selector)
	if err != nil || p.name == "" || len(p.eq) == 0 {
		b.mu.Unlock()
		b.stats.direct.Add(1)
		return nil, nil
	}
	c := &call{key: fk, sel: p, done: make(chan struct{})}
	b.flights[fk] = c
	pk := phaseKey{p.name, fk.from, fk.to, fk.hourly}
	bt := b.open[pk]
	if bt == nil {
		bt = &batch{key: pk}
		b.open[pk] = bt
		bt.timer = time.AfterFunc(b.o.Linger, func() { b.send(bt, false) })
	}
	bt.calls = append(bt.calls, c)
	full := len(bt.calls) >= b.o.MaxSelectors
	b.mu.Unlock()
	if full {
		bt.timer.Stop()
		b.send(bt, true)
	}
	return wait(ctx, c)
}

// wait returns the answered call, or the caller's context error first.
func wait(ctx context.Context, c *call) (*call, error) {
	select {
	case <-c.done:
		return c, nil
	case <-ctx.Done():
		return nil, &Error{Outcome: Timeout, Query: c.key.selector, When: "a joined read", Err: ctx.Err()}
	}
}

// parseLocked returns the selector's matchers; b.mu is held.
func (b *Batcher) parseLocked(selector string) (*parsedSelector, error) {
	if p, ok := b.parsed[selector]; ok {
		return p, nil
	}
	ms, err := promqlparse.Matchers(selector)
	if err != nil {
		return nil, err
	}
	p := &parsedSelector{ms: ms, eq: map[string]string{}}
	for _, m := range ms {
		if m.Type != labels.MatchEqual {
			continue
		}
		if m.Name == labels.MetricName {
			p.name = m.Value
		} else if m.Value != "" {
			// L="" selects series without L; joining on it would ask for
			// every series with any value, so it is not a join label.
			p.eq[m.Name] = m.Value
		}
	}
	b.parsed[selector] = p
	return p, nil
}

// maxSending is how many lingered batches of one phase are answered at
// once. Evaluations reach a phase over a while (each after its previous
// read), so a batch sent after the linger holds only the first of them;
// while maxSending are being answered, the next one keeps gathering
// callers and goes when one of them is done, so the batches grow with the
// backend's latency instead of the queries multiplying. A full batch goes
// at once.
const maxSending = 2

// send takes the batch out of the open ones (once) and answers its calls;
// unless full, it waits while maxSending batches of its phase are.
func (b *Batcher) send(bt *batch, full bool) {
	b.mu.Lock()
	if bt.sent {
		b.mu.Unlock()
		return
	}
	if !full && b.sending[bt.key] >= maxSending {
		bt.waiting = true
		b.mu.Unlock()
		return
	}
	bt.sent = true
	if b.open[bt.key] == bt {
		delete(b.open, bt.key)
	}
	b.sending[bt.key]++
	density := b.density[densityKey(bt.key)]
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		if b.sending[bt.key]--; b.sending[bt.key] == 0 {
			delete(b.sending, bt.key)
		}
		next := b.open[bt.key]
		if next == nil || !next.waiting {
			next = nil
		}
		b.mu.Unlock()
		if next != nil {
			go b.send(next, false)
		}
	}()
	// The query runs for the callers, not for any one of them: a caller
	// that gives up does not cancel it for the others. The inner Source's
	// own timeout bounds it.
	ctx := context.Background()
	from, to := time.UnixMilli(bt.key.from), time.UnixMilli(bt.key.to)
	span := to.Sub(from)
	if bt.key.hourly {
		span += time.Hour // hour ends from..to: one point more
	}
	var wg sync.WaitGroup
	for _, g := range b.plan(bt.calls, density, span) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.answer(ctx, bt.key, g, from, to)
		}()
	}
	wg.Wait()
}

// group is the calls one query answers: all matching label on by equality
// (on is empty for a lone call, read with its own selector).
type group struct {
	on    string
	calls []*call
}

// plan splits a phase's calls into queries: repeatedly, the label most of
// the remaining calls match by equality (ties: the one with more distinct
// values) joins those calls, in chunks small enough for the backend's
// answer cap; a call left alone is read with its own selector.
func (b *Batcher) plan(calls []*call, density float64, span time.Duration) []group {
	var out []group
	rest := calls
	for len(rest) > 1 {
		count := map[string]int{}
		values := map[string]map[string]bool{}
		for _, c := range rest {
			for l, v := range c.sel.eq {
				count[l]++
				if values[l] == nil {
					values[l] = map[string]bool{}
				}
				values[l][v] = true
			}
		}
		best := ""
		for l, n := range count {
			if best == "" || n > count[best] || (n == count[best] && (len(values[l]) > len(values[best]) || (len(values[l]) == len(values[best]) && l < best))) {
				best = l
			}
		}
		if count[best] < 2 {
			break
		}
		var on, off []*call
		for _, c := range rest {
			if _, ok := c.sel.eq[best]; ok {
				on = append(on, c)
			} else {
				off = append(off, c)
			}
		}
		// Calls of one value next to each other, so a chunk asks for each
		// value once.
		sort.SliceStable(on, func(i, j int) bool { return on[i].sel.eq[best] < on[j].sel.eq[best] })
		size := b.chunkSize(density, span)
		for len(on) > 0 {
			n := min(size, len(on))
			out = append(out, group{on: best, calls: on[:n]})
			on = on[n:]
		}
		rest = off
	}
	for _, c := range rest {
		out = append(out, group{calls: []*call{c}})
	}
	return out
}

// chunkSize is how many selectors one query may ask for: what keeps the
// answer under a quarter of the backend's cap at the density seen so far
// (one selector's samples per hour of range), at most MaxSelectors.
func (b *Batcher) chunkSize(density float64, span time.Duration) int {
	if density <= 0 {
		return b.o.MaxSelectors
	}
	perSelector := density * span.Hours() * bytesPerSample
	n := int(float64(b.o.MaxResponseBytes/4) / max(perSelector, 1))
	return max(1, min(n, b.o.MaxSelectors))
}

// answer runs one query and gives each of its calls its share.
func (b *Batcher) answer(ctx context.Context, key phaseKey, g group, from, to time.Time) {
	defer func() {
		b.mu.Lock()
		for _, c := range g.calls {
			delete(b.flights, c.key)
		}
		b.mu.Unlock()
		for _, c := range g.calls {
			close(c.done)
		}
	}()
	if g.on == "" || len(g.calls) == 1 {
		c := g.calls[0]
		b.stats.direct.Add(1)
		if key.hourly {
			c.hours, c.err = hourlyIncreases(ctx, b.inner.(rangeQuerier), c.key.selector, from, to)
		} else {
			c.res, c.err = b.inner.Samples(ctx, c.key.selector, from, to)
		}
		return
	}
	b.stats.queries.Add(1)
	b.stats.batched.Add(int64(len(g.calls)))
	if key.hourly {
		b.answerHourly(ctx, key, g, from, to)
		return
	}
	series, err := b.inner.Samples(ctx, joinedSelector(key.name, g), from, to)
	if err != nil {
		for _, c := range g.calls {
			c.err = err
		}
		return
	}
	// Each series goes to the calls of its value of g.on whose matchers
	// select it: an index, so splitting costs the series times the calls
	// per value, not times all calls.
	shares := split(g, series, false)
	for i, c := range g.calls {
		c.res = shares[i]
	}
	b.noteDensity(key, g, series, to.Sub(from))
}

// answerHourly runs hourly.go's two range queries for the group's joined
// selector and computes each call's hours from its own series.
func (b *Batcher) answerHourly(ctx context.Context, key phaseKey, g group, first, last time.Time) {
	diffs, resets, err := hourlyQueries(ctx, b.inner.(rangeQuerier), joinedSelector(key.name, g), first, last)
	if err != nil {
		for _, c := range g.calls {
			c.err = err
		}
		return
	}
	// PromQL drops the metric name from both queries' series; every
	// series is of the group's name, so the name matcher is left out.
	ds, rs := split(g, diffs, true), split(g, resets, true)
	for i, c := range g.calls {
		c.hours = hoursFrom(ds[i], rs[i], first, last)
	}
	b.noteDensity(key, g, diffs, last.Sub(first)+time.Hour)
}

// split gives each call of the group the series its matchers select, in
// the answer's order. Each series goes only to the calls of its value of
// the join label (an index), so splitting costs the series times the calls
// per value, not times all calls. noName leaves the metric name matcher
// out (series without a name).
func split(g group, series []Series, noName bool) [][]Series {
	byValue := map[string][]int{}
	for i, c := range g.calls {
		v := c.sel.eq[g.on]
		byValue[v] = append(byValue[v], i)
	}
	out := make([][]Series, len(g.calls))
	for _, s := range series {
		for _, i := range byValue[s.Labels.Get(g.on)] {
			if matchesAll(g.calls[i].sel.ms, s.Labels, noName) {
				out[i] = append(out[i], s)
			}
		}
	}
	return out
}

// noteDensity keeps the points per selector per hour of range that the
// answer held, for sizing the next queries of the metric.
func (b *Batcher) noteDensity(key phaseKey, g group, series []Series, span time.Duration) {
	if span <= 0 {
		return
	}
	points := 0
	for _, s := range series {
		points += len(s.Floats) + len(s.Histograms)
	}
	b.mu.Lock()
	b.density[densityKey(key)] = float64(points) / float64(len(g.calls)) / span.Hours()
	b.mu.Unlock()
}

func densityKey(k phaseKey) string {
	if k.hourly {
		return k.name + " hourly"
	}
	return k.name
}

func matchesAll(ms []*labels.Matcher, ls labels.Labels, noName bool) bool {
	for _, m := range ms {
		if noName && m.Name == labels.MetricName {
			continue
		}
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

// joinedSelector is the query for a group: the metric name, the join
// label's values as an alternation of literals, and every other matcher
// that all of the group's selectors have. Each caller's own matchers are
// applied to the answer, so the query need only select a superset.
func joinedSelector(name string, g group) string {
	var vals []string
	seen := map[string]bool{}
	for _, c := range g.calls {
		if v := c.sel.eq[g.on]; !seen[v] {
			seen[v] = true
			vals = append(vals, regexp.QuoteMeta(v))
		}
	}
	common := map[string]int{}
	for _, c := range g.calls {
		for _, m := range c.sel.ms {
			if m.Name == labels.MetricName || m.Name == g.on {
				continue
			}
			common[matcherText(m)]++
		}
	}
	var extra []string
	for m, n := range common {
		if n == len(g.calls) {
			extra = append(extra, m)
		}
	}
	sort.Strings(extra)
	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteString("{")
	sb.WriteString(g.on)
	sb.WriteString("=~")
	sb.WriteString(strconv.Quote(strings.Join(vals, "|")))
	for _, m := range extra {
		sb.WriteString(",")
		sb.WriteString(m)
	}
	sb.WriteString("}")
	return sb.String()
}

// matcherText prints a matcher as PromQL (labels.Matcher's String quotes
// the value the same way).
func matcherText(m *labels.Matcher) string {
	return fmt.Sprintf("%s%s%s", m.Name, m.Type, strconv.Quote(m.Value))
}
