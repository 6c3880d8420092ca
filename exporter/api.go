package exporter

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiList serves GET /api/v1/slos: every SLO's latest result.
func (d *Daemon) apiList(w http.ResponseWriter, r *http.Request) {
	resp := map[string]any{"slos": d.Engine.Snapshot().Results}
	if s := d.scope.shardJSON(); s != nil {
		resp["shard"] = s // this replica serves its shard's SLOs only
	}
	writeJSON(w, http.StatusOK, resp)
}

// apiOne serves GET /api/v1/slos/{name}.
func (d *Daemon) apiOne(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	res, ok := d.Engine.Result(name)
	if !ok {
		if keys := d.instanceKeys(name); len(keys) > 0 {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("slo %q is grouped: ask for one of its instances", name), "instances": keys})
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no SLO named %q has been evaluated", name)})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// instanceKeys lists the instance keys of a grouped SLO's results.
func (d *Daemon) instanceKeys(name string) []string {
	var keys []string
	for _, r := range d.Engine.Snapshot().Results {
		if r.Name == name && r.Instance != "" {
			keys = append(keys, r.Instance)
		}
	}
	return keys
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
