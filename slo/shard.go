package slo

import (
	"fmt"
	"hash/fnv"
)

// Shard is one replica's part of the SLOs when --shard.total splits them:
// replica Index of Total evaluates the SLOs whose name hashes to Index.
// The zero value (and Total 1) owns every SLO.
//
// The hash is 64-bit FNV-1a of the SLO's name (its bytes as written in the
// config), modulo Total. It depends on nothing but the name: every replica,
// every version of slobudget and every restart assigns an SLO to the same
// shard, and adding or removing other SLOs never moves it. Changing Total
// moves SLOs between shards (each one's history is then read afresh by its
// new shard). A grouped SLO's instances all follow the SLO's name.
type Shard struct {
	Index, Total int
}

// Check refuses a shard that cannot own anything.
func (s Shard) Check() error {
	if s.Total == 0 && s.Index == 0 {
		return nil
	}
	if s.Total < 1 {
		return fmt.Errorf("--shard.total=%d: want 1 or more", s.Total)
	}
	if s.Index < 0 || s.Index >= s.Total {
		return fmt.Errorf("--shard.index=%d: want 0 to %d for --shard.total=%d", s.Index, s.Total-1, s.Total)
	}
	return nil
}

// Sharded reports whether the SLOs are split at all.
func (s Shard) Sharded() bool { return s.Total > 1 }

// ShardOf returns the shard that owns the SLO named name among total.
func ShardOf(name string, total int) int {
	if total <= 1 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return int(h.Sum64() % uint64(total))
}

// Owns reports whether this shard evaluates the SLO named name.
func (s Shard) Owns(name string) bool {
	return !s.Sharded() || ShardOf(name, s.Total) == s.Index
}

// Filter returns the config with only this shard's SLOs (policies and
// exclusions stay whole: they are shared by name) and how many SLOs the
// full config has.
func (s Shard) Filter(cfg *Config) (owned *Config, configured int) {
	configured = len(cfg.SLOs)
	if !s.Sharded() {
		return cfg, configured
	}
	out := *cfg
	out.SLOs = nil
	for _, d := range cfg.SLOs {
		if s.Owns(d.Name) {
			out.SLOs = append(out.SLOs, d)
		}
	}
	return &out, configured
}

// Describe is the one sentence every output uses for a sharded replica:
// "shard 1 of 2 (index 0): 7 of 15 SLOs".
func (s Shard) Describe(owned, configured int) string {
	if !s.Sharded() {
		return ""
	}
	return fmt.Sprintf("shard %d of %d (--shard.index=%d): %d of %d SLOs; the other shards evaluate the rest", s.Index+1, s.Total, s.Index, owned, configured)
}
