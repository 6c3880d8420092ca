package slo

import (
	"fmt"
	"math"

	"gopkg.in/yaml.v3"
)

// DefaultPostmortemBudgetShare is the SRE Workbook's postmortem trigger: one
// incident that consumed more than 20% of the window's error budget.
const DefaultPostmortemBudgetShare = 0.20

// capacityTolerance is how far the shares of a capacity split may sum from 1
// (decimal shares such as 0.7 + 0.2 + 0.1 do not sum to 1 exactly in binary).
const capacityTolerance = 1e-9

// stateDraft is a policy state while decoded: where its threshold and
// shares were given, for the checks that depend on its position.
type stateDraft struct {
	PolicyState
	minNode, shareNode, capacityNode *yaml.Node
	min                              float64
}

var policySpec = &spec[Policy]{fields: []field[Policy]{
	required(textField("name", func(p *Policy) *string { return &p.Name }, checkName), ""),
	{key: "states", read: func(r reporter, n *yaml.Node, path string, p *Policy) {}}, // read by decodePolicy, in order
	numberField("postmortemBudgetShare", func(p *Policy) *float64 { return &p.PostmortemBudgetShare }, checkShareAbove0),
}}

func checkShareAbove0(v float64) string {
	if v <= 0 || v > 1 {
		return fmt.Sprintf("%s is not a share in (0, 1]: the share of the window's budget one incident may consume before a postmortem is required, e.g. 0.2", fmtNum(v))
	}
	return ""
}

// decodePolicy decodes and validates one entry of `policies`.
func decodePolicy(r reporter, n *yaml.Node, index int) (Policy, bool) {
	r.subject = fmt.Sprintf("policies[%d]", index)
	if name, ok := peekName(n); ok {
		r.subject = fmt.Sprintf("policy %q", name)
	}
	p := Policy{File: r.file, Line: n.Line, PostmortemBudgetShare: DefaultPostmortemBudgetShare}
	m, ok := policySpec.decode(r, n, "", &p)
	if !ok {
		if isNull(n) {
			r.errorf(n, "", "empty entry in policies")
		}
		return Policy{}, false
	}
	states := r.sequence(m.get("states"), "states")
	if len(states) < 2 {
		r.errorf(nodeOrParent(m.get("states"), m.node), "states", "at least two states are needed: one or more with minBudgetRemaining, then a last catch-all without")
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

var stateSpec = &spec[stateDraft]{fields: []field[stateDraft]{
	required(textField("name", func(s *stateDraft) *string { return &s.Name }, checkName), ""),
	{key: "minBudgetRemaining", read: func(r reporter, n *yaml.Node, path string, s *stateDraft) {
		s.minNode = n
	}},
	{key: "featureShare", read: func(r reporter, n *yaml.Node, path string, s *stateDraft) {
		s.shareNode = n
		if v, ok := r.number(n, path); ok {
			s.FeatureShare = v
			if v < 0 || v > 1 {
				r.errorf(n, path, "%s is not a share between 0 and 1 (write 0.7 for 70%%)", fmtNum(v))
			}
		}
	}},
	{key: "capacity", read: func(r reporter, n *yaml.Node, path string, s *stateDraft) {
		s.capacityNode = n
		capacitySpec.decode(r, n, path, &s.Capacity)
	}},
	boolField("freeze", func(s *stateDraft) *bool { return &s.Freeze }),
	textField("consequence", func(s *stateDraft) *string { return &s.Consequence }),
}}

func shareField(key string, to func(*Capacity) *float64) field[Capacity] {
	return numberField(key, to, func(v float64) string {
		if v < 0 || v > 1 {
			return fmt.Sprintf("%s is not a share between 0 and 1 (write 0.7 for 70%%)", fmtNum(v))
		}
		return ""
	})
}

// capacitySpec is the whole capacity split; a share left out is 0.
var capacitySpec = &spec[Capacity]{
	fields: []field[Capacity]{
		shareField("features", func(c *Capacity) *float64 { return &c.Features }),
		shareField("reliability", func(c *Capacity) *float64 { return &c.Reliability }),
		shareField("innovation", func(c *Capacity) *float64 { return &c.Innovation }),
	},
	after: func(r reporter, m fields, path string, c *Capacity) {
		if sum := c.Features + c.Reliability + c.Innovation; math.Abs(sum-1) > capacityTolerance {
			r.errorf(m.node, path, "features %s + reliability %s + innovation %s = %s, not 1: the split is of the whole capacity",
				fmtNum(c.Features), fmtNum(c.Reliability), fmtNum(c.Innovation), fmtNum(roundPercent(sum)))
		}
	},
}

// CapacityFromFeatureShare is the split the short form featureShare means:
// the rest of the capacity goes to reliability.
func CapacityFromFeatureShare(share float64) Capacity {
	return Capacity{Features: share, Reliability: 1 - share}
}

// decodeState decodes one policy state. Every state but the last needs a
// threshold; the last is the catch-all and must not have one, so that every
// budget value maps to exactly one state.
func decodeState(r reporter, n *yaml.Node, field string, last bool) (PolicyState, bool) {
	var st stateDraft
	m, ok := stateSpec.decode(r, n, field, &st)
	if !ok {
		if isNull(n) {
			r.errorf(n, field, "empty state")
		}
		return PolicyState{}, false
	}
	path := field + ".minBudgetRemaining"
	switch {
	case st.minNode != nil && last:
		r.errorf(st.minNode, path, "the last state is the catch-all and has no threshold; remove it, or add a state after this one")
	case st.minNode != nil:
		if v, ok := r.number(st.minNode, path); ok {
			st.MinBudgetRemaining = &v
			if v > 1 {
				r.errorf(st.minNode, path, "%s is above 1: the remaining budget is a ratio and never exceeds 1 (write 0.5 for half the budget)", fmtNum(v))
			}
		}
	case !last:
		r.errorf(m.node, path, "required on every state but the last: the remaining budget ratio this state needs, e.g. 0.5")
	}
	switch {
	case st.capacityNode != nil && st.shareNode != nil:
		r.errorf(st.shareNode, field+".featureShare", "give featureShare or capacity, not both: featureShare is the short form of capacity.features")
	case st.capacityNode != nil:
		st.FeatureShare = st.Capacity.Features
	default:
		st.Capacity = CapacityFromFeatureShare(st.FeatureShare)
	}
	return st.PolicyState, true
}
