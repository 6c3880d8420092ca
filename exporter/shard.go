package exporter

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/slo"
)

// shardScope is which SLOs this replica evaluates (--shard.total,
// --shard.index) and how many of the configured ones that is. Each shard
// serves only its own SLOs on /metrics, the API and the status page, and
// says so on all three; every slo_* series carries the SLO's labels, so
// dashboards and alert rules over several shards join them with no
// further work (docs: README "HA and sharding").
type shardScope struct {
	shard      slo.Shard
	owned      atomic.Int64
	configured atomic.Int64
}

// filter returns a freshly loaded config cut to this shard's SLOs, and a
// function that records its counts once the engine has taken it (a reload
// the engine refuses leaves the old counts).
func (s *shardScope) filter(cfg *slo.Config) (*slo.Config, func()) {
	owned, configured := s.shard.Filter(cfg)
	return owned, func() {
		s.owned.Store(int64(len(owned.SLOs)))
		s.configured.Store(int64(configured))
	}
}

// describe is "shard 1 of 2 (--shard.index=0): 7 of 15 SLOs; ...", or ""
// when the SLOs are not split.
func (s *shardScope) describe() string {
	return s.shard.Describe(int(s.owned.Load()), int(s.configured.Load()))
}

// shardJSON is the API's "shard" object, nil when the SLOs are not split.
func (s *shardScope) shardJSON() map[string]any {
	if !s.shard.Sharded() {
		return nil
	}
	return map[string]any{
		"index": s.shard.Index, "total": s.shard.Total,
		"slos": s.owned.Load(), "configuredSlos": s.configured.Load(),
		"description": s.describe(),
	}
}

var (
	shardInfoDesc = prometheus.NewDesc("slobudget_shard_info",
		"Always 1: which shard of --shard.total this replica is (index from 0); total is 1 when the SLOs are not split.",
		[]string{"index", "total"}, nil)
	shardSLOsDesc = prometheus.NewDesc("slobudget_shard_slos",
		"SLOs in the loaded config: set=\"evaluated\" this shard's, set=\"configured\" all of them.",
		[]string{"set"}, nil)
)

func (s *shardScope) Describe(ch chan<- *prometheus.Desc) {
	ch <- shardInfoDesc
	ch <- shardSLOsDesc
}

func (s *shardScope) Collect(ch chan<- prometheus.Metric) {
	total := s.shard.Total
	if total < 1 {
		total = 1
	}
	ch <- prometheus.MustNewConstMetric(shardInfoDesc, prometheus.GaugeValue, 1, strconv.Itoa(s.shard.Index), strconv.Itoa(total))
	ch <- prometheus.MustNewConstMetric(shardSLOsDesc, prometheus.GaugeValue, float64(s.owned.Load()), "evaluated")
	ch <- prometheus.MustNewConstMetric(shardSLOsDesc, prometheus.GaugeValue, float64(s.configured.Load()), "configured")
}
