package backend

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestUnknownFlavorRefused(t *testing.T) {
	_, err := NewPrometheus(Options{URL: "http://localhost:9090", Flavor: "influxdb"})
	if err == nil || !strings.Contains(err.Error(), "--backend.flavor") || !strings.Contains(err.Error(), "victoriametrics") {
		t.Fatalf("error %v, want one naming the flag and the choices", err)
	}
	for _, f := range append(Flavors, "") {
		if _, err := NewPrometheus(Options{URL: "http://localhost:9090", Flavor: f}); err != nil {
			t.Errorf("flavor %q: %v", f, err)
		}
	}
}

// What each flavor puts on the wire: Thanos gets partial_response=false on
// instant and range queries; VictoriaMetrics' hourly flag query asks for
// staleness markers; Prometheus gets neither.
func TestFlavorsOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var forms []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		forms = append(forms, map[string]string{"path": r.URL.Path, "query": r.Form.Get("query"), "partial_response": r.Form.Get("partial_response")})
		mu.Unlock()
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	}))
	defer srv.Close()
	for _, c := range []struct {
		flavor, partial string
		stale           bool
	}{{"prometheus", "", false}, {"thanos", "false", false}, {"victoriametrics", "", true}, {"mimir", "", false}} {
		forms = nil
		p, err := NewPrometheus(Options{URL: srv.URL, Flavor: c.flavor})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := p.Samples(ctx, "x", time.Unix(0, 0), time.Unix(60, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := p.HourlyIncreases(ctx, "x", time.Unix(3600, 0), time.Unix(7200, 0)); err != nil {
			t.Fatal(err)
		}
		if len(forms) != 3 {
			t.Fatalf("%s: %d requests, want 3", c.flavor, len(forms))
		}
		for _, f := range forms {
			if f["partial_response"] != c.partial {
				t.Errorf("%s: %s %q sent partial_response=%q, want %q", c.flavor, f["path"], f["query"], f["partial_response"], c.partial)
			}
		}
		if got := strings.Contains(forms[2]["query"], "stale_samples_over_time(x[65m])"); got != c.stale {
			t.Errorf("%s: hourly flag query %q", c.flavor, forms[2]["query"])
		}
	}
}
