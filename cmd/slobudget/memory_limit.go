package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/units"

	"github.com/slobudget/slobudget/internal/memlimit"
)

// applyMemoryLimit puts --memory.limit in force and returns what undoes it.
// "auto" follows the live heap (internal/memlimit) once started is closed
// (the first full evaluation: the start-up's growing heap runs under GOGC
// alone, see memlimit.Auto.Follow; nil: at once), unless GOMEMLIMIT is set,
// which is the operator's explicit figure; "0" leaves Go's default (or
// GOMEMLIMIT's); a size sets that fixed soft limit at once.
func applyMemoryLimit(flag string, started <-chan struct{}) (func(), error) {
	nothing := func() {}
	if strings.EqualFold(flag, "auto") {
		if _, set := os.LookupEnv("GOMEMLIMIT"); set {
			return nothing, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { memlimit.DefaultAuto.Follow(ctx, started); close(done) }()
		return func() { cancel(); <-done }, nil
	}
	size, err := units.ParseBase2Bytes(flag)
	if err != nil {
		return nothing, fmt.Errorf("--memory.limit %q: not auto, 0 or a size such as 350MiB: %v", flag, err)
	}
	if size < 0 {
		return nothing, fmt.Errorf("--memory.limit %q is negative", flag)
	}
	if size > 0 {
		before := debug.SetMemoryLimit(int64(size))
		return func() { debug.SetMemoryLimit(before) }, nil
	}
	return nothing, nil
}
