package rules

import (
	"strconv"
	"strings"
)

// Config values reach a rule file in three places, each with its own
// interpreter: PromQL string literals in expressions, and Prometheus's
// text/template in alert labels and annotations (recording rules' labels are
// not templates). These helpers make every such value literal, so that a
// service named "a`b" or a label value "{{ .Value }}" ends up in the alert
// exactly as written and never as template code or broken PromQL.

// promQLString quotes s as a PromQL string literal. PromQL's double-quoted
// strings take Go's escapes (\", \\, \n, \x.., \u....), which is exactly
// what strconv.Quote writes, so the parser reads back s byte for byte.
func promQLString(s string) string { return strconv.Quote(s) }

// templateText makes s literal inside a Prometheus alert template. Only the
// action delimiter "{{" is special to text/template, but a value ending in
// "{" would join the "{{" of a following action into "{{{", and one starting
// with "}" would end a preceding one; so any value with a brace becomes one
// action printing a quoted Go string, which text/template's lexer reads to
// its closing quote whatever braces it holds. Other values pass unchanged,
// keeping generated files readable.
func templateText(s string) string {
	if !strings.ContainsAny(s, "{}") {
		return s
	}
	return "{{ " + strconv.Quote(s) + " }}"
}

// templateQuery is the argument of a template's `query` function for a
// PromQL expression: a quoted Go string, so that backticks or quotes inside
// the expression (from a selector's label values) cannot end it early.
func templateQuery(expr string) string { return strconv.Quote(expr) }
