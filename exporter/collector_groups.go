package exporter

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slobudget/slobudget/slo"
)

// groupsDesc is exported once per grouped SLO (service, slo only): how many
// groups its window holds that are evaluated and how many maxGroups left out.
var groupsDesc = desc("slo_groups", "Groups of a grouped SLO in its window, by status: evaluated (each an instance with its own series), dropped (over maxGroups: the first maxGroups by label values are kept).", "status")

// groupLabels returns a grouped instance's label names and values, names
// sorted; both empty for an SLO without grouping.
func groupLabels(r slo.Result) (names, values []string) {
	if len(r.Group) == 0 {
		return nil, nil
	}
	for k := range r.Group {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		values = append(values, r.Group[k])
	}
	return names, values
}

// groupedDescs caches, per metric and group label names, the descriptor
// with the group labels after service and slo.
var groupedDescs sync.Map // key: groupedDescKey → *prometheus.Desc

type groupedDescKey struct {
	d      *prometheus.Desc
	groups string
}

// descSpecs remembers what each fixed descriptor was built from, so that a
// grouped variant can be built with the same name, help and labels.
var descSpecs = map[*prometheus.Desc]descSpec{}

type descSpec struct {
	name, help string
	extra      []string
}

func withGroupLabels(d *prometheus.Desc, groups []string) *prometheus.Desc {
	key := groupedDescKey{d, joinNames(groups)}
	if v, ok := groupedDescs.Load(key); ok {
		return v.(*prometheus.Desc)
	}
	spec := descSpecs[d]
	labels := append(append(append([]string{}, sloLabels...), groups...), spec.extra...)
	nd := prometheus.NewDesc(spec.name, spec.help, labels, nil)
	groupedDescs.Store(key, nd)
	return nd
}

func joinNames(names []string) string {
	out := ""
	for _, n := range names {
		out += n + "\x00"
	}
	return out
}

// collectGroupCounts exports slo_groups once for each grouped SLO among
// results (from its first instance: every instance carries the same count).
func collectGroupCounts(out metricSink, results []slo.Result) {
	seen := map[string]bool{}
	for _, r := range results {
		if r.Groups == nil || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		out.gauge(groupsDesc, nil, []string{r.Service, r.Name, "evaluated"}, float64(r.Groups.Evaluated))
		out.gauge(groupsDesc, nil, []string{r.Service, r.Name, "dropped"}, float64(r.Groups.Found-r.Groups.Evaluated))
	}
}
