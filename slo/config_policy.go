package slo

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// decodePolicy decodes and validates one entry of `policies`.
func decodePolicy(r reporter, n *yaml.Node, index int) (Policy, bool) {
	r.subject = fmt.Sprintf("policies[%d]", index)
	if name, ok := peekName(n); ok {
		r.subject = fmt.Sprintf("policy %q", name)
	}
	f, ok := r.mapping(n, "", "name", "states")
	if !ok {
		if isNull(n) {
			r.errorf(n, "", "empty entry in policies")
		}
		return Policy{}, false
	}
	p := Policy{File: r.file, Line: f.node.Line}
	if name, has := r.str(f.get("name"), "name"); has {
		p.Name = name
		if msg := checkName(name); msg != "" {
			r.errorf(f.get("name"), "name", "%s", msg)
		}
	} else if !f.has("name") {
		r.errorf(f.node, "name", "required")
	}

	states := r.sequence(f.get("states"), "states")
	if len(states) < 2 {
		r.errorf(nodeOrParent(f.get("states"), f.node), "states", "at least two states are needed: one or more with minBudgetRemaining, then a last catch-all without")
	}
	seen := map[string]int{}
	var prev *float64
	for i, sn := range states {
		st, ok := decodeState(r, sn, fmt.Sprintf("states[%d]", i), i == len(states)-1)
		if !ok {
			continue
		}
		if first, dup := seen[st.Name]; dup && st.Name != "" {
			r.errorf(sn, fmt.Sprintf("states[%d].name", i), "duplicate state name %q (also states[%d])", st.Name, first)
		} else {
			seen[st.Name] = i
		}
		if st.MinBudgetRemaining != nil {
			if prev != nil && *st.MinBudgetRemaining >= *prev {
				r.errorf(sn, fmt.Sprintf("states[%d].minBudgetRemaining", i),
					"%s is not below the previous state's %s: thresholds must strictly descend, top to bottom",
					fmtNum(*st.MinBudgetRemaining), fmtNum(*prev))
			}
			prev = st.MinBudgetRemaining
		}
		p.States = append(p.States, st)
	}
	return p, true
}

func nodeOrParent(n, parent *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return parent
}

// decodeState decodes one policy state. Every state but the last needs a
// threshold; the last is the catch-all and must not have one, so that every
// budget value maps to exactly one state.
func decodeState(r reporter, n *yaml.Node, field string, last bool) (PolicyState, bool) {
	f, ok := r.mapping(n, field, "name", "minBudgetRemaining", "featureShare", "freeze", "consequence")
	if !ok {
		if isNull(n) {
			r.errorf(n, field, "empty state")
		}
		return PolicyState{}, false
	}
	var st PolicyState
	if name, has := r.str(f.get("name"), field+".name"); has {
		st.Name = name
		if msg := checkName(name); msg != "" {
			r.errorf(f.get("name"), field+".name", "%s", msg)
		}
	} else if !f.has("name") {
		r.errorf(f.node, field+".name", "required")
	}
	switch {
	case f.has("minBudgetRemaining") && last:
		r.errorf(f.get("minBudgetRemaining"), field+".minBudgetRemaining",
			"the last state is the catch-all and has no threshold; remove it, or add a state after this one")
	case f.has("minBudgetRemaining"):
		if v, ok := r.number(f.get("minBudgetRemaining"), field+".minBudgetRemaining"); ok {
			st.MinBudgetRemaining = &v
			if v > 1 {
				r.errorf(f.get("minBudgetRemaining"), field+".minBudgetRemaining",
					"%s is above 1: the remaining budget is a ratio and never exceeds 1 (write 0.5 for half the budget)", fmtNum(v))
			}
		}
	case !last:
		r.errorf(f.node, field+".minBudgetRemaining", "required on every state but the last: the remaining budget ratio this state needs, e.g. 0.5")
	}
	if f.has("featureShare") {
		if v, ok := r.number(f.get("featureShare"), field+".featureShare"); ok {
			st.FeatureShare = v
			if v < 0 || v > 1 {
				r.errorf(f.get("featureShare"), field+".featureShare", "%s is not a share between 0 and 1 (write 0.7 for 70%%)", fmtNum(v))
			}
		}
	}
	if f.has("freeze") {
		st.Freeze, _ = r.boolean(f.get("freeze"), field+".freeze")
	}
	st.Consequence, _ = r.str(f.get("consequence"), field+".consequence")
	return st, true
}
