package slo

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// A big config is almost all one list, `slos:`, and yaml.v3 parses on one
// core (half a second for 10 MB). parseSplit cuts that list at lines where
// its items start, parses the pieces on every CPU, and puts the node trees
// together with each node's line moved by its piece's offset. The tree is the
// one the single parse gives (comments aside: nothing reads them).
//
// Why a cut is safe: a line that starts with "- " at the list's indentation
// starts a new item unless it lies inside a quoted scalar or a flow
// collection (a block scalar, a plain scalar and every nested block end at
// such a line). A piece that ends inside a quote or a flow collection does
// not parse on its own. So whenever any piece, or the rest of the file, fails
// to parse, or the scan meets something it cannot vouch for (several
// documents, directives, other line breaks than \n, an alias outside the list
// next to anchors inside it), the single parse runs instead: its result and
// errors are what every problem is reported from, whichever path ran.

// parallelParseMin is the file size from which the split parse is tried;
// below it one parse is as fast.
var parallelParseMin = 256 << 10

// sloList is where the top-level `slos:` block sequence lies in a file.
type sloList struct {
	keyLine int // 1-based line of `slos:`
	indent  int // column (0-based) of the items' dashes
	// start and end are the byte offsets of the list's first item line and
	// of the first line after the list.
	start, end int
	// cuts are the item lines a piece may start at: byte offsets and
	// 1-based line numbers. cuts[0] is start.
	cuts     []int
	cutLines []int
}

// findSLOList scans data line by line for a root mapping at column 0 with
// one `slos:` key whose value is a block sequence on the following lines.
func findSLOList(data []byte) (sloList, bool) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || bytes.IndexByte(data, '\r') >= 0 ||
		bytes.Contains(data, []byte("\xc2\x85")) || bytes.Contains(data, []byte("\xe2\x80\xa8")) ||
		bytes.Contains(data, []byte("\xe2\x80\xa9")) {
		return sloList{}, false // line breaks the scan would not count as yaml.v3 does
	}
	const (
		before = iota // before `slos:`
		header        // after `slos:`, before its first item
		inList
		after
	)
	var l sloList
	state := before
	line := 0
	for off := 0; off < len(data); {
		eol := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if eol >= 0 {
			eol += off
			next = eol + 1
		} else {
			eol = len(data)
		}
		text := data[off:eol]
		line++
		ind := indentOf(text)
		rest := text[ind:]
		blank := len(rest) == 0 || rest[0] == '#'
		item := bytes.Equal(rest, []byte("-")) || bytes.HasPrefix(rest, []byte("- "))
		if state == inList && !blank && ind == 0 && !(l.indent == 0 && item) {
			l.end, state = off, after
		}
		switch {
		case blank:
		case state == header:
			if !item {
				return sloList{}, false // no block sequence: an empty or a flow value
			}
			l.indent, l.start, state = ind, off, inList
			l.cuts, l.cutLines = append(l.cuts, off), append(l.cutLines, line)
		case state == inList:
			if ind == l.indent && item {
				l.cuts, l.cutLines = append(l.cuts, off), append(l.cutLines, line)
			}
		case ind > 0:
			// a line inside another top-level key's value
		case item || bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) || rest[0] == '%':
			return sloList{}, false // a root list, several documents, or directives
		case isSLOsKey(rest):
			if state != before {
				return sloList{}, false // `slos:` twice: the single parse reports it
			}
			l.keyLine, state = line, header
		}
		off = next
	}
	switch state {
	case inList:
		l.end = len(data)
	case after:
	default:
		return sloList{}, false
	}
	return l, true
}

// isSLOsKey matches `slos:` alone on its line, perhaps with a comment.
func isSLOsKey(t []byte) bool {
	rest, ok := bytes.CutPrefix(t, []byte("slos:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	return len(rest) == 0 || (rest[0] == '#' && len(rest) < len(t)-len("slos:"))
}

// piece is a run of whole items of the list.
type piece struct {
	start, end int // byte offsets
	line       int // 1-based line of start
}

// pieces cuts the list into about n runs of similar size.
func (l sloList) pieces(n int) []piece {
	var out []piece
	size := (l.end - l.start + n - 1) / n
	for i := 0; i < len(l.cuts); {
		j := i + 1
		for j < len(l.cuts) && l.cuts[j]-l.cuts[i] < size {
			j++
		}
		end := l.end
		if j < len(l.cuts) {
			end = l.cuts[j]
		}
		out = append(out, piece{start: l.cuts[i], end: end, line: l.cutLines[i]})
		i = j
	}
	return out
}

// parseSplit parses a big file's `slos:` list in pieces on every CPU. ok is
// false when the caller must parse the file whole (see the top of the file).
func parseSplit(data []byte) (docs []*yaml.Node, ok bool) {
	workers := runtime.GOMAXPROCS(0)
	if len(data) < parallelParseMin || workers < 2 {
		return nil, false
	}
	l, ok := findSLOList(data)
	if !ok {
		return nil, false
	}
	pieces := l.pieces(8 * workers)
	lists := make([]*yaml.Node, len(pieces))
	anchored := make([]bool, len(pieces))
	var root *yaml.Node
	var failed atomic.Bool
	// Job 0 is the rest of the file, the list's lines left empty so that
	// every other line keeps its number; the other jobs are the pieces, last
	// first. A syntax error in the list then costs, besides the whole parse
	// that reports it (which stops at the error), only the pieces after it:
	// the two together stay near one whole parse wherever the error is.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(pieces)+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				switch {
				case i > len(pieces):
					return
				case i == 0:
					root = parseOutline(data, l)
					if root == nil {
						failed.Store(true)
					}
				default:
					j := len(pieces) - i
					p := pieces[j]
					lists[j], anchored[j] = parsePiece(data[p.start:p.end], p.line-1, l.indent)
					if lists[j] == nil {
						failed.Store(true)
					}
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return nil, false
	}
	if hasAlias(root) {
		// An alias after the list may name an anchor the list redefines; the
		// outline alone cannot tell which definition it reads.
		for _, a := range anchored {
			if a {
				return nil, false
			}
		}
	}
	list := lists[0]
	for _, more := range lists[1:] {
		list.Content = append(list.Content, more.Content...)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Line == l.keyLine && k.Column == 1 && k.Value == "slos" {
			root.Content[i+1] = list
			return []*yaml.Node{root}, true
		}
	}
	return nil, false
}

// parseOutline parses the file with the list's lines emptied and returns its
// root mapping, or nil unless it is one document whose root mapping holds the
// key `slos` on the scanned line with an empty value.
func parseOutline(data []byte, l sloList) *yaml.Node {
	outline := make([]byte, 0, l.start+len(data)-l.end+bytes.Count(data[l.start:l.end], []byte("\n")))
	outline = append(outline, data[:l.start]...)
	outline = append(outline, bytes.Repeat([]byte("\n"), bytes.Count(data[l.start:l.end], []byte("\n")))...)
	outline = append(outline, data[l.end:]...)
	docs, err := decodeAll(outline)
	if err != nil || len(docs) != 1 || docs[0].Kind != yaml.MappingNode {
		return nil
	}
	root := docs[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Line == l.keyLine && k.Column == 1 && k.Kind == yaml.ScalarNode && k.Value == "slos" {
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == "" && v.Anchor == "" {
				return root
			}
			return nil
		}
	}
	return nil
}

// parsePiece parses one run of items and moves its nodes' lines by offset.
// It returns nil unless the run is one block sequence at the list's column;
// anchored is true when any node in it defines an anchor.
func parsePiece(text []byte, offset, indent int) (list *yaml.Node, anchored bool) {
	docs, err := decodeAll(text)
	if err != nil || len(docs) != 1 {
		return nil, false
	}
	list = docs[0]
	if list.Kind != yaml.SequenceNode || list.Style != 0 || list.Line != 1 || list.Column != indent+1 {
		return nil, false
	}
	return list, shiftLines(list, offset)
}

// shiftLines adds offset to the line of n and of every node below it and
// reports whether any of them defines an anchor. An alias's target is a node
// of the same tree, so following Content alone visits each node once.
func shiftLines(n *yaml.Node, offset int) (anchored bool) {
	n.Line += offset
	anchored = n.Anchor != ""
	for _, c := range n.Content {
		if shiftLines(c, offset) {
			anchored = true
		}
	}
	return anchored
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}
