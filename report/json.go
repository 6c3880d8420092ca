package report

import (
	"encoding/json"
	"io"

	"github.com/slobudget/slobudget/slo"
)

// apiList is the JSON API's list shape (contract.md): {"slos": [...]}.
type apiList struct {
	SLOs []slo.Result `json:"slos"`
}

// writeJSON prints the API shape, indented and with a trailing newline. HTML
// escaping is off because error texts quote PromQL (=~, <, &&) for people to read.
func writeJSON(w io.Writer, results []slo.Result) error {
	list := apiList{SLOs: results}
	if list.SLOs == nil {
		list.SLOs = []slo.Result{} // "slos": [] rather than null
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(list)
}
