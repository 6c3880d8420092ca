package slo

import (
	"fmt"
	"testing"
)

// fnv1a64 is FNV-1a written out from its definition (offset basis
// 14695981039346656037, prime 1099511628211), independent of hash/fnv.
func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// The assignment is the documented one, and stays put: published FNV-1a
// test vectors, the definition written out, and fixed names whose shards
// are pinned so that a change of hash (which would move every SLO's
// history to another replica) cannot pass unnoticed.
func TestShardOfIsFNV1aOfTheName(t *testing.T) {
	if fnv1a64("") != 0xcbf29ce484222325 || fnv1a64("a") != 0xaf63dc4c8601ec8c || fnv1a64("foobar") != 0x85944171f73967e8 {
		t.Fatal("the reference FNV-1a does not reproduce the published test vectors")
	}
	for i := 0; i < 500; i++ {
		name := fmt.Sprintf("svc-%d-availability", i)
		for _, total := range []int{2, 3, 7, 16} {
			if got, want := ShardOf(name, total), int(fnv1a64(name)%uint64(total)); got != want {
				t.Fatalf("ShardOf(%q, %d) = %d, want %d", name, total, got, want)
			}
		}
	}
	// "a" hashes to 0xaf63dc4c8601ec8c, which is even.
	if ShardOf("a", 2) != 0 || ShardOf("a", 3) != int(uint64(0xaf63dc4c8601ec8c)%3) {
		t.Errorf("ShardOf(a) = %d of 2, %d of 3", ShardOf("a", 2), ShardOf("a", 3))
	}
	if ShardOf("anything", 1) != 0 || ShardOf("anything", 0) != 0 {
		t.Error("one shard must own everything")
	}
}

// Every SLO is owned by exactly one shard, and the shards' sizes add up.
func TestShardsPartitionTheConfig(t *testing.T) {
	cfg := &Config{}
	for i := 0; i < 1000; i++ {
		cfg.SLOs = append(cfg.SLOs, SLO{Name: fmt.Sprintf("slo-%04d", i)})
	}
	for _, total := range []int{1, 2, 3, 5} {
		owners := map[string]int{}
		sum := 0
		for i := 0; i < total; i++ {
			s := Shard{Index: i, Total: total}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			part, configured := s.Filter(cfg)
			if configured != 1000 {
				t.Fatalf("configured %d", configured)
			}
			sum += len(part.SLOs)
			for _, d := range part.SLOs {
				owners[d.Name]++
			}
			if total > 1 && (len(part.SLOs) < 1000/total/2 || len(part.SLOs) > 2*1000/total) {
				t.Errorf("shard %d of %d owns %d of 1000: badly balanced", i, total, len(part.SLOs))
			}
		}
		if sum != 1000 || len(owners) != 1000 {
			t.Errorf("%d shards own %d SLOs in all, %d distinct; want 1000", total, sum, len(owners))
		}
		for name, n := range owners {
			if n != 1 {
				t.Errorf("%s owned by %d shards of %d", name, n, total)
			}
		}
	}
	if len(cfg.SLOs) != 1000 {
		t.Error("Filter changed its input")
	}
}

func TestShardCheck(t *testing.T) {
	for _, bad := range []Shard{{Index: 2, Total: 2}, {Index: -1, Total: 2}, {Index: 0, Total: -1}, {Index: 1, Total: 0}} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	for _, good := range []Shard{{}, {Index: 0, Total: 1}, {Index: 1, Total: 2}} {
		if err := good.Check(); err != nil {
			t.Errorf("%+v: %v", good, err)
		}
	}
	if got := (Shard{Index: 1, Total: 2}).Describe(7, 15); got != "shard 2 of 2 (--shard.index=1): 7 of 15 SLOs; the other shards evaluate the rest" {
		t.Errorf("Describe: %q", got)
	}
}
