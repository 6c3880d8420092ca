package engine

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/slobudget/slobudget/slo"
)

// countLog stores a sequence of counts compactly, for the incident ledger's
// 8,640 buckets of a 30d window per SLO. Counter increases are whole numbers
// and a 5m bucket's are small, so each entry is usually the total and the
// bad events as two varints: about 3 bytes for 5,000 requests with a few
// errors, against 16 for two float64s. An entry that is not two whole
// numbers within ±2^53 (bad can be negative: more good than total) is kept
// exactly as its two float64s behind an escape, so nothing is ever rounded.
//
// Entries are read in order only (detection scans them), appended at the
// end, dropped from the front as the window slides, and put in front when
// the window's past is read back.
type countLog struct {
	buf []byte
	n   int
}

// exactInt is the largest magnitude whose integers float64 holds exactly.
const exactInt = 1 << 53

func (c *countLog) len() int { return c.n }

func (c *countLog) append(x slo.Counts) {
	c.buf = appendCounts(c.buf, x)
	c.n++
}

func appendCounts(buf []byte, x slo.Counts) []byte {
	total, bad := x.Total, x.Bad()
	if whole(total) && total >= 0 && whole(bad) && x.Good == total-bad {
		buf = binary.AppendUvarint(buf, uint64(total)<<1)
		return binary.AppendVarint(buf, int64(bad))
	}
	buf = binary.AppendUvarint(buf, 1) // escape: the exact float64s follow
	buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x.Good))
	return binary.LittleEndian.AppendUint64(buf, math.Float64bits(x.Total))
}

func whole(v float64) bool { return v == math.Trunc(v) && math.Abs(v) < exactInt }

// next decodes the entry at buf[off:] and returns it with the next offset.
func (c *countLog) next(off int) (slo.Counts, int) {
	head, k := binary.Uvarint(c.buf[off:])
	off += k
	if head&1 == 1 {
		good := math.Float64frombits(binary.LittleEndian.Uint64(c.buf[off:]))
		total := math.Float64frombits(binary.LittleEndian.Uint64(c.buf[off+8:]))
		return slo.Counts{Good: good, Total: total}, off + 16
	}
	bad, k := binary.Varint(c.buf[off:])
	total := float64(head >> 1)
	return slo.Counts{Good: total - float64(bad), Total: total}, off + k
}

// each calls fn with every entry in order.
func (c *countLog) each(fn func(i int, x slo.Counts)) {
	off := 0
	for i := 0; i < c.n; i++ {
		var x slo.Counts
		x, off = c.next(off)
		fn(i, x)
	}
}

// dropFront removes the first k entries.
func (c *countLog) dropFront(k int) {
	k = min(k, c.n)
	off := 0
	for i := 0; i < k; i++ {
		_, off = c.next(off)
	}
	c.buf, c.n = c.buf[off:], c.n-k
	if cap(c.buf) > 2*len(c.buf)+4096 {
		c.buf = slices.Clone(c.buf) // let the dropped front go
	}
}

// prepend puts xs, in order, before the entries.
func (c *countLog) prepend(xs []slo.Counts) {
	var front []byte
	for _, x := range xs {
		front = appendCounts(front, x)
	}
	c.buf, c.n = append(front, c.buf...), c.n+len(xs)
}

// reset empties the log.
func (c *countLog) reset() { c.buf, c.n = c.buf[:0], 0 }
