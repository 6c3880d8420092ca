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
// A run of empty buckets (no events: the part of a window before a
// selector's data, the quiet hours of a quiet service) is one varint
// however long, instead of 2 bytes a bucket; it reads back exactly as the
// two varints of an empty bucket did (0 good of 0).
//
// Entries are read in order only (detection scans them), appended at the
// end, dropped from the front as the window slides, and put in front when
// the window's past is read back.
//
// Each entry starts with a uvarint head: an even head is total<<1 and a
// varint of the bad events follows; head 1 is the escape (two float64s
// follow); any other odd head is a run of head>>1 (≥ 1) empty buckets. Runs
// are kept maximal (never two in a row), so the same entries are always the
// same bytes, however they were appended, dropped and prepended.
type countLog struct {
	buf []byte
	n   int
	// runAt is 1 + the offset of the last entry's head when that entry is
	// a run of empty buckets, 0 when it is not (or the log is empty).
	runAt int
}

// exactInt is the largest magnitude whose integers float64 holds exactly.
const exactInt = 1 << 53

func (c *countLog) len() int { return c.n }

// empty reports whether x is kept as an empty bucket: what the two varints
// 0 and 0 held, which read back as {Good: 0, Total: 0}.
func empty(x slo.Counts) bool {
	return x.Total == 0 && x.Good == 0 && x.Bad() == 0
}

func (c *countLog) append(x slo.Counts) {
	c.n++
	if !empty(x) {
		c.buf = appendCounts(c.buf, x)
		c.runAt = 0
		return
	}
	if c.runAt == 0 {
		c.runAt = len(c.buf) + 1
		c.buf = appendRun(c.buf, 1)
		return
	}
	k, _ := binary.Uvarint(c.buf[c.runAt-1:])
	c.buf = appendRun(c.buf[:c.runAt-1], int(k>>1)+1) // the run is the last entry
}

func appendRun(buf []byte, k int) []byte { return binary.AppendUvarint(buf, uint64(k)<<1|1) }

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

// next decodes the entry at buf[off:]: its counts, how many buckets it
// holds (more than 1 only for a run of empty ones), the length of its head
// and the next offset.
func (c *countLog) next(off int) (x slo.Counts, count, head, end int) {
	h, k := binary.Uvarint(c.buf[off:])
	end = off + k
	switch {
	case h == 1:
		good := math.Float64frombits(binary.LittleEndian.Uint64(c.buf[end:]))
		total := math.Float64frombits(binary.LittleEndian.Uint64(c.buf[end+8:]))
		return slo.Counts{Good: good, Total: total}, 1, k, end + 16
	case h&1 == 1:
		return slo.Counts{}, int(h >> 1), k, end
	}
	bad, kb := binary.Varint(c.buf[end:])
	total := float64(h >> 1)
	return slo.Counts{Good: total - float64(bad), Total: total}, 1, k, end + kb
}

// each calls fn with every entry in order.
func (c *countLog) each(fn func(i int, x slo.Counts)) {
	off := 0
	for i := 0; i < c.n; {
		x, count, _, end := c.next(off)
		for range count {
			fn(i, x)
			i++
		}
		off = end
	}
}

// dropFront removes the first k entries.
func (c *countLog) dropFront(k int) {
	k = min(k, c.n)
	if k == c.n {
		c.reset()
		return
	}
	off := 0
	for i := 0; i < k; {
		_, count, head, end := c.next(off)
		if i+count <= k {
			i, off = i+count, end
			continue
		}
		// The k-th entry falls inside a run: its rest gets a head of its
		// own (no longer than the old one), put right before its end.
		h := appendRun(nil, count-(k-i))
		at := off + head - len(h)
		copy(c.buf[at:], h)
		if c.runAt == off+1 {
			c.runAt = at + 1
		}
		off, i = at, k
	}
	c.buf, c.n = c.buf[off:], c.n-k
	if c.runAt != 0 {
		c.runAt -= off
	}
	if cap(c.buf) > 2*len(c.buf)+4096 {
		c.buf = slices.Clone(c.buf) // let the dropped front go
	}
}

// prepend puts xs, in order, before the entries.
func (c *countLog) prepend(xs []slo.Counts) {
	if len(xs) == 0 {
		return
	}
	var f countLog
	for _, x := range xs {
		f.append(x)
	}
	runAt := 0 // c.runAt in the joined log
	if c.n == 0 {
		runAt = f.runAt
	} else if h, hl := binary.Uvarint(c.buf); f.runAt != 0 && h != 1 && h&1 == 1 {
		// The front ends with a run and the entries begin with one: they
		// become one run, as appending them one by one would have made.
		k, _ := binary.Uvarint(f.buf[f.runAt-1:])
		f.buf = appendRun(f.buf[:f.runAt-1], int(k>>1)+int(h>>1))
		switch {
		case c.runAt == 1: // the entries were that run alone
			runAt = f.runAt
		case c.runAt != 0:
			runAt = c.runAt - hl + len(f.buf)
		}
		c.buf = c.buf[hl:]
	} else if c.runAt != 0 {
		runAt = c.runAt + len(f.buf)
	}
	c.buf, c.n, c.runAt = append(f.buf, c.buf...), c.n+f.n, runAt
}

// reset empties the log.
func (c *countLog) reset() { c.buf, c.n, c.runAt = c.buf[:0], 0, 0 }
