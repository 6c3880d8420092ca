package backend_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/backend/memory"
	"github.com/slobudget/slobudget/internal/promapi"
)

const batchBase = int64(1_700_000_000_000)

// batchStore holds two metrics over services, codes and instances, each
// series scraped every 15 s with its own offset, for two hours.
func batchStore(rng *rand.Rand) *memory.Store {
	store := memory.New()
	for _, name := range []string{"req_total", "other_total"} {
		for svc := 0; svc < 12; svc++ {
			for _, code := range []string{"200", "500", "503"} {
				for _, inst := range []string{"a", "b"} {
					if rng.Intn(5) == 0 {
						continue // not every combination exists
					}
					ls := labels.FromStrings("__name__", name, "svc", fmt.Sprint("s", svc), "code", code, "inst", inst)
					v := float64(rng.Intn(100))
					var ss []backend.Sample
					for t := batchBase + int64(rng.Intn(15_000)); t < batchBase+2*3600_000; t += 15_000 {
						v += float64(rng.Intn(10))
						ss = append(ss, backend.Sample{T: t, V: v})
					}
					store.Add(ls, ss...)
				}
			}
		}
	}
	return store
}

// randomSelector is one of the shapes SLOs use: a service's requests, its
// errors by regex or negative matchers, an instance, a code alone, a
// selector without a name, the bare name, a service with an empty label.
func randomSelector(rng *rand.Rand) string {
	svc := fmt.Sprint("s", rng.Intn(14)) // s12 and s13 match nothing
	name := []string{"req_total", "req_total", "req_total", "other_total"}[rng.Intn(4)]
	switch rng.Intn(9) {
	case 0:
		return fmt.Sprintf(`%s{svc=%q}`, name, svc)
	case 1:
		return fmt.Sprintf(`%s{svc=%q,code=~"5.."}`, name, svc)
	case 2:
		return fmt.Sprintf(`%s{code!="200",svc=%q}`, name, svc)
	case 3:
		return fmt.Sprintf(`%s{svc=%q,inst="a",code!~"2.."}`, name, svc)
	case 4:
		return fmt.Sprintf(`%s{code="500"}`, name)
	case 5:
		return fmt.Sprintf(`{__name__=~"req_total|other_total",svc=%q}`, svc)
	case 6:
		return name
	case 7:
		return fmt.Sprintf(`%s{svc=%q,missing=""}`, name, svc)
	}
	return fmt.Sprintf(`%s{svc=~%q}`, name, svc+"|s1")
}

func sameSeries(a, b []backend.Series) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// TestBatcherAnswersAsTheDirectPath: many concurrent reads of random
// selectors over a few shared ranges get, through the Batcher, exactly the
// series and samples a direct read of each selector gets, in the same
// order, and far fewer queries reach the store.
func TestBatcherAnswersAsTheDirectPath(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewSource(seed))
		store := batchStore(rng)
		b := backend.NewBatcher(store, backend.BatchOptions{Linger: 20 * time.Millisecond, MaxSelectors: 1 + rng.Intn(40)})
		ranges := [][2]int64{{batchBase, batchBase + 3600_000}, {batchBase + 1800_000, batchBase + 2*3600_000}, {batchBase + 3599_999, batchBase + 3600_000}}
		type read struct {
			sel      string
			from, to time.Time
		}
		reads := make([]read, 300)
		for i := range reads {
			r := ranges[rng.Intn(len(ranges))]
			reads[i] = read{randomSelector(rng), time.UnixMilli(r[0]), time.UnixMilli(r[1])}
		}
		q0, _ := store.Reads()
		got := make([][]backend.Series, len(reads))
		errs := make([]error, len(reads))
		var wg sync.WaitGroup
		for i, r := range reads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = b.Samples(context.Background(), r.sel, r.from, r.to)
			}()
		}
		wg.Wait()
		q1, _ := store.Reads()
		for i, r := range reads {
			want, err := store.Samples(context.Background(), r.sel, r.from, r.to)
			if err != nil || errs[i] != nil {
				t.Fatalf("seed %d: %s: errors %v, %v", seed, r.sel, err, errs[i])
			}
			if !sameSeries(got[i], want) {
				t.Fatalf("seed %d: %s (%d, %d]: batched %d series, direct %d: %v\nwant %v", seed, r.sel, r.from.UnixMilli(), r.to.UnixMilli(), len(got[i]), len(want), got[i], want)
			}
		}
		st, _ := backend.BatcherOf(b)
		stats := st.Stats()
		// Every query the store saw is a direct read or a joined one, and a
		// joined one answers several reads.
		if int64(q1-q0) != stats.Direct+stats.Queries || stats.Queries == 0 || 2*stats.Queries > stats.Batched ||
			stats.Batched+stats.Direct+stats.Shared != int64(len(reads)) {
			t.Errorf("seed %d: %d reads took %d queries (%+v)", seed, len(reads), q1-q0, stats)
		}
	}
}

// failingSource fails every query with a regex matcher on svc: the joined
// queries.
type failingSource struct{ backend.Source }

var errJoined = errors.New("refused")

func (f failingSource) Samples(ctx context.Context, sel string, from, to time.Time) ([]backend.Series, error) {
	if strings.Contains(sel, `svc=~`) {
		return nil, errJoined
	}
	return f.Source.Samples(ctx, sel, from, to)
}

// TestBatcherFailsEveryCallerOfAFailedQuery: the joined query's error
// reaches each of its callers; a selector read on its own is unaffected.
func TestBatcherFailsEveryCallerOfAFailedQuery(t *testing.T) {
	store := batchStore(rand.New(rand.NewSource(1)))
	b := backend.NewBatcher(failingSource{store}, backend.BatchOptions{Linger: 20 * time.Millisecond})
	from, to := time.UnixMilli(batchBase), time.UnixMilli(batchBase+3600_000)
	sels := []string{`req_total{svc="s1"}`, `req_total{svc="s2",code=~"5.."}`, `req_total{svc="s3"}`, `other_total{svc="s1"}`}
	errs := make([]error, len(sels))
	var wg sync.WaitGroup
	for i, sel := range sels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.Samples(context.Background(), sel, from, to)
		}()
	}
	wg.Wait()
	for i := 0; i < 3; i++ {
		if !errors.Is(errs[i], errJoined) {
			t.Errorf("%s: error %v, want the joined query's", sels[i], errs[i])
		}
	}
	if errs[3] != nil {
		t.Errorf("%s, read alone: %v", sels[3], errs[3])
	}
}

// hourlyQuerier is a Source that also computes hours and runs queries.
type hourlyQuerier struct{ backend.Source }

func (hourlyQuerier) HourlyIncreases(context.Context, string, time.Time, time.Time) (map[int64]backend.Hour, error) {
	return map[int64]backend.Hour{1: {Increase: 2}}, nil
}

func (hourlyQuerier) Query(context.Context, string, time.Time) ([]backend.Series, error) {
	return []backend.Series{{Labels: labels.FromStrings("a", "b")}}, nil
}

// TestBatcherKeepsTheInnerSourcesAbilities: HourlyIncreases and Query pass
// through when the inner Source has them, and are absent when it has not.
func TestBatcherKeepsTheInnerSourcesAbilities(t *testing.T) {
	b := backend.NewBatcher(hourlyQuerier{memory.New()}, backend.BatchOptions{})
	hs, ok := b.(backend.HourlySource)
	if !ok {
		t.Fatal("no HourlySource")
	}
	if h, _ := hs.HourlyIncreases(context.Background(), "x", time.Time{}, time.Time{}); h[1].Increase != 2 {
		t.Errorf("HourlyIncreases not passed through: %v", h)
	}
	if _, ok := b.(interface {
		Query(context.Context, string, time.Time) ([]backend.Series, error)
	}); !ok {
		t.Error("no Query")
	}
	plain := backend.NewBatcher(memory.New(), backend.BatchOptions{})
	if _, ok := plain.(backend.HourlySource); ok {
		t.Error("HourlySource over a Source without it")
	}
}

// TestBatcherJoinsHourlyIncreases: over a PromQL engine behind the real
// client (internal/promapi), joined HourlyIncreases give every selector the
// hours its own queries give, including hours left out for resets and
// gaps, with fewer queries.
func TestBatcherJoinsHourlyIncreases(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	store := memory.New()
	for svc := 0; svc < 8; svc++ {
		for _, code := range []string{"200", "500"} {
			ls := labels.FromStrings("__name__", "req_total", "svc", fmt.Sprint("s", svc), "code", code)
			v := 0.0
			var ss []backend.Sample
			for t := batchBase + int64(rng.Intn(15_000)); t < batchBase+8*3600_000; t += 15_000 {
				switch rng.Intn(400) {
				case 0:
					v = 0 // a reset
				case 1:
					t += 2 * 3600_000 / 3 // a gap
				}
				v += float64(rng.Intn(10))
				ss = append(ss, backend.Sample{T: t, V: v})
			}
			store.Add(ls, ss...)
		}
	}
	srv := httptest.NewServer(promapi.Handler(promapi.Queryable(store)))
	defer srv.Close()
	queries := 0
	var mu sync.Mutex
	p, err := backend.NewPrometheus(backend.Options{URL: srv.URL, Observe: func(backend.Outcome, time.Duration) {
		mu.Lock()
		queries++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	b := backend.NewBatcher(p, backend.BatchOptions{Linger: 50 * time.Millisecond})
	hs := b.(backend.HourlySource)
	first, last := time.UnixMilli(batchBase+2*3600_000), time.UnixMilli(batchBase+7*3600_000)
	var sels []string
	for svc := 0; svc < 9; svc++ {
		sels = append(sels, fmt.Sprintf(`req_total{svc="s%d"}`, svc), fmt.Sprintf(`req_total{svc="s%d",code=~"5.."}`, svc))
	}
	got := make([]map[int64]backend.Hour, len(sels))
	errs := make([]error, len(sels))
	var wg sync.WaitGroup
	for i, sel := range sels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = hs.HourlyIncreases(context.Background(), sel, first, last)
		}()
	}
	wg.Wait()
	joined := queries
	clean := 0
	for i, sel := range sels {
		want, err := p.HourlyIncreases(context.Background(), sel, first, last)
		if err != nil || errs[i] != nil {
			t.Fatalf("%s: %v, %v", sel, err, errs[i])
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("%s: joined %v, direct %v", sel, got[i], want)
		}
		clean += len(want)
	}
	if joined > 4 || clean == 0 || clean == len(sels)*6 {
		t.Errorf("%d selectors took %d joined queries; %d clean hours of %d", len(sels), joined, clean, len(sels)*6)
	}
}
