// Package engine evaluates every SLO of the running config on the
// evaluation grid: per SLO it keeps a counting.Counter (what has been read
// and counted), the definition it counts for, and the latest result. The
// config is swapped atomically after full validation; results are published
// as immutable snapshots, so readers (the collector, the API, the status
// page) never block an evaluation and an evaluation never waits for them.
package engine
