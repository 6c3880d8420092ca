// Package rules generates Prometheus recording and alerting rules from SLO
// definitions: exact event counts from running sums of per-interval counter
// deltas, multiwindow multi-burn-rate alerts, feature-freeze alerts and
// missing-data alerts. README.md explains the design and its measurements.
package rules

import (
	"bytes"
	"fmt"

	"github.com/slobudget/slobudget/slo"
)

type ruleFile struct {
	Groups []group `yaml:"groups"`
}

type group struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval"`
	Rules    []rule `yaml:"rules"`
}

type rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type prometheusRule struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       ruleFile   `yaml:"spec"`
}

type objectMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

// GroupName is the rule group of an SLO. Prometheus derives a group's
// evaluation phase from its name and file, so keeping the name stable keeps
// the running sums on the same time grid across reloads.
func GroupName(sloName string) string { return "slobudget-" + sloName }

// Generate renders the rules for every SLO of cfg: one group per SLO, in the
// config's order. Write streams the same bytes.
func Generate(cfg *slo.Config, opts Options) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, cfg, opts); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sloGroup(cfg *slo.Config, s *slo.SLO, opts Options) (group, error) {
	p, ok := cfg.PolicyByName(s.Policy)
	if !ok {
		return group{}, fmt.Errorf("policy %q is not defined", s.Policy)
	}
	if len(p.States) == 0 {
		return group{}, fmt.Errorf("policy %q has no states", p.Name)
	}
	r, err := newSLORules(s, opts)
	if err != nil {
		return group{}, err
	}
	r.policy = p
	r.src = recordedSource{r}
	if opts.Engine == EngineVMAlert {
		r.shape = vmalertShape{r}
	}
	alerts, err := r.alerts()
	if err != nil {
		return group{}, err
	}
	return group{
		Name:     GroupName(s.Name),
		Interval: dur(r.opts.Interval),
		Rules:    append(append(r.shape.recording(), alerts...), r.postmortemAlert()),
	}, nil
}

func where(s *slo.SLO) string {
	if s.File == "" {
		return "config:"
	}
	return fmt.Sprintf("%s:%d:", s.File, s.Line)
}
