package slo

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// The config is decoded by walking yaml.Node trees rather than with
// yaml.Unmarshal into structs: that way every problem can name its line, and
// decoding goes on after the first problem so that all of them are reported.

// reporter collects problems for one subject (an SLO, a policy, or the file).
type reporter struct {
	file    string
	subject string
	errs    *[]ConfigError
}

func (r reporter) errorf(n *yaml.Node, field, format string, args ...any) {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	*r.errs = append(*r.errs, ConfigError{
		File: r.file, Line: line, Subject: r.subject, Field: field,
		Message: fmt.Sprintf(format, args...),
	})
}

// resolve follows aliases, so that `*anchor` reads like what it points to.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull is true for an absent value and for an explicit YAML null.
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.AliasNode || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// fields is a decoded YAML mapping: the value node of each key, and the
// mapping node itself for "missing field" problems.
type fields struct {
	node   *yaml.Node
	values map[string]*yaml.Node
	// keys are the key nodes, for problems about a key itself.
	keys map[string]*yaml.Node
}

func (f fields) get(key string) *yaml.Node {
	return resolve(f.values[key])
}

func (f fields) has(key string) bool { return !isNull(f.values[key]) }

// mapping reads n as a mapping whose keys must all be in known. Unknown and
// repeated keys are problems. ok is false when n is not a mapping at all.
func (r reporter) mapping(n *yaml.Node, field string, known ...string) (fields, bool) {
	n = resolve(n)
	f := fields{node: n, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			r.errorf(n, field, "must be a mapping, not %s", kindName(n))
		}
		return f, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		switch {
		case k.Kind != yaml.ScalarNode:
			r.errorf(k, field, "keys must be plain strings")
			continue
		case key == "<<":
			r.errorf(k, field, "YAML merge keys (<<) are not supported; repeat the fields or use an anchor for the whole value")
			continue
		case !contains(known, key):
			r.errorf(k, join(field, key), "unknown field %q%s", key, suggestion(key, known))
			continue
		}
		if _, dup := f.values[key]; dup {
			r.errorf(k, join(field, key), "field %q given twice", key)
			continue
		}
		f.values[key] = v
		f.keys[key] = k
	}
	return f, true
}

// stringMap reads a mapping of strings to strings, like labels.
func (r reporter) stringMap(n *yaml.Node, field string) (map[string]string, []*yaml.Node) {
	n = resolve(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, field, "must be a mapping of names to values, not %s", kindName(n))
		return nil, nil
	}
	out := map[string]string{}
	var keys []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, field, "keys must be plain strings")
			continue
		}
		if _, dup := out[k.Value]; dup {
			r.errorf(k, join(field, k.Value), "given twice")
			continue
		}
		val := ""
		if !isNull(v) {
			var ok bool
			if val, ok = r.str(v, join(field, k.Value)); !ok {
				continue
			}
		}
		out[k.Value] = val
		keys = append(keys, k)
	}
	return out, keys
}

// str reads a scalar as text. Numbers and booleans are taken as written, so
// `team: 1` means the label value "1".
func (r reporter) str(n *yaml.Node, field string) (string, bool) {
	n = resolve(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		r.errorf(n, field, "must be a string, not %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// number reads a YAML int or float. A quoted number is a problem: strict
// decoding should not guess.
func (r reporter) number(n *yaml.Node, field string) (float64, bool) {
	n = resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		// yaml.v3 resolves a plain number too large for a float64 (1e309)
		// as a string; only a quoted one was meant as a string.
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 {
			if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) {
				r.errorf(n, field, "%s is out of range: a number must lie within ±1.8e308", n.Value)
			} else {
				r.errorf(n, field, "%q is not a number", n.Value)
			}
			return 0, false
		}
		r.errorf(n, field, "%q is a quoted string, not a number; remove the quotes", n.Value)
		return 0, false
	}
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		if n != nil {
			r.errorf(n, field, "%s is not a number", kindName(n))
		}
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		r.errorf(n, field, "%q is not a number: %v", n.Value, err)
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		r.errorf(n, field, "%q is not a finite number", n.Value)
		return 0, false
	}
	return v, true
}

func (r reporter) boolean(n *yaml.Node, field string) (bool, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		if n != nil {
			r.errorf(n, field, "%s is not true or false", kindName(n))
		}
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		r.errorf(n, field, "%q is not true or false", n.Value)
		return false, false
	}
	return v, true
}

// duration reads a Prometheus duration ("30s", "5m", "28d", "4w", "1h30m").
func (r reporter) duration(n *yaml.Node, field string) (string, time.Duration, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		if n != nil {
			r.errorf(n, field, "must be a duration such as 5m, not %s", kindName(n))
		}
		return "", 0, false
	}
	d, err := model.ParseDuration(n.Value)
	if err != nil {
		// The library's message repeats the value; keep only what it adds.
		why := strings.TrimSuffix(err.Error(), fmt.Sprintf(" in duration %q", n.Value))
		if strings.HasPrefix(why, "not a valid duration string") {
			why = ""
		} else {
			why = " (" + why + ")"
		}
		r.errorf(n, field, "%q is not a Prometheus duration such as 30s, 5m, 1h, 28d or 4w%s", n.Value, why)
		return "", 0, false
	}
	return n.Value, time.Duration(d), true
}

// sequence reads a list; null counts as an empty list.
func (r reporter) sequence(n *yaml.Node, field string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, field, "must be a list, not %s", kindName(n))
		return nil
	}
	return n.Content
}

func join(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggestion names the known field a misspelt key most likely meant, by
// case-insensitive match, a shared prefix or a small edit distance, else
// lists all of them.
func suggestion(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		lk, lkey := strings.ToLower(k), strings.ToLower(key)
		if lk == lkey || (len(key) >= 4 && (strings.HasPrefix(lk, lkey) || strings.HasPrefix(lkey, lk))) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
		if d := editDistance(strings.ToLower(k), strings.ToLower(key)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return fmt.Sprintf("; known fields: %s", strings.Join(sorted, ", "))
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not worth comparing; also bounds the work on hostile input
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// peekName finds the scalar `name` of a mapping before it is decoded, so that
// every problem of an entry, even one found before its name, names it.
func peekName(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			v := resolve(n.Content[i+1])
			if v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
				return v.Value, true
			}
			return "", false
		}
	}
	return "", false
}

// quoteExpr quotes a PromQL expression for a message. Go quoting would
// backslash every double quote of the label matchers, so backquotes are used
// when the text has none.
func quoteExpr(s string) string {
	if strings.ContainsAny(s, "`\n") || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}

// integer reads a YAML int.
func (r reporter) integer(n *yaml.Node, field string) (int, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		if n != nil {
			r.errorf(n, field, "%s is not a whole number", kindName(n))
		}
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		r.errorf(n, field, "%q is not a whole number in range", n.Value)
		return 0, false
	}
	return v, true
}
