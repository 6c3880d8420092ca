package main

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestApplyMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "")

	undo, err := applyMemoryLimit("350MiB", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != 350<<20 {
		t.Errorf("350MiB: runtime limit %d", got)
	}
	undo()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("after undo: %d, want %d", got, before)
	}

	for _, bad := range []string{"lots", "-5MiB"} {
		if _, err := applyMemoryLimit(bad, nil); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: error %v, want one quoting the value", bad, err)
		}
	}

	// GOMEMLIMIT set (even empty, as here): auto leaves the runtime alone.
	debug.SetMemoryLimit(math.MaxInt64)
	undo, _ = applyMemoryLimit("auto", nil)
	time.Sleep(10 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("auto with GOMEMLIMIT set changed the limit to %d", got)
	}
	undo()
}

func TestApplyMemoryLimitAuto(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(math.MaxInt64)
	undo, err := applyMemoryLimit("auto", nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) == math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("auto set no limit")
		}
		time.Sleep(time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got < 64<<20 {
		t.Errorf("auto limit %d below the 64 MiB floor", got)
	}
	undo()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after undo: %d", got)
	}
}
