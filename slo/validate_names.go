package slo

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// maxNameLength keeps names usable in file names (dashboards) and label
// values without surprises.
const maxNameLength = 128

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// checkName reports why name is not a valid SLO, policy or state name, or "".
// Names appear as label values and in generated file names, so they are kept
// to lower-case letters, digits and inner dashes.
func checkName(name string) string {
	switch {
	case name == "":
		return "must not be empty"
	case len(name) > maxNameLength:
		return fmt.Sprintf("%q is longer than %d characters", name, maxNameLength)
	case !namePattern.MatchString(name):
		return fmt.Sprintf("%q is not a valid name: use lower-case letters, digits and dashes ([a-z0-9-]+), not starting or ending with a dash", name)
	}
	return ""
}

// reservedLabels are set by slobudget itself on its series and alerts; a user
// label with one of these names would be overwritten or would break grouping.
var reservedLabels = map[string]bool{
	"service": true, "slo": true, "objective": true, "window": true, "policy": true,
	"severity": true, "state": true, "long_window": true, "short_window": true,
	"result": true, "le": true, "alertname": true, "exact": true,
}

// checkLabelName reports why name cannot be a user label, or "".
func checkLabelName(name string) string {
	switch {
	case !model.LegacyValidation.IsValidLabelName(name):
		return fmt.Sprintf("%q is not a valid Prometheus label name: use letters, digits and underscores, not starting with a digit", name)
	case strings.HasPrefix(name, "__"):
		return fmt.Sprintf("%q is reserved: names starting with __ are for Prometheus's internal use", name)
	case reservedLabels[name]:
		return fmt.Sprintf("%q is reserved: slobudget sets it itself (reserved: %s)", name, reservedList())
	}
	return ""
}

func reservedList() string {
	names := make([]string, 0, len(reservedLabels))
	for n := range reservedLabels {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ") + ", __*"
}

// labels reads and validates a user label map (SLO labels, alert labels).
func (r reporter) labels(n *yaml.Node, field string) map[string]string {
	m, keys := r.stringMap(n, field)
	for _, k := range keys {
		if msg := checkLabelName(k.Value); msg != "" {
			r.errorf(k, join(field, k.Value), "%s", msg)
			delete(m, k.Value)
			continue
		}
		if m[k.Value] == "" {
			r.errorf(k, join(field, k.Value), "empty value: Prometheus treats an empty label as absent; remove the label or give it a value")
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// annotations reads alert annotations: any valid label name, any text.
func (r reporter) annotations(n *yaml.Node, field string) map[string]string {
	m, keys := r.stringMap(n, field)
	for _, k := range keys {
		if !model.LegacyValidation.IsValidLabelName(k.Value) {
			r.errorf(k, join(field, k.Value), "%q is not a valid annotation name: use letters, digits and underscores", k.Value)
			delete(m, k.Value)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// groupingLabels reads `grouping: [label, ...]`: label names the SLO's
// series are split by, one SLO instance per value.
func (r reporter) groupingLabels(n *yaml.Node, field string) []string {
	var out []string
	seen := map[string]bool{}
	for i, item := range r.sequence(n, field) {
		path := fmt.Sprintf("%s[%d]", field, i)
		name, ok := r.str(item, path)
		if !ok {
			if isNull(item) {
				r.errorf(nodeOrParent(item, n), path, "empty label name")
			}
			continue
		}
		switch msg := checkLabelName(name); {
		case msg != "":
			r.errorf(item, path, "%s", msg)
		case seen[name]:
			r.errorf(item, path, "%q is listed twice", name)
		default:
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}
