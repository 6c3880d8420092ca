package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/counting"
	"github.com/slobudget/slobudget/slo"
)

// groupSet is what a grouped SLO keeps between evaluations: the groups its
// data held in the window, and one counter (with its page record) per group
// evaluated. Each group is counted exactly like an SLO without grouping,
// over the SLI narrowed to the group (slo.SLI.Narrow).
//
// Groups are discovered from the data: each evaluation lists the value
// combinations of the grouping labels among the series of the SLI's total
// selector with samples since the last evaluation (the whole window at the
// first), so a new value appears at the next evaluation after its first
// sample, and one without samples for a whole window is forgotten.
type groupSet struct {
	labels []string
	max    int
	// newCounter builds the counter of a new group.
	newCounter func(slo.SLI) (counting.Evaluator, error)
	// seen holds, by Group.String(), each group and the last evaluation
	// instant (ms) whose discovery found it.
	seen map[string]seenGroup
	// listedTo is the instant (ms) discovery has listed up to.
	listedTo int64
	members  map[string]*groupMember
	// pagesKey is the resultKey the members' page records were kept for:
	// the page condition depends on the objective, so a reload that
	// changes it starts the records afresh.
	pagesKey string
}

type seenGroup struct {
	group slo.Group
	last  int64
}

type groupMember struct {
	counter counting.Evaluator
	pages   *pageLedger
	// incidents and found are the group's 5m counts and the incidents
	// found in them (engine/incidents.go).
	incidents *incidentLedger
	found     *incidentCache
	// cuts are the split counts of the hours local midnight cuts (cuts.go).
	cuts *cutLedger
	// lastHistory is the group's window history of its last evaluation:
	// the next one shares its full hours when they are unchanged, as an
	// SLO without grouping does (sloState.lastHistory).
	lastHistory *slo.HourlyHistory
}

func newGroupSet(def *slo.SLO, newCounter func(slo.SLI) (counting.Evaluator, error)) *groupSet {
	return &groupSet{labels: def.Grouping, max: def.MaxGroups, newCounter: newCounter,
		seen: map[string]seenGroup{}, members: map[string]*groupMember{}}
}

// instanceOutcome is one instance's evaluation: its result, or why it has
// none this time.
type instanceOutcome struct {
	key   string
	group map[string]string // nil without grouping
	r     slo.Result
	err   error
}

// instantQuerier is a backend that runs PromQL instant queries (Prometheus,
// VictoriaMetrics): discovery then asks for the groups alone instead of
// reading raw samples.
type instantQuerier interface {
	Query(ctx context.Context, expr string, at time.Time) ([]backend.Series, error)
}

// discover brings the known groups up to at and forgets those not seen in
// the window ending there.
func (g *groupSet) discover(ctx context.Context, src backend.Source, selector string, at time.Time, window time.Duration) error {
	atMs := at.UnixMilli()
	from := max(atMs-window.Milliseconds(), g.listedTo)
	if from < atMs {
		found, err := listGroups(ctx, src, selector, g.labels, time.UnixMilli(from), at)
		if err != nil {
			return fmt.Errorf("listing the groups of %s: %w", selector, err)
		}
		for _, gr := range found {
			g.seen[gr.String()] = seenGroup{group: gr, last: atMs}
		}
		g.listedTo = atMs
	}
	for k, s := range g.seen {
		if s.last <= atMs-window.Milliseconds() {
			delete(g.seen, k)
		}
	}
	return nil
}

// listGroups returns the distinct groups among the series of selector with
// samples in (from, to]. A backend that runs queries is asked for
// `group by (labels) (last_over_time(selector[range]))`, which returns one
// series per group; any other reads the raw samples.
func listGroups(ctx context.Context, src backend.Source, selector string, labels []string, from, to time.Time) ([]slo.Group, error) {
	var series []backend.Series
	var err error
	if q, ok := src.(instantQuerier); ok {
		expr := fmt.Sprintf("group by (%s) (last_over_time(%s[%s]))", strings.Join(labels, ", "), selector, model.Duration(to.Sub(from)))
		series, err = q.Query(ctx, expr, to)
	} else {
		series, err = src.Samples(ctx, selector, from, to)
	}
	if err != nil {
		return nil, err
	}
	byKey := map[string]slo.Group{}
	for _, s := range series {
		gr := slo.Group{Labels: labels, Values: make([]string, len(labels))}
		for i, l := range labels {
			gr.Values[i] = s.Labels.Get(l)
		}
		byKey[gr.String()] = gr
	}
	out := make([]slo.Group, 0, len(byKey))
	for _, gr := range byKey {
		out = append(out, gr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out, nil
}

// kept returns the groups to evaluate, in order: all known groups, or the
// first max by their label values. The rule is stable (the same data keeps
// the same groups on every replica and after every restart) and says in
// advance which groups a new one can push out: those after it.
func (g *groupSet) kept() (kept []slo.Group, found int) {
	all := g.sorted()
	if len(all) > g.max {
		return all[:g.max], len(all)
	}
	return all, len(all)
}

// sorted returns every known group ordered by label values.
func (g *groupSet) sorted() []slo.Group {
	all := make([]slo.Group, 0, len(g.seen))
	for _, s := range g.seen {
		all = append(all, s.group)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Less(all[j]) })
	return all
}

// evaluateGroups discovers the groups at at and evaluates each one kept.
// err is set when discovery failed: then nothing was evaluated.
func (s *sloState) evaluateGroups(ctx context.Context, src backend.Source, at time.Time) ([]instanceOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups
	if g.pagesKey != s.resultKey {
		for _, m := range g.members {
			m.pages = &pageLedger{}
		}
		g.pagesKey = s.resultKey
	}
	selector := s.def.SLI.GroupSelector()
	if err := g.discover(ctx, src, selector, at, s.def.Window.Duration); err != nil {
		return nil, err
	}
	kept, found := g.kept()
	count := &slo.GroupCount{Found: found, Evaluated: len(kept), Max: g.max}
	var notes []string
	if found > len(kept) {
		first := make([]string, 0, 3)
		for _, gr := range g.sorted()[len(kept):min(found, len(kept)+3)] {
			first = append(first, "{"+gr.String()+"}")
		}
		notes = append(notes, fmt.Sprintf("grouping by %s: the window holds %d groups, more than maxGroups %d; only the first %d by label values are evaluated, %d are left out (from %s)",
			strings.Join(g.labels, ", "), found, g.max, len(kept), found-len(kept), strings.Join(first, ", ")))
	}
	keep := map[string]bool{}
	for _, gr := range kept {
		keep[gr.String()] = true
	}
	for k := range g.members {
		if !keep[k] {
			delete(g.members, k) // aged out or left out: its counts go
		}
	}
	// Groups are independent (own counter, own page record): a few at a
	// time, so that a hundred groups' queries overlap instead of queueing.
	outcomes := make([]instanceOutcome, len(kept))
	sem := make(chan struct{}, groupConcurrency)
	var wg sync.WaitGroup
	for i, gr := range kept {
		m, err := g.member(gr, s.def.SLI)
		if err != nil {
			outcomes[i] = instanceOutcome{key: slo.InstanceKey(s.def.Name, gr.Map(), s.def.Grouping), group: gr.Map(), err: err}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			outcomes[i] = s.evaluateGroup(ctx, src, at, gr, m)
		}()
	}
	wg.Wait()
	var out []instanceOutcome
	for _, o := range outcomes {
		if o.err == nil {
			if o.r.DataMissing {
				// Listed, but no samples in the window any more: the
				// group has aged out between two discoveries.
				continue
			}
			o.r.Groups = count
			o.r.Notes = append(slices.Clone(notes), o.r.Notes...)
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		// No group had samples in the window: no data, as for an SLO
		// without grouping.
		r := noDataResult(s.def, s.policy, at, counting.Coverage{Selector: selector})
		r.Groups = count
		r.Notes = append(slices.Clone(notes), fmt.Sprintf("grouping by %s: no series of %s had samples in the window", strings.Join(g.labels, ", "), selector))
		out = append(out, instanceOutcome{key: s.def.Name, r: r})
	}
	return out, nil
}

// groupConcurrency bounds the groups of one SLO evaluated at once.
const groupConcurrency = 4

// member returns the group's counter and page record, made on first use.
func (g *groupSet) member(gr slo.Group, sli slo.SLI) (*groupMember, error) {
	if m := g.members[gr.String()]; m != nil {
		return m, nil
	}
	narrow, err := sli.Narrow(gr)
	if err != nil {
		return nil, err
	}
	c, err := g.newCounter(narrow)
	if err != nil {
		return nil, err
	}
	m := &groupMember{counter: c, pages: &pageLedger{}, incidents: &incidentLedger{}, cuts: &cutLedger{}, found: &incidentCache{}}
	g.members[gr.String()] = m
	return m, nil
}

// evaluateGroup evaluates one group with its own counter and page record,
// exactly as an SLO without grouping over the SLI narrowed to the group.
func (s *sloState) evaluateGroup(ctx context.Context, src backend.Source, at time.Time, gr slo.Group, m *groupMember) instanceOutcome {
	key := slo.InstanceKey(s.def.Name, gr.Map(), s.def.Grouping)
	sli, err := s.def.SLI.Narrow(gr)
	if err != nil {
		return instanceOutcome{key: key, group: gr.Map(), err: err}
	}
	def := *s.def
	def.SLI, def.Grouping = sli, nil
	one := &sloState{def: &def, policy: s.policy, resultKey: s.resultKey, counter: m.counter, mu: &sync.Mutex{}, pages: m.pages,
		incidents: m.incidents, cuts: m.cuts, found: m.found, lastHistory: m.lastHistory, step: s.step, oneShot: s.oneShot, exclusions: s.exclusions}
	r, err := one.evaluate(ctx, src, at)
	if err != nil {
		return instanceOutcome{key: key, group: gr.Map(), err: err}
	}
	m.lastHistory = one.lastHistory // only this goroutine evaluates m
	r.Group, r.Instance = gr.Map(), key
	return instanceOutcome{key: key, group: r.Group, r: r}
}

// takeBadSamples collects the bad samples every group's counter read.
func (g *groupSet) takeBadSamples() map[string]int {
	out := map[string]int{}
	for _, m := range g.members {
		for reason, n := range m.counter.TakeBadSamples() {
			out[reason] += n
		}
	}
	return out
}
