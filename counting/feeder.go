package counting

import (
	"sort"

	"github.com/slobudget/slobudget/backend"
)

// feeder turns the raw samples of one selector into events on one or more
// streams.
type feeder interface {
	// ingest processes samples up to and including upTo (ms). Samples may
	// overlap earlier calls; feeders skip what they have seen.
	ingest(series []backend.Series, upTo int64)
	// prune forgets per-series state older than before.
	prune(before int64)
	// fresh returns an empty feeder of the same kind writing to the given
	// streams (same count and order as this one's), for re-reading an hour.
	fresh(out []*Stream) feeder
	// newest is the timestamp of the newest sample seen (0: none yet).
	newest() int64
}

// upToIndex returns how many of the time-ordered samples are at or before upTo.
func upToIndex(ss []backend.Sample, upTo int64) int {
	n := len(ss)
	if n == 0 || ss[n-1].T <= upTo {
		return n
	}
	return sort.Search(n, func(i int) bool { return ss[i].T > upTo })
}
