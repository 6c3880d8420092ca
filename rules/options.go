package rules

import (
	"fmt"
	"regexp"
	"time"
)

// Format selects the output document.
type Format string

const (
	// FormatPrometheus is a plain Prometheus rule file.
	FormatPrometheus Format = "prometheus"
	// FormatOperator wraps the same groups in a prometheus-operator
	// PrometheusRule object.
	FormatOperator Format = "prometheus-operator"
)

// Source selects what the alerts read.
type Source string

const (
	// SourceCounters computes every figure in recording rules from the raw
	// counters, for teams that do not run the daemon.
	SourceCounters Source = "counters"
	// SourceDaemon writes only alerts, over the metrics of a running
	// `slobudget serve` (daemon.go).
	SourceDaemon Source = "daemon"
)

// Engine is the rule evaluator the rules are shaped for.
type Engine string

const (
	// EnginePrometheus: a rule sees the samples the rules before it in its
	// group wrote at the same instant, so figures derive from recorded
	// window counts (few selectors per evaluation).
	EnginePrometheus Engine = "prometheus"
	// EngineVMAlert: vmalert writes recorded series by remote write, so a
	// rule only sees earlier evaluations' samples. No rule reads a series
	// written in the same evaluation; every figure comes from the running
	// sums with both window ends read one interval back (vmalert.go).
	EngineVMAlert Engine = "vmalert"
)

// Defaults, chosen and measured in README.md.
const (
	DefaultInterval     = time.Minute
	DefaultDelay        = time.Minute
	DefaultContinuity   = time.Hour
	DefaultMinBadEvents = 10
	DefaultOperatorName = "slobudget"
)

// Options tune the generated rules. The zero value gives the defaults.
type Options struct {
	Format Format
	// Source is what the alerts read; empty means SourceCounters.
	Source Source
	// Engine shapes the rules for Prometheus (default) or vmalert.
	Engine Engine
	// Interval is every group's evaluation interval. Every window (5m up to
	// the SLO window) must be a whole number of intervals, because the window
	// counts are differences of running sums sampled on the evaluation grid.
	Interval time.Duration
	// Delay is how far behind the evaluation instant the raw counters are
	// read. A scrape's samples carry the scrape's start time but are committed
	// up to a scrape timeout later; reading them before they are committed
	// would lose those events for good. Counts and alerts lag by Delay.
	Delay time.Duration
	// Continuity is how long a gap in the running sums (Prometheus down, rules
	// reloaded) is bridged; longer gaps restart the running sums.
	Continuity time.Duration
	// MinBadEvents is the minimum-traffic guard: a burn-rate alert needs at
	// least this many bad events in its long window, so a few stray errors in
	// a quiet night cannot page. 1 disables the guard (a burn above the factor
	// needs a bad event anyway); 0 means DefaultMinBadEvents.
	MinBadEvents float64
	// Operator names the PrometheusRule object (FormatOperator only).
	Operator OperatorOptions
	// Sources are named in the generated file's header, e.g. config paths.
	Sources []string
}

// OperatorOptions are the PrometheusRule object's metadata.
type OperatorOptions struct {
	Name      string // default "slobudget"
	Namespace string // omitted when empty: kubectl applies it to the current namespace
	Labels    map[string]string
}

var dnsName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

func (o Options) withDefaults() (Options, error) {
	if o.Format == "" {
		o.Format = FormatPrometheus
	}
	if o.Source == "" {
		o.Source = SourceCounters
	}
	if o.Engine == "" {
		o.Engine = EnginePrometheus
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Delay == 0 {
		o.Delay = DefaultDelay
	}
	if o.Continuity == 0 {
		o.Continuity = DefaultContinuity
	}
	if o.MinBadEvents == 0 {
		o.MinBadEvents = DefaultMinBadEvents
	}
	if o.Operator.Name == "" {
		o.Operator.Name = DefaultOperatorName
	}
	switch {
	case o.Format != FormatPrometheus && o.Format != FormatOperator:
		return o, fmt.Errorf("unknown rule format %q: want %q or %q", o.Format, FormatPrometheus, FormatOperator)
	case o.Source != SourceCounters && o.Source != SourceDaemon:
		return o, fmt.Errorf("unknown rule source %q: want %q or %q", o.Source, SourceCounters, SourceDaemon)
	case o.Engine != EnginePrometheus && o.Engine != EngineVMAlert:
		return o, fmt.Errorf("unknown rule engine %q: want %q or %q", o.Engine, EnginePrometheus, EngineVMAlert)
	case o.Interval < time.Second || o.Interval%time.Second != 0:
		return o, fmt.Errorf("evaluation interval %s: want whole seconds, at least 1s", o.Interval)
	case (5*time.Minute)%o.Interval != 0:
		return o, fmt.Errorf("evaluation interval %s does not divide the 5m burn window", o.Interval)
	case o.Delay < 0 || o.Delay%time.Second != 0:
		return o, fmt.Errorf("delay %s: want whole seconds, not negative", o.Delay)
	case o.Continuity < 2*o.Interval:
		return o, fmt.Errorf("continuity %s: want at least two evaluation intervals (%s)", o.Continuity, 2*o.Interval)
	case o.MinBadEvents < 0:
		return o, fmt.Errorf("minimum bad events %g: want 0 (default) or more", o.MinBadEvents)
	case len(o.Operator.Name) > 253 || !dnsName.MatchString(o.Operator.Name):
		return o, fmt.Errorf("PrometheusRule name %q: want a DNS subdomain name (lower case letters, digits, '-', '.')", o.Operator.Name)
	case o.Operator.Namespace != "" && (len(o.Operator.Namespace) > 63 || !dnsLabel.MatchString(o.Operator.Namespace)):
		return o, fmt.Errorf("PrometheusRule namespace %q: want a DNS label (lower case letters, digits, '-')", o.Operator.Namespace)
	}
	return o, nil
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
