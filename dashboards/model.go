package dashboards

// The types below are the subset of Grafana's classic dashboard JSON model
// that the generated dashboards use. Typed structs (rather than maps) keep
// the field order of the output stable, so golden files and the checked-in
// examples diff cleanly; panel options that differ per panel type are maps,
// which encoding/json writes with sorted keys.

// SchemaVersion is the dashboard schema the JSON follows (Grafana 10.4-11).
const SchemaVersion = 39

// DatasourceVar is the name of the data source template variable that every
// panel, query and query variable refers to.
const DatasourceVar = "datasource"

// DataSourceRef points at a data source; here always the template variable.
type DataSourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// promDS is the reference every panel, target and variable carries.
var promDS = &DataSourceRef{Type: "prometheus", UID: "${" + DatasourceVar + "}"}

// Dashboard is one dashboard file.
type Dashboard struct {
	Annotations   Annotations    `json:"annotations"`
	Description   string         `json:"description,omitempty"`
	Editable      bool           `json:"editable"`
	GraphTooltip  int            `json:"graphTooltip"`
	ID            *int           `json:"id"`
	Links         []Link         `json:"links"`
	Panels        []Panel        `json:"panels"`
	Refresh       string         `json:"refresh"`
	SchemaVersion int            `json:"schemaVersion"`
	Tags          []string       `json:"tags"`
	Templating    Templating     `json:"templating"`
	Time          TimeRange      `json:"time"`
	Timepicker    map[string]any `json:"timepicker"`
	Timezone      string         `json:"timezone"`
	Title         string         `json:"title"`
	UID           string         `json:"uid"`
	Version       int            `json:"version"`
}

// Annotations holds the dashboard's annotation queries (none are generated;
// Grafana adds its built-in one when the list is empty).
type Annotations struct {
	List []any `json:"list"`
}

// Link is a dashboard link shown at the top of the dashboard.
type Link struct {
	AsDropdown  bool     `json:"asDropdown"`
	IncludeVars bool     `json:"includeVars"`
	KeepTime    bool     `json:"keepTime"`
	Tags        []string `json:"tags"`
	TargetBlank bool     `json:"targetBlank"`
	Title       string   `json:"title"`
	Type        string   `json:"type"`
}

// TimeRange is the default time range.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Templating holds the template variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Variable is a template variable: the data source picker or a label query.
type Variable struct {
	AllValue    string         `json:"allValue,omitempty"`
	Current     map[string]any `json:"current"`
	Datasource  *DataSourceRef `json:"datasource,omitempty"`
	Definition  string         `json:"definition,omitempty"`
	Hide        int            `json:"hide"`
	IncludeAll  bool           `json:"includeAll"`
	Label       string         `json:"label"`
	Multi       bool           `json:"multi"`
	Name        string         `json:"name"`
	Options     []any          `json:"options"`
	Query       any            `json:"query"`
	Refresh     int            `json:"refresh"`
	Regex       string         `json:"regex"`
	SkipURLSync bool           `json:"skipUrlSync"`
	Sort        int            `json:"sort"`
	Type        string         `json:"type"`
}

// VariableQuery is the Prometheus data source's structured variable query.
type VariableQuery struct {
	QryType int    `json:"qryType"`
	Query   string `json:"query"`
	RefID   string `json:"refId"`
}

// GridPos places a panel on the 24-column grid.
type GridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

// Panel is one panel or row.
type Panel struct {
	Collapsed       *bool          `json:"collapsed,omitempty"`
	Datasource      *DataSourceRef `json:"datasource,omitempty"`
	Description     string         `json:"description,omitempty"`
	FieldConfig     *FieldConfig   `json:"fieldConfig,omitempty"`
	GridPos         GridPos        `json:"gridPos"`
	ID              int            `json:"id"`
	Options         map[string]any `json:"options,omitempty"`
	Panels          []Panel        `json:"panels,omitempty"`
	Targets         []Target       `json:"targets,omitempty"`
	Title           string         `json:"title"`
	Transformations []any          `json:"transformations,omitempty"`
	Type            string         `json:"type"`
}

// FieldConfig holds the defaults and per-field overrides of a panel.
type FieldConfig struct {
	Defaults  map[string]any `json:"defaults"`
	Overrides []Override     `json:"overrides"`
}

// Override changes properties of the fields a matcher selects.
type Override struct {
	Matcher    Matcher    `json:"matcher"`
	Properties []Property `json:"properties"`
}

// Matcher selects fields, e.g. by name or by a regular expression.
type Matcher struct {
	ID      string `json:"id"`
	Options string `json:"options"`
}

// Property is one overridden field property.
type Property struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// Target is one PromQL query of a panel.
type Target struct {
	Datasource   *DataSourceRef `json:"datasource"`
	EditorMode   string         `json:"editorMode"`
	Expr         string         `json:"expr"`
	Format       string         `json:"format"`
	Instant      bool           `json:"instant"`
	LegendFormat string         `json:"legendFormat,omitempty"`
	Range        bool           `json:"range"`
	RefID        string         `json:"refId"`
}
