package slo

import (
	"strings"
	"testing"
)

// policyConfig is a config with one policy of the given states (one per
// line, flow style) and the base SLO using it. The policy starts on line 2,
// its states on line 4.
func policyConfig(name string, states ...string) string {
	var b strings.Builder
	b.WriteString("policies:\n  - name: " + name + "\n    states:\n")
	for _, s := range states {
		b.WriteString("      - " + s + "\n")
	}
	b.WriteString(strings.Replace(base, "    objective: 99\n", "    objective: 99\n    policy: "+name+"\n", 1))
	return b.String()
}

func TestPolicyRules(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{"valid", policyConfig("p", "{name: ok, minBudgetRemaining: 0.5, featureShare: 0.7}", "{name: frozen, freeze: true}"), nil},
		{"negative thresholds allowed", policyConfig("p", "{name: ok, minBudgetRemaining: 0}", "{name: deep, minBudgetRemaining: -1}", "{name: frozen, freeze: true}"), nil},
		{"one state", policyConfig("p", "{name: frozen, freeze: true}"),
			[]string{`t.yml:4: policy "p": states: at least two states are needed`}},
		{"no states", "policies:\n  - name: p\n" + base,
			[]string{`t.yml:2: policy "p": states: at least two states are needed`}},
		{"threshold on last", policyConfig("p", "{name: ok, minBudgetRemaining: 0.5}", "{name: frozen, minBudgetRemaining: 0, freeze: true}"),
			[]string{`t.yml:5: policy "p": states[1].minBudgetRemaining: the last state is the catch-all and has no threshold`}},
		{"missing threshold", policyConfig("p", "{name: ok, minBudgetRemaining: 0.5}", "{name: mid}", "{name: frozen}"),
			[]string{`t.yml:5: policy "p": states[1].minBudgetRemaining: required on every state but the last`}},
		{"not descending", policyConfig("p", "{name: a, minBudgetRemaining: 0.25}", "{name: b, minBudgetRemaining: 0.5}", "{name: c}"),
			[]string{`t.yml:5: policy "p": states[1].minBudgetRemaining: 0.5 is not below the previous state's 0.25`}},
		{"equal thresholds", policyConfig("p", "{name: a, minBudgetRemaining: 0.5}", "{name: b, minBudgetRemaining: 0.5}", "{name: c}"),
			[]string{`states[1].minBudgetRemaining: 0.5 is not below the previous state's 0.5`}},
		{"threshold above 1", policyConfig("p", "{name: a, minBudgetRemaining: 50}", "{name: c}"),
			[]string{`t.yml:4: policy "p": states[0].minBudgetRemaining: 50 is above 1`}},
		{"feature share above 1", policyConfig("p", "{name: a, minBudgetRemaining: 0.5, featureShare: 70}", "{name: c}"),
			[]string{`states[0].featureShare: 70 is not a share between 0 and 1`}},
		{"negative feature share", policyConfig("p", "{name: a, minBudgetRemaining: 0.5}", "{name: c, featureShare: -0.1}"),
			[]string{`t.yml:5: policy "p": states[1].featureShare: -0.1 is not a share between 0 and 1`}},
		{"duplicate state", policyConfig("p", "{name: a, minBudgetRemaining: 0.5}", "{name: a}"),
			[]string{`t.yml:5: policy "p": states[1].name: duplicate state name "a" (also states[0])`}},
		{"bad state name", policyConfig("p", "{name: At Risk, minBudgetRemaining: 0.5}", "{name: c}"),
			[]string{`states[0].name: "At Risk" is not a valid name`}},
		{"missing state name", policyConfig("p", "{minBudgetRemaining: 0.5}", "{name: c}"),
			[]string{`t.yml:4: policy "p": states[0].name: required`}},
		{"unknown state field", policyConfig("p", "{name: a, minBudget: 0.5}", "{name: c}"),
			[]string{`states[0].minBudget: unknown field "minBudget" (did you mean "minBudgetRemaining"?)`, `states[0].minBudgetRemaining: required`}},
		{"freeze not bool", policyConfig("p", "{name: a, minBudgetRemaining: 0.5}", "{name: c, freeze: sure}"),
			[]string{`states[1].freeze: "sure" is not true or false`}},
		{"bad policy name", policyConfig("P_1", "{name: a, minBudgetRemaining: 0.5}", "{name: c}"),
			[]string{`t.yml:2: policy "P_1": name: "P_1" is not a valid name`}},
		{"duplicate policy", "policies:\n  - {name: p, states: [{name: a, minBudgetRemaining: 0}, {name: b}]}\n  - {name: p, states: [{name: a, minBudgetRemaining: 0}, {name: b}]}\n" + base,
			[]string{`t.yml:3: policy "p": name: duplicate policy name "p", first defined at t.yml:2`}},
		{"undefined policy lists defined", strings.Replace(policyConfig("p", "{name: a, minBudgetRemaining: 0.5}", "{name: c}"), "policy: p", "policy: q", 1),
			[]string{`t.yml:10: slo "a": policy: undefined policy "q"; defined: default (built in), p`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := configErrors(t, c.src)
			if len(got) != len(c.want) {
				t.Fatalf("got %d errors, want %d:\n%s\nconfig:\n%s", len(got), len(c.want), strings.Join(got, "\n"), c.src)
			}
			for i := range c.want {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("error %d:\n got  %s\n want it to contain %s", i, got[i], c.want[i])
				}
			}
		})
	}
}

// A config policy named "default" replaces the built-in one for SLOs that
// name no policy.
func TestDefaultPolicyReplaced(t *testing.T) {
	cfg, err := Parse("t.yml", []byte(policyConfig("default", "{name: go, minBudgetRemaining: 0.9, featureShare: 1}", "{name: stop, freeze: true}")))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := cfg.PolicyByName(cfg.SLOs[0].Policy)
	if !ok || p.Name != "default" || len(p.States) != 2 || p.States[0].Name != "go" || *p.States[0].MinBudgetRemaining != 0.9 {
		t.Fatalf("policy for SLO = %+v, want the config's default", p)
	}
	if p.File != "t.yml" || p.Line != 2 {
		t.Errorf("policy location %s:%d, want t.yml:2", p.File, p.Line)
	}
}
