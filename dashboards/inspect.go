package dashboards

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Query is one PromQL query found in a dashboard's JSON: a panel target or
// the selector of a label_values variable.
type Query struct {
	Dashboard string // uid
	Panel     string // panel title, or "variable NAME"
	RefID     string
	Expr      string
	// Datasource is the data source uid of the target (or variable), and
	// PanelDatasource that of its panel; empty when not set.
	Datasource, PanelDatasource string
}

// Queries reads the queries back out of a generated dashboard's JSON. It
// reads the JSON rather than the Go values so that tests check what Grafana
// will load.
func Queries(dashboardJSON []byte) ([]Query, error) {
	var d struct {
		UID        string `json:"uid"`
		Panels     []rawPanel
		Templating struct {
			List []struct {
				Name       string          `json:"name"`
				Type       string          `json:"type"`
				Datasource *DataSourceRef  `json:"datasource"`
				Query      json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(dashboardJSON, &d); err != nil {
		return nil, fmt.Errorf("dashboards: reading dashboard JSON: %w", err)
	}
	var out []Query
	var walk func(ps []rawPanel)
	walk = func(ps []rawPanel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				q := Query{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: t.Expr}
				if t.Datasource != nil {
					q.Datasource = t.Datasource.UID
				}
				if p.Datasource != nil {
					q.PanelDatasource = p.Datasource.UID
				}
				out = append(out, q)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var vq VariableQuery
		if err := json.Unmarshal(v.Query, &vq); err != nil {
			return nil, fmt.Errorf("dashboards: variable %s: query: %w", v.Name, err)
		}
		sel, _, err := LabelValuesArgs(vq.Query)
		if err != nil {
			return nil, fmt.Errorf("dashboards: variable %s: %w", v.Name, err)
		}
		q := Query{Dashboard: d.UID, Panel: "variable " + v.Name, RefID: vq.RefID, Expr: sel}
		if v.Datasource != nil {
			q.Datasource = v.Datasource.UID
			q.PanelDatasource = v.Datasource.UID
		}
		out = append(out, q)
	}
	return out, nil
}

type rawPanel struct {
	Title      string         `json:"title"`
	Datasource *DataSourceRef `json:"datasource"`
	Targets    []struct {
		Datasource *DataSourceRef `json:"datasource"`
		Expr       string         `json:"expr"`
		RefID      string         `json:"refId"`
	} `json:"targets"`
	Panels []rawPanel `json:"panels"`
}

// LabelValuesArgs splits Grafana's label_values(SELECTOR, LABEL) variable
// query into the selector and the label name.
func LabelValuesArgs(q string) (selector, label string, err error) {
	const fn = "label_values("
	if !strings.HasPrefix(q, fn) || !strings.HasSuffix(q, ")") {
		return "", "", fmt.Errorf("variable query %q is not label_values(SELECTOR, LABEL)", q)
	}
	inner := q[len(fn) : len(q)-1]
	i := strings.LastIndex(inner, ",")
	if i < 0 {
		return "", "", fmt.Errorf("variable query %q has no label argument", q)
	}
	return strings.TrimSpace(inner[:i]), strings.TrimSpace(inner[i+1:]), nil
}

// Substitute replaces template variable references ($name and ${name}) in
// expr with values, as Grafana does before sending a query. Longer names are
// replaced first so that $slo does not eat the start of $slo_x.
func Substitute(expr string, values map[string]string) string {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	// Longest first; ties in name order for determinism.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && (len(names[j]) > len(names[j-1]) || len(names[j]) == len(names[j-1]) && names[j] < names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	for _, n := range names {
		expr = strings.ReplaceAll(expr, "${"+n+"}", values[n])
		expr = strings.ReplaceAll(expr, "$"+n, values[n])
	}
	return expr
}
