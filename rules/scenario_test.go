package rules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/slobudget/slobudget/slo"
)

// A scenario is traffic with a known story (a fast burn, a quiet night...)
// fed to promtool as input series. What the rules must produce is computed
// here, independently of PromQL: per-series reset-corrected differences of
// the same samples, put through the daemon's own math (slo.Evaluate).
type scenario struct {
	name    string
	story   string
	minutes int
	// traffic returns the requests and the bad ones in minute m on instance i.
	traffic func(m, i int) (requests, bad float64)
	// restarts are minutes at which an instance's counters reset to zero.
	restarts map[int]int
	// checks are the evaluation minutes asserted.
	checks []int
	// mustFire / mustNotFire are what the story is about: at the minute key,
	// an alert "<name>/<severity>" must (not) be firing in the truth, or the
	// scenario does not test what it claims.
	mustFire    map[int][]string
	mustNotFire map[int][]string
}

const instances = 2

// scenarioSLO is the SLO every scenario is judged by.
func scenarioSLO() slo.SLO {
	return slo.SLO{
		Name: "api-availability", Service: "api", Objective: 99.9,
		Window: slo.Window{Text: "30d", Duration: 30 * day}, Policy: "default",
		Labels: map[string]string{"team": "core"},
		SLI: slo.SLI{Events: &slo.EventsSLI{
			Errors: `http_requests_total{service="api",code=~"5.."}`,
			Total:  `http_requests_total{service="api"}`,
		}},
	}
}

// series are the cumulative counters, one sample per minute from minute 0.
type series struct {
	labels string
	values []float64
}

func (sc scenario) series() (ok, bad []series) {
	for i := 0; i < instances; i++ {
		okv := make([]float64, sc.minutes+1)
		badv := make([]float64, sc.minutes+1)
		// Counters start above zero, as a long-running process's do.
		okv[0], badv[0] = 1000*float64(i+1), 3*float64(i+1)
		for m := 1; m <= sc.minutes; m++ {
			req, b := sc.traffic(m, i)
			prevOK, prevBad := okv[m-1], badv[m-1]
			if r, ok := sc.restarts[m]; ok && r == i {
				prevOK, prevBad = 0, 0
			}
			okv[m] = prevOK + req - b
			badv[m] = prevBad + b
		}
		ok = append(ok, series{fmt.Sprintf(`http_requests_total{service="api",code="200",instance="i%d"}`, i), okv})
		bad = append(bad, series{fmt.Sprintf(`http_requests_total{service="api",code="500",instance="i%d"}`, i), badv})
	}
	return ok, bad
}

// increase is the daemon's count: the sum of differences between
// consecutive samples in (from, to], a drop counting as a reset to zero.
func increase(v []float64, from, to int) float64 {
	from = max(from, 0)
	sum := 0.0
	for i := from + 1; i <= to && i < len(v); i++ {
		if d := v[i] - v[i-1]; d >= 0 {
			sum += d
		} else {
			sum += v[i]
		}
	}
	return sum
}

// truth evaluates the SLO at evaluation minute t the way the daemon would,
// over the samples the rules can see: those at or before t − Delay.
func truth(sc scenario, s *slo.SLO, t int, delay time.Duration) (slo.Result, map[time.Duration]slo.Counts) {
	ok, bad := sc.series()
	end := t - int(delay/time.Minute)
	counts := func(w time.Duration) slo.Counts {
		from := end - int(w/time.Minute)
		var c slo.Counts
		for i := range ok {
			b := increase(bad[i].values, from, end)
			g := increase(ok[i].values, from, end)
			c.Good += g
			c.Total += g + b
		}
		return c
	}
	in := slo.Input{At: time.Unix(int64(t*60), 0).UTC(), Window: counts(s.Window.Duration), Burn: map[time.Duration]slo.Counts{}}
	all := map[time.Duration]slo.Counts{s.Window.Duration: in.Window}
	for _, w := range slo.BurnWindows {
		in.Burn[w] = counts(w)
		all[w] = in.Burn[w]
	}
	p := slo.DefaultPolicy()
	r, err := slo.Evaluate(s, &p, in)
	if err != nil {
		panic(fmt.Sprintf("scenario %s minute %d: %v", sc.name, t, err))
	}
	return r, all
}

// firing replays every evaluation up to minute t and returns the alerts that
// fire at t with their `for:` met, keyed by "<alert>/<severity>/<long>".
func firing(sc scenario, s *slo.SLO, t int, opts Options) map[string]bool {
	return replay(s, t, opts, func(m int) (slo.Result, map[time.Duration]slo.Counts, bool) {
		r, c := truth(sc, s, m, opts.Delay)
		return r, c, false // the counter scenarios never lose their series
	})
}

// replay runs eval at every minute up to t and keeps each alert's `for:`
// clock, as Prometheus does when it evaluates the alerting rules each minute.
// eval also says whether the SLI's raw series is absent at m.
func replay(s *slo.SLO, t int, opts Options, eval func(m int) (slo.Result, map[time.Duration]slo.Counts, bool)) map[string]bool {
	guard := opts.MinBadEvents > 1 && s.SLI.TimeSlice == nil
	active := map[string]int{} // key -> minute the condition started holding
	var out map[string]bool
	for m := 0; m <= t; m++ {
		r, counts, missing := eval(m)
		holds := map[string]time.Duration{}
		if missing {
			holds[alertDataMissing+"/ticket/"] = defaultForDataMissing
		}
		for _, p := range slo.AlertPairs(s.Window.Duration) {
			long, okL := r.BurnRates[slo.WindowLabel(p.Long)]
			short, okS := r.BurnRates[slo.WindowLabel(p.Short)]
			badLong := counts[p.Long].Bad()
			if okL && okS && long > p.Factor && short > p.Factor && (!guard || badLong >= opts.MinBadEvents) {
				holds[alertBurn+"/"+p.Severity+"/"+slo.WindowLabel(p.Long)] = defaultFor[slo.WindowLabel(p.Long)+"/"+slo.WindowLabel(p.Short)]
			}
		}
		if r.FeatureFreeze {
			holds[alertFreeze+"/ticket/"] = defaultForFreeze
		}
		out = map[string]bool{}
		for k, forDur := range holds {
			if _, ok := active[k]; !ok {
				active[k] = m
			}
			out[k] = time.Duration(m-active[k])*time.Minute >= forDur
		}
		for k := range active {
			if _, ok := holds[k]; !ok {
				delete(active, k)
			}
		}
	}
	for k, f := range out {
		if !f {
			delete(out, k)
		}
	}
	return out
}

func scenarios() []scenario {
	steady := func(perMin, badRatio float64) func(m, i int) (float64, float64) {
		return func(m, i int) (float64, float64) {
			req := perMin / instances
			return req, math.Round(req * badRatio)
		}
	}
	return []scenario{
		{
			name:    "fast_burn",
			story:   "2h of clean traffic, then half of all requests fail: the 1h/5m page fires within minutes",
			minutes: 150,
			traffic: func(m, i int) (float64, float64) {
				if m > 120 {
					return 300, 150
				}
				return 300, 0
			},
			checks:      []int{120, 123, 126, 130, 150},
			mustNotFire: map[int][]string{123: {alertBurn + "/page/1h"}},
			mustFire:    map[int][]string{126: {alertBurn + "/page/1h"}},
		},
		{
			name:    "slow_burn",
			story:   "0.4% errors (burn rate 4) from the start: tickets, never a page",
			minutes: 260,
			traffic: steady(600, 0.004),
			checks:  []int{30, 61, 120, 185, 250},
			mustFire: map[int][]string{
				120: {alertBurn + "/ticket/1d"},
				250: {alertBurn + "/ticket/1d", alertBurn + "/ticket/3d"},
			},
			mustNotFire: map[int][]string{250: {alertBurn + "/page/1h", alertBurn + "/page/6h"}},
		},
		{
			name:    "overspent",
			story:   "an hour at 5% errors, then clean traffic with an instance restart: the burn alerts resolve, the overspent budget keeps SLOFeatureFreeze firing",
			minutes: 300,
			traffic: func(m, i int) (float64, float64) {
				if m <= 60 {
					return 300, 15
				}
				return 300, 0
			},
			restarts:    map[int]int{200: 1},
			checks:      []int{30, 90, 201, 202, 300},
			mustFire:    map[int][]string{300: {alertFreeze + "/ticket/"}},
			mustNotFire: map[int][]string{300: {alertBurn + "/page/1h"}},
		},
		{
			name:    "healthy",
			story:   "random errors around 0.05% (burn rate 0.5) and an instance restart: nothing fires",
			minutes: 360,
			traffic: func() func(m, i int) (float64, float64) {
				rng := rand.New(rand.NewPCG(1, 2))
				table := map[[2]int][2]float64{}
				return func(m, i int) (float64, float64) {
					k := [2]int{m, i}
					if v, ok := table[k]; ok {
						return v[0], v[1]
					}
					req := float64(250 + rng.IntN(100))
					bad := 0.0
					if rng.Float64() < 0.15 {
						bad = 1
					}
					table[k] = [2]float64{req, bad}
					return req, bad
				}
			}(),
			restarts:    map[int]int{100: 0, 250: 1},
			checks:      []int{60, 101, 102, 180, 360},
			mustNotFire: map[int][]string{360: {alertBurn + "/page/1h", alertBurn + "/ticket/1d", alertFreeze + "/ticket/"}},
		},
		{
			name:    "night_noise",
			story:   "8h of daytime traffic, then 3 requests a minute with three stray errors within an hour: no page (the minimum-traffic guard)",
			minutes: 600,
			traffic: func(m, i int) (float64, float64) {
				if m <= 480 {
					return 300, 0
				}
				if i == 0 {
					return 2, 0
				}
				switch m {
				case 560, 575, 590:
					return 1, 1
				}
				return 1, 0
			},
			checks:      []int{480, 560, 592, 594, 600},
			mustNotFire: map[int][]string{594: {alertBurn + "/page/1h"}, 600: {alertBurn + "/page/1h"}},
		},
	}
}

// sortedKeys is for stable output.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func splitKey(k string) (alert, severity, long string) {
	parts := strings.SplitN(k, "/", 3)
	return parts[0], parts[1], parts[2]
}
