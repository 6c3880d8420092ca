package backend

import "fmt"

// Flavor names the kind of backend behind the Prometheus-compatible API, for
// the few places where they differ in a way that changes counts or hides a
// failure. Every such difference is handled here, named after the backend.
type Flavor string

// The flavors --backend.flavor accepts.
const (
	// FlavorPrometheus is Prometheus itself, and the default: nothing is
	// assumed beyond the Prometheus HTTP API.
	FlavorPrometheus Flavor = "prometheus"
	// FlavorVictoriaMetrics is VictoriaMetrics (single-node or vmselect).
	// Its raw reads return Prometheus staleness markers as NaN samples,
	// which end a series' run (docs/counting.md), but its rollup functions
	// (sum_over_time, resets) skip them: the hourly shortcut must find them
	// with MetricsQL's stale_samples_over_time, or an hour holding one would
	// count the increase across the marker that a raw read does not.
	// (VictoriaMetrics drops other NaN values at ingestion, so a NaN it
	// returns is a staleness marker.)
	FlavorVictoriaMetrics Flavor = "victoriametrics"
	// FlavorThanos is Thanos Query. Every query is sent with
	// partial_response=false, so that a store that does not answer fails
	// the query with an error instead of an answer with a warning (which
	// would fail it too, see partialResponse); Thanos still drops a store
	// it considers down from its store set without either after about 40 s
	// unless the querier lists it with --endpoint-strict (README).
	FlavorThanos Flavor = "thanos"
	// FlavorMimir is Grafana Mimir or Cortex: the tenant header comes from
	// the http_config file (X-Scope-OrgID) and the URL carries the API
	// prefix (/prometheus); answers with warnings fail like any other.
	FlavorMimir Flavor = "mimir"
)

// Flavors lists every flavor, for the flag's help and validation.
var Flavors = []string{string(FlavorPrometheus), string(FlavorVictoriaMetrics), string(FlavorThanos), string(FlavorMimir)}

func parseFlavor(s string) (Flavor, error) {
	if s == "" {
		return FlavorPrometheus, nil
	}
	for _, f := range Flavors {
		if s == f {
			return Flavor(s), nil
		}
	}
	return "", fmt.Errorf("--backend.flavor %q: want one of %v", s, Flavors)
}

// hourlyFlagsQuery is the per-series query that marks an hour as needing a
// raw read (see hourlyIncreases): a reset, a NaN or infinite value, and on
// VictoriaMetrics a staleness marker, which its rollups would skip.
func (f Flavor) hourlyFlagsQuery(selector string) string {
	q := fmt.Sprintf("resets(%[1]s[65m]) + 0 * sum_over_time(%[1]s[65m])", selector)
	if f == FlavorVictoriaMetrics {
		q += fmt.Sprintf(" + stale_samples_over_time(%s[65m])", selector)
	}
	return q
}

// extraParams are the query parameters a flavor adds to every query.
func (f Flavor) extraParams() map[string]string {
	if f == FlavorThanos {
		return map[string]string{"partial_response": "false"}
	}
	return nil
}
