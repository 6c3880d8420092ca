package dashboards

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/slobudget/slobudget/internal/promqlparse"
	"github.com/slobudget/slobudget/slo"
)

// TestEveryQueryParses parses every panel query and variable selector with
// the PromQL parser, as written (variables inside label strings) and with
// the variables replaced the way Grafana replaces them.
func TestEveryQueryParses(t *testing.T) {
	values := map[string]string{"service": "api", "team": ".*", "slo": "api-latency", "datasource": "prom"}
	n := 0
	for _, f := range generate(t, loadTestConfig(t), Options{}) {
		qs, err := Queries(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			n++
			for _, expr := range []string{q.Expr, Substitute(q.Expr, values)} {
				if _, err := promqlparse.ParseExpr(expr); err != nil {
					t.Errorf("%s / %s / %s: %q does not parse: %v", q.Dashboard, q.Panel, q.RefID, expr, err)
				}
			}
			if strings.Contains(Substitute(q.Expr, values), "$") {
				t.Errorf("%s / %s: %q uses a variable the dashboard does not define", q.Dashboard, q.Panel, q.Expr)
			}
		}
	}
	if n < 30 {
		t.Fatalf("found only %d queries; Queries is not reading the panels", n)
	}
}

// TestEveryDatasourceIsTheVariable walks the whole JSON: every
// "datasource" key must be the Prometheus data source variable, and every
// panel and target must have one.
func TestEveryDatasourceIsTheVariable(t *testing.T) {
	for _, f := range generate(t, loadTestConfig(t), Options{}) {
		var doc any
		if err := json.Unmarshal(f.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		count := 0
		walkJSON(doc, "", func(path string, key string, v any) {
			if key != "datasource" {
				return
			}
			count++
			m, ok := v.(map[string]any)
			if !ok || m["type"] != "prometheus" || m["uid"] != "${datasource}" || len(m) != 2 {
				t.Errorf("%s: %s = %v, want {type: prometheus, uid: ${datasource}}", f.Name, path, v)
			}
		})
		qs, err := Queries(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Datasource != "${datasource}" || q.PanelDatasource != "${datasource}" {
				t.Errorf("%s / %s / %s: data source %q, panel data source %q", f.Name, q.Panel, q.RefID, q.Datasource, q.PanelDatasource)
			}
		}
		if count < len(qs) {
			t.Errorf("%s: %d datasource references for %d queries", f.Name, count, len(qs))
		}
		var d Dashboard
		if err := json.Unmarshal(f.JSON, &d); err != nil {
			t.Fatal(err)
		}
		if v := d.Templating.List[0]; v.Type != "datasource" || v.Name != "datasource" || v.Query != "prometheus" {
			t.Errorf("%s: first variable is %+v, want the prometheus data source variable", f.Name, v)
		}
		if d.SchemaVersion < 39 || d.SchemaVersion > 41 {
			t.Errorf("%s: schemaVersion %d", f.Name, d.SchemaVersion)
		}
	}
}

func walkJSON(v any, path string, fn func(path, key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := path + "." + k
			fn(p, k, c)
			walkJSON(c, p, fn)
		}
	case []any:
		for i, c := range x {
			walkJSON(c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// TestPanelIDsAndLayout: ids unique, panels inside the 24-column grid and
// not overlapping, so Grafana shows them where the generator put them.
func TestPanelIDsAndLayout(t *testing.T) {
	for _, f := range generate(t, loadTestConfig(t), Options{}) {
		var d Dashboard
		if err := json.Unmarshal(f.JSON, &d); err != nil {
			t.Fatal(err)
		}
		ids := map[int]string{}
		titles := map[string]bool{}
		for i, p := range d.Panels {
			// Titles name panels in test failures and in Grafana's search.
			if titles[p.Title] {
				t.Errorf("%s: two panels are titled %q", f.Name, p.Title)
			}
			titles[p.Title] = true
			if other, dup := ids[p.ID]; dup {
				t.Errorf("%s: panels %q and %q share id %d", f.Name, other, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			g := p.GridPos
			if g.X < 0 || g.W <= 0 || g.H <= 0 || g.X+g.W > 24 {
				t.Errorf("%s: panel %q outside the grid: %+v", f.Name, p.Title, g)
			}
			for _, q := range d.Panels[:i] {
				h := q.GridPos
				if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
					t.Errorf("%s: panels %q %+v and %q %+v overlap", f.Name, q.Title, h, p.Title, g)
				}
			}
		}
	}
}

// TestUIDs: unique, at most 40 characters, and unchanged by the SLOs in
// the config (links and bookmarks survive config edits).
func TestUIDs(t *testing.T) {
	cfg := loadTestConfig(t)
	one := &slo.Config{Policies: cfg.Policies, SLOs: cfg.SLOs[:1]}
	long := strings.Repeat("x", 45)
	for _, o := range []Options{{}, {UIDPrefix: "payments_prod"}, {UIDPrefix: long}, {UIDPrefix: long + "y"}} {
		a, b := generate(t, cfg, o), generate(t, one, o)
		seen := map[string]bool{}
		for i, f := range a {
			var d Dashboard
			if err := json.Unmarshal(f.JSON, &d); err != nil {
				t.Fatal(err)
			}
			if d.UID != f.UID || f.Name != f.UID+".json" {
				t.Errorf("file %s has uid %q in its JSON, %q in File", f.Name, d.UID, f.UID)
			}
			if len(f.UID) > MaxUIDLength || !uidChars.MatchString(f.UID) {
				t.Errorf("uid %q: longer than %d or has characters Grafana rejects", f.UID, MaxUIDLength)
			}
			if seen[f.UID] {
				t.Errorf("uid %q used twice", f.UID)
			}
			seen[f.UID] = true
			if b[i].UID != f.UID {
				t.Errorf("uid changed with the SLOs in the config: %q vs %q", f.UID, b[i].UID)
			}
			if o.UIDPrefix != "" && len(o.UIDPrefix) < 30 && !strings.HasPrefix(f.UID, o.UIDPrefix+"-") {
				t.Errorf("uid %q does not start with the prefix %q", f.UID, o.UIDPrefix)
			}
		}
	}
	// Two long prefixes that differ only past the cut must not collide.
	x, y := generate(t, cfg, Options{UIDPrefix: long}), generate(t, cfg, Options{UIDPrefix: long + "y"})
	if x[0].UID == y[0].UID {
		t.Errorf("long prefixes collide: %q", x[0].UID)
	}
	if _, err := Generate(cfg, Options{UIDPrefix: "no spaces"}); err == nil {
		t.Error("a uid prefix with a space was accepted")
	}
	if _, err := Generate(&slo.Config{}, Options{}); err == nil {
		t.Error("a config without SLOs was accepted")
	}
}

// TestThresholdFactors reads the burn-rate threshold series back from the
// detail dashboard and compares each window's factor with the SRE
// Workbook's table (math.md): 30d 14.4/6/3/1, 28d 13.44/5.6/2.8/0.933,
// and for 7d the same fractions × 7d / long window, computed here.
func TestThresholdFactors(t *testing.T) {
	want := map[string][4]float64{
		"30d": {14.4, 6, 3, 1},
		"28d": {13.44, 5.6, 2.8, 28.0 / 30},
		"7d":  {0.02 * 7 * 24, 0.05 * 7 * 24 / 6, 0.10 * 7, 0.10 * 7 / 3},
	}
	files := generate(t, loadTestConfig(t), Options{})
	qs, err := Queries(files[1].JSON)
	if err != nil {
		t.Fatal(err)
	}
	branch := regexp.MustCompile(`^([0-9.e+-]+) \* group\(slo_info\{service=~"\$service", slo="\$slo", window="([^"]+)"\}\)$`)
	got := map[string][]float64{}
	thresholdQueries := 0
	for _, q := range qs {
		if !strings.Contains(q.Expr, "group(slo_info") {
			continue
		}
		thresholdQueries++
		for _, b := range strings.Split(q.Expr, " or ") {
			m := branch.FindStringSubmatch(b)
			if m == nil {
				t.Fatalf("threshold branch %q has an unexpected shape", b)
			}
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			got[m[2]] = append(got[m[2]], v)
		}
	}
	if thresholdQueries != 4 {
		t.Fatalf("%d threshold queries, want one per alert pair (4)", thresholdQueries)
	}
	for w, fs := range want {
		if len(got[w]) != 4 {
			t.Errorf("window %s: %d thresholds %v, want 4", w, len(got[w]), got[w])
			continue
		}
		for i := range fs {
			if math.Abs(got[w][i]-fs[i]) > 1e-9*fs[i] {
				t.Errorf("window %s pair %d: factor %g, want %g", w, i, got[w][i], fs[i])
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("thresholds for windows %v, want exactly %d windows", got, len(want))
	}
}

func TestSubstitute(t *testing.T) {
	got := Substitute(`x{a="$slo", b="${slo}", c="$slo_x", d="$service"}`, map[string]string{"slo": "S", "slo_x": "X", "service": "api"})
	if want := `x{a="S", b="S", c="X", d="api"}`; got != want {
		t.Errorf("Substitute = %s, want %s", got, want)
	}
}

func TestLabelValuesArgs(t *testing.T) {
	sel, label, err := LabelValuesArgs(`label_values(slo_info{service=~"$service", x="a,b"}, slo)`)
	if err != nil || sel != `slo_info{service=~"$service", x="a,b"}` || label != "slo" {
		t.Errorf("got %q, %q, %v", sel, label, err)
	}
	for _, bad := range []string{"query_result(up)", "label_values(up)"} {
		if _, _, err := LabelValuesArgs(bad); err == nil {
			t.Errorf("LabelValuesArgs(%q) accepted", bad)
		}
	}
}
