package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/slobudget/slobudget/backend"
	"github.com/slobudget/slobudget/engine"
	"github.com/slobudget/slobudget/report"
	"github.com/slobudget/slobudget/slo"
)

// The gate's exit codes besides exitOK (releases may ship) and exitError.
const (
	exitFrozen = 3 // the error-budget policy freezes feature releases
	exitNoData = 4 // the SLI's series do not exist: there is nothing to decide on
)

func init() { commandFactories = append(commandFactories, newGateCmd) }

type gateCmd struct {
	files          *[]string
	exclusions     *[]string
	promURL        *string
	promHTTPConfig *string
	daemonURL      *string
	daemonHTTP     *string
	slos           *[]string
	timeout        *time.Duration
}

func newGateCmd(app *kingpin.Application) command {
	c := app.Command("gate", "Release gate: one line per SLO and an exit code a pipeline can branch on: "+
		"0 releases may ship, 3 the policy freezes them, 4 no data, 1 error. Evaluates the config against Prometheus, "+
		"or asks a running daemon (--slobudget.url).")
	return &gateCmd{
		files:          c.Flag("config.file", "SLO config file; repeatable. With --prometheus.url: evaluate here, now.").ExistingFiles(),
		exclusions:     exclusionsFlag(c),
		promURL:        c.Flag("prometheus.url", "Prometheus-compatible query API base URL (with --config.file).").String(),
		promHTTPConfig: c.Flag("prometheus.http-config.file", "Optional http_config YAML for Prometheus (bearer token, basic auth, TLS, headers).").ExistingFile(),
		daemonURL:      c.Flag("slobudget.url", "Base URL of a running slobudget serve: read its latest numbers instead of evaluating.").String(),
		daemonHTTP:     c.Flag("slobudget.http-config.file", "Optional http_config YAML for the daemon (its --web.config.file basic auth or TLS).").ExistingFile(),
		slos:           c.Flag("slo", "The SLO to gate on (repeatable: the most severe decision decides the exit code).").Required().PlaceHolder("NAME").Strings(),
		timeout:        c.Flag("timeout", "How long the whole check may take.").Default("2m").Duration(),
	}
}

func (c *gateCmd) name() string { return "gate" }

func (c *gateCmd) run(stdout, stderr io.Writer) int {
	local, remote := len(*c.files) > 0 || *c.promURL != "", *c.daemonURL != ""
	switch {
	case local && remote:
		fmt.Fprintln(stderr, "slobudget gate: give either --config.file with --prometheus.url, or --slobudget.url, not both; try 'slobudget gate --help'")
		return exitUsage
	case remote:
	case len(*c.files) == 0 || *c.promURL == "":
		fmt.Fprintln(stderr, "slobudget gate: needs --config.file and --prometheus.url, or --slobudget.url; try 'slobudget gate --help'")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *c.timeout)
	defer cancel()
	var results []slo.Result
	var at time.Time
	var err error
	if remote {
		results, err = c.fromDaemon(ctx)
		at = time.Now()
	} else {
		results, at, err = c.evaluate(ctx)
	}
	if err != nil {
		fmt.Fprintln(stderr, "slobudget gate:", err)
		return exitError
	}
	code := exitOK
	for _, r := range results {
		d := gateDecision(r)
		fmt.Fprintf(stdout, "%s: %s\n", d.word, report.Verdict(r, at))
		code = worseGate(code, d.code)
	}
	return code
}

// evaluate runs one evaluation of the chosen SLOs now, as report does.
func (c *gateCmd) evaluate(ctx context.Context) ([]slo.Result, time.Time, error) {
	cfg, err := slo.Load(slo.LoadOptions{ConfigFiles: *c.files, ExclusionFiles: *c.exclusions})
	if err == nil {
		cfg, err = cfg.SelectSLOs(*c.slos)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	src, err := backend.NewPrometheus(backend.Options{URL: *c.promURL, HTTPConfigFile: *c.promHTTPConfig, Timeout: *c.timeout})
	if err != nil {
		return nil, time.Time{}, err
	}
	eng, err := engine.New(cfg, engine.Options{Source: src, OneShot: true})
	if err != nil {
		return nil, time.Time{}, err
	}
	now := time.Now()
	eng.EvaluateAt(ctx, now)
	byName := map[string]slo.Result{}
	for _, r := range eng.Results() {
		byName[r.Name] = r
	}
	var out []slo.Result
	for _, name := range *c.slos {
		out = append(out, byName[name])
	}
	return out, eng.Instant(now), nil
}

// fromDaemon reads each SLO's latest result from a running daemon's API.
func (c *gateCmd) fromDaemon(ctx context.Context) ([]slo.Result, error) {
	base, err := url.Parse(strings.TrimRight(*c.daemonURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("--slobudget.url %q: want an http:// or https:// URL with a host", backend.RedactURL(*c.daemonURL))
	}
	client, err := backend.HTTPClient(*c.daemonHTTP, "slobudget-gate")
	if err != nil {
		return nil, err
	}
	var out []slo.Result
	for _, name := range *c.slos {
		u := *base
		u.Path += "/api/v1/slos/" + url.PathEscape(name)
		r, err := fetchResult(ctx, client, u.String())
		if err != nil {
			return nil, fmt.Errorf("slo %q from %s: %w", name, backend.RedactURL(*c.daemonURL), err)
		}
		out = append(out, r)
	}
	return out, nil
}

func fetchResult(ctx context.Context, client *http.Client, u string) (slo.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return slo.Result{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return slo.Result{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return slo.Result{}, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return slo.Result{}, fmt.Errorf("HTTP %d: %s", resp.StatusCode, e.Error)
		}
		return slo.Result{}, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var r slo.Result
	if err := json.Unmarshal(body, &r); err != nil {
		return slo.Result{}, fmt.Errorf("the answer is not an SLO result: %w", err)
	}
	return r, nil
}

type gateOutcome struct {
	code int
	word string
}

// gateDecision maps a result to the gate's decision. A freeze is a freeze
// even on numbers a failed evaluation left standing; otherwise a failed
// evaluation decides nothing (error), and no data is its own answer.
func gateDecision(r slo.Result) gateOutcome {
	switch {
	case r.HasNumbers() && r.FeatureFreeze:
		return gateOutcome{exitFrozen, "FROZEN"}
	case r.Error != "" || r.EvaluatedAt.IsZero():
		return gateOutcome{exitError, "ERROR"}
	case r.DataMissing:
		return gateOutcome{exitNoData, "NO DATA"}
	}
	return gateOutcome{exitOK, "SHIP"}
}

// gateSeverity orders the exit codes: a known freeze blocks whatever else is
// said, an error (nothing known) comes before no data (known: nothing to
// decide on), and shipping is the mildest.
var gateSeverity = map[int]int{exitOK: 0, exitNoData: 1, exitError: 2, exitFrozen: 3}

func worseGate(a, b int) int {
	if gateSeverity[b] > gateSeverity[a] {
		return b
	}
	return a
}
