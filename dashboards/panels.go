package dashboards

// grid places panels left to right on Grafana's 24-column grid and starts a
// new line when a panel does not fit, so the builders only give sizes.
type grid struct {
	x, y, lineH int
	nextID      int
	panels      []Panel
}

const gridWidth = 24

func (g *grid) add(p Panel, w, h int) {
	if g.x+w > gridWidth {
		g.y += g.lineH
		g.x, g.lineH = 0, 0
	}
	g.nextID++
	p.ID = g.nextID
	p.GridPos = GridPos{H: h, W: w, X: g.x, Y: g.y}
	g.x += w
	if h > g.lineH {
		g.lineH = h
	}
	g.panels = append(g.panels, p)
}

// row starts a new line with a row header.
func (g *grid) row(title string) {
	if g.x > 0 {
		g.y += g.lineH
		g.x, g.lineH = 0, 0
	}
	collapsed := false
	g.add(Panel{Type: "row", Title: title, Collapsed: &collapsed, Panels: []Panel{}}, gridWidth, 1)
	g.y++
	g.x, g.lineH = 0, 0
}

// query is one target before refIds are assigned.
type query struct {
	expr, legend string
}

// targets turns queries into targets with refIds A, B, ...; instant targets
// serve stats, tables and bar gauges, range targets serve time series.
func targets(instant bool, qs ...query) []Target {
	out := make([]Target, len(qs))
	for i, q := range qs {
		format := "time_series"
		if instant {
			format = "table"
		}
		out[i] = Target{
			Datasource:   promDS,
			EditorMode:   "code",
			Expr:         q.expr,
			Format:       format,
			Instant:      instant,
			LegendFormat: q.legend,
			Range:        !instant,
			RefID:        refID(i),
		}
	}
	return out
}

func refID(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return string(rune('A'+i/26-1)) + string(rune('A'+i%26))
}

// thresholds is Grafana's threshold list: the first step has no value (it
// is the base color), the others start at their value.
func thresholds(base string, steps ...any) map[string]any {
	list := []any{map[string]any{"color": base, "value": nil}}
	for i := 0; i+1 < len(steps); i += 2 {
		list = append(list, map[string]any{"color": steps[i+1], "value": steps[i]})
	}
	return map[string]any{"mode": "absolute", "steps": list}
}

// valueText maps exact values to text and colors, e.g. 1 → "FROZEN".
func valueText(pairs ...[3]string) map[string]any {
	opts := map[string]any{}
	for i, p := range pairs {
		opts[p[0]] = map[string]any{"text": p[1], "color": p[2], "index": i}
	}
	return map[string]any{"type": "value", "options": opts}
}

// notBurning shows +Inf time to exhaustion (the daemon's "not burning") as
// words; Grafana compares the value's string form, which is "Infinity".
var notBurning = valueText([3]string{"Infinity", "not burning", "green"})

func statPanel(title, desc, unit string, th map[string]any, mappings []any, qs ...query) Panel {
	defaults := map[string]any{"unit": unit, "thresholds": th, "color": map[string]any{"mode": "thresholds"}}
	if mappings != nil {
		defaults["mappings"] = mappings
	}
	return Panel{
		Type: "stat", Title: title, Description: desc, Datasource: promDS,
		FieldConfig: &FieldConfig{Defaults: defaults, Overrides: []Override{}},
		Options: map[string]any{
			"colorMode": "background", "graphMode": "none", "justifyMode": "auto",
			"orientation": "auto", "textMode": "auto", "wideLayout": true,
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
		},
		Targets: targets(true, qs...),
	}
}

func timeSeriesPanel(title, desc, unit string, overrides []Override, qs ...query) Panel {
	if overrides == nil {
		overrides = []Override{}
	}
	return Panel{
		Type: "timeseries", Title: title, Description: desc, Datasource: promDS,
		FieldConfig: &FieldConfig{
			Defaults: map[string]any{
				"unit":   unit,
				"color":  map[string]any{"mode": "palette-classic"},
				"custom": map[string]any{"drawStyle": "line", "lineWidth": 1, "fillOpacity": 0, "showPoints": "never", "spanNulls": false},
			},
			Overrides: overrides,
		},
		Options: map[string]any{
			"legend":  map[string]any{"displayMode": "table", "placement": "bottom", "showLegend": true, "calcs": []string{"lastNotNull"}},
			"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
		},
		Targets: targets(false, qs...),
	}
}

func stateTimelinePanel(title, desc string, mappings []any, qs ...query) Panel {
	return Panel{
		Type: "state-timeline", Title: title, Description: desc, Datasource: promDS,
		FieldConfig: &FieldConfig{
			Defaults: map[string]any{
				"mappings":   mappings,
				"color":      map[string]any{"mode": "thresholds"},
				"thresholds": thresholds("green"),
				"custom":     map[string]any{"fillOpacity": 80, "lineWidth": 0},
			},
			Overrides: []Override{},
		},
		Options: map[string]any{
			"mergeValues": true, "showValue": "auto", "rowHeight": 0.9, "alignValue": "left",
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": false},
			"tooltip": map[string]any{"mode": "single", "sort": "none"},
		},
		Targets: targets(false, qs...),
	}
}

// dashedLine styles the threshold series of a burn-rate panel.
func dashedLine(regex, color string) Override {
	return Override{
		Matcher: Matcher{ID: "byRegexp", Options: regex},
		Properties: []Property{
			{ID: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}},
			{ID: "custom.lineWidth", Value: 2},
			{ID: "color", Value: map[string]any{"mode": "fixed", "fixedColor": color}},
		},
	}
}
