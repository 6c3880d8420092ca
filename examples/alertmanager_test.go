package examples

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
)

// amtool ships in Debian's prometheus-alertmanager package with the server.
const amtool = "amtool"

// receiverFor is the routing alertmanager.yml promises (its header comment
// and README.md): freezes are a product decision, pages wake on-call, a
// required postmortem goes to the incident review, everything else is a
// ticket.
func receiverFor(alertname, severity string) string {
	switch {
	case alertname == "SLOFeatureFreeze":
		return "product"
	case alertname == "SLOErrorBudgetBurn" && severity == "page":
		return "oncall"
	case alertname == "SLOPostmortemRequired":
		return "postmortems"
	default:
		return "tickets"
	}
}

// TestAlertmanagerRoutesGeneratedAlerts checks the config with amtool, then
// routes every distinct alertname and severity the generated rules can
// raise and compares the receiver with the intended one.
func TestAlertmanagerRoutesGeneratedAlerts(t *testing.T) {
	bin := promtest.Require(t, amtool)
	if out, err := exec.Command(bin, "check-config", "alertmanager.yml").CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config examples/alertmanager.yml: %v\n%s", err, out)
	}
	alerts := generatedAlerts(t)
	if len(alerts) < 3 {
		t.Fatalf("found only %v in rules/slobudget.rules.yml; want burn (page and ticket), freeze and data-missing alerts", alerts)
	}
	for _, a := range alerts {
		args := []string{"config", "routes", "test", "--config.file=alertmanager.yml",
			"alertname=" + a[0], "service=checkout", "slo=checkout-availability"}
		if a[1] != "" {
			args = append(args, "severity="+a[1])
		}
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Errorf("amtool %s: %v", strings.Join(args, " "), err)
			continue
		}
		if got, want := strings.TrimSpace(string(out)), receiverFor(a[0], a[1]); got != want {
			t.Errorf("%s severity=%q goes to %q, want %q", a[0], a[1], got, want)
		}
	}
}

// generatedAlerts lists the distinct (alertname, severity) pairs of the
// alerting rules in rules/slobudget.rules.yml.
func generatedAlerts(t *testing.T) [][2]string {
	t.Helper()
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert  string            `yaml:"alert"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, filepath.Join("rules", "slobudget.rules.yml")), &file); err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			p := [2]string{r.Alert, r.Labels["severity"]}
			if r.Alert != "" && !slices.Contains(pairs, p) {
				pairs = append(pairs, p)
			}
		}
	}
	return pairs
}

// TestAlertmanagerInhibitsTicketsDuringPage loads alertmanager.yml into the
// real Alertmanager, posts a page and a ticket for one SLO and a ticket for
// another, and expects only the first SLO's ticket to be inhibited.
func TestAlertmanagerInhibitsTicketsDuringPage(t *testing.T) {
	am := promtest.StartAlertmanager(t, string(readFile(t, "alertmanager.yml")))
	burn := func(slo, severity string) map[string]any {
		return map[string]any{"labels": map[string]string{
			"alertname": "SLOErrorBudgetBurn", "service": "checkout", "slo": slo, "severity": severity,
		}}
	}
	body, err := json.Marshal([]any{
		burn("checkout-availability", "page"),
		burn("checkout-availability", "ticket"),
		burn("checkout-latency", "ticket"),
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(am.URL+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}

	want := map[string]bool{ // slo/severity -> inhibited
		"checkout-availability/page":   false,
		"checkout-availability/ticket": true,
		"checkout-latency/ticket":      false,
	}
	var got map[string]bool
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got = alertInhibition(t, am.URL)
		if fmt.Sprint(got) == fmt.Sprint(want) || time.Now().After(deadline) {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inhibited alerts: got %v, want %v", got, want)
	}
}

// alertInhibition maps each alert Alertmanager holds to whether it is
// inhibited.
func alertInhibition(t *testing.T, url string) map[string]bool {
	t.Helper()
	code, body, err := get(url + "/api/v2/alerts")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/v2/alerts: %d %v %s", code, err, body)
	}
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &alerts); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, a := range alerts {
		out[a.Labels["slo"]+"/"+a.Labels["severity"]] = len(a.Status.InhibitedBy) > 0
	}
	return out
}
