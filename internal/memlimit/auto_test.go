package memlimit

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimitFollowsLiveHeap(t *testing.T) {
	a := Auto{Ratio: 1.4, Floor: 64 << 20}
	for _, c := range []struct{ live, want int64 }{
		{0, 64 << 20},
		{10 << 20, 64 << 20},
		{100 << 20, 140 << 20},
		{250 << 20, 350 << 20},
	} {
		if got := a.Limit(c.live); got != c.want {
			t.Errorf("live %d: limit %d, want %d", c.live, got, c.want)
		}
	}
}

// TestApplySetsLimitFromReachableHeap keeps 200 MiB reachable, collects, and
// checks the runtime's soft limit is then the policy's multiple of what the
// collection found (within the runtime's own bookkeeping of the test binary).
func TestApplySetsLimitFromReachableHeap(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	const kept = 200 << 20
	ballast := make([]byte, kept)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	runtime.GC()
	live := LiveHeap()
	if live < kept || live > kept+32<<20 {
		t.Fatalf("live heap %d after keeping %d", live, kept)
	}
	a := Auto{Ratio: 1.5, Floor: 1 << 20}
	got := a.Apply()
	if set := debug.SetMemoryLimit(-1); set != got {
		t.Fatalf("Apply returned %d, the runtime holds %d", got, set)
	}
	if want := int64(float64(live) * 1.5); got != want {
		t.Errorf("limit %d, want 1.5 × %d = %d", got, live, want)
	}
	runtime.KeepAlive(ballast)
	ballast = nil
	runtime.GC()
	if after := a.Apply(); after >= got {
		t.Errorf("limit %d after dropping the ballast, was %d: it must follow the heap down", after, got)
	}
}

func TestFollowRestoresPreviousLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(1 << 40)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Auto{Ratio: 2, Floor: 8 << 20, Every: time.Millisecond}.Follow(ctx, nil); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) == 1<<40 {
		if time.Now().After(deadline) {
			t.Fatal("Follow never set a limit")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("limit after Follow ended: %d, want the earlier 1<<40", got)
	}
}

// TestFollowWaitsForStart: until start is closed the limit in force stays
// (the daemon's start-up runs under GOGC alone); then the policy applies.
// Ending ctx before start leaves the limit as it was.
func TestFollowWaitsForStart(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(1 << 40)
	a := Auto{Ratio: 2, Floor: 8 << 20, Every: time.Millisecond}

	ctx, cancel := context.WithCancel(context.Background())
	start := make(chan struct{})
	done := make(chan struct{})
	go func() { a.Follow(ctx, start); close(done) }()
	time.Sleep(50 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Fatalf("limit %d before start, want the earlier 1<<40", got)
	}
	close(start)
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) == 1<<40 {
		if time.Now().After(deadline) {
			t.Fatal("Follow set no limit after start")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done

	ctx, cancel = context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() { a.Follow(ctx, make(chan struct{})); close(done) }()
	cancel()
	<-done
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("limit %d after ctx ended before start, want 1<<40", got)
	}
}
