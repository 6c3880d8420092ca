package dashboards

// datasourceVariable lets the user pick any Prometheus data source; no
// generated file names one.
func datasourceVariable() Variable {
	return Variable{
		Current: map[string]any{},
		Hide:    0,
		Label:   "Data source",
		Name:    DatasourceVar,
		Options: []any{},
		Query:   "prometheus",
		Refresh: 1,
		Type:    "datasource",
	}
}

// labelVariable lists the values of label on the series of selector.
// Multi-valued variables use ".*" for "All" rather than Grafana's default
// alternation of the listed values, so that SLOs without the label (a team
// is optional) still show when nothing is filtered.
func labelVariable(name, label, selector, labelName string, multi bool) Variable {
	q := "label_values(" + selector + ", " + labelName + ")"
	v := Variable{
		Current:    map[string]any{},
		Datasource: promDS,
		Definition: q,
		IncludeAll: multi,
		Label:      label,
		Multi:      multi,
		Name:       name,
		Options:    []any{},
		Query:      VariableQuery{QryType: 1, Query: q, RefID: "PrometheusVariableQueryEditor-VariableQuery"},
		Refresh:    2, // on time range change: SLOs come and go with config reloads
		Sort:       1,
		Type:       "query",
	}
	if multi {
		v.AllValue = ".*"
		v.Current = map[string]any{"selected": true, "text": []string{"All"}, "value": []string{"$__all"}}
	}
	return v
}

// dashboardLinks links the generated dashboards to each other by tag,
// carrying the variables and time range along.
func dashboardLinks() []Link {
	return []Link{{
		AsDropdown: false, IncludeVars: true, KeepTime: true,
		Tags: []string{"slobudget"}, Title: "slobudget", Type: "dashboards",
	}}
}
