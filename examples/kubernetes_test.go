package examples

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slobudget/slobudget/internal/promtest"
	"github.com/slobudget/slobudget/slo"
)

const k8sDir = "kubernetes"

// The daemon's routes the probes must hit and the URL the manifests promise;
// the daemon test below checks the routes on the running binary.
const (
	livenessPath  = "/-/healthy"
	readinessPath = "/-/ready"
	metricsPath   = "/metrics"
	operatorURL   = "http://prometheus-operated:9090"
	imageRef      = "ghcr.io/slobudget/slobudget:latest"
)

// manifests holds the decoded example manifests after the structural checks.
type manifests struct {
	kust    kustomization
	deploy  deployment
	svc     service
	monitor serviceMonitor
	rule    prometheusRule
}

// loadManifests decodes every resource the kustomization lists, each into its
// kind's type, strictly, and checks the kinds and apiVersions.
func loadManifests(t *testing.T) manifests {
	t.Helper()
	var m manifests
	decodeStrict(t, filepath.Join(k8sDir, "kustomization.yaml"), &m.kust)
	if m.kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || m.kust.Kind != "Kustomization" {
		t.Fatalf("kustomization.yaml: apiVersion %q kind %q, want kustomize.config.k8s.io/v1beta1 Kustomization", m.kust.APIVersion, m.kust.Kind)
	}
	// Every manifest in the directory is applied: a new file that is not
	// listed would be silently left out by kubectl apply -k.
	onDisk, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range onDisk {
		if filepath.Base(f) != "kustomization.yaml" {
			want = append(want, filepath.Base(f))
		}
	}
	got := slices.Clone(m.kust.Resources)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization.yaml resources %v, want every manifest in the directory: %v", got, want)
	}

	type target struct {
		apiVersion, kind string
		into             any
	}
	kinds := map[string]target{
		"Deployment":     {"apps/v1", "Deployment", &m.deploy},
		"Service":        {"v1", "Service", &m.svc},
		"ServiceMonitor": {"monitoring.coreos.com/v1", "ServiceMonitor", &m.monitor},
		"PrometheusRule": {"monitoring.coreos.com/v1", "PrometheusRule", &m.rule},
	}
	seen := map[string]string{}
	for _, res := range m.kust.Resources {
		file := filepath.Join(k8sDir, res)
		docs := documents(t, file)
		if len(docs) != 1 {
			t.Errorf("%s: %d YAML documents, want one object per file", file, len(docs))
			continue
		}
		var tm typeMeta
		if err := docs[0].Decode(&tm); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		tg, ok := kinds[tm.Kind]
		if !ok {
			t.Errorf("%s: unexpected kind %q", file, tm.Kind)
			continue
		}
		if tm.APIVersion != tg.apiVersion {
			t.Errorf("%s: %s has apiVersion %q, want %q", file, tm.Kind, tm.APIVersion, tg.apiVersion)
		}
		if prev, dup := seen[tm.Kind]; dup {
			t.Errorf("%s: a second %s (the first is in %s)", file, tm.Kind, prev)
		}
		seen[tm.Kind] = file
		if tm.Metadata.Namespace != "" {
			t.Errorf("%s: metadata.namespace %q; the manifests must apply to any namespace", file, tm.Metadata.Namespace)
		}
		if tm.Metadata.Name == "" {
			t.Errorf("%s: no metadata.name", file)
		}
		decodeStrict(t, file, tg.into)
	}
	for kind := range kinds {
		if _, ok := seen[kind]; !ok {
			t.Errorf("no %s among the kustomization's resources", kind)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return m
}

// documents splits a file into its YAML documents; a syntax error fails.
func documents(t *testing.T, file string) []*yaml.Node {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, file)))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		docs = append(docs, &n)
	}
}

// decodeStrict decodes a single-document file, failing on fields into has not.
func decodeStrict(t *testing.T, file string, into any) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, file)))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	d := m.deploy
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]

	if !subset(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) || len(d.Spec.Selector.MatchLabels) == 0 {
		t.Errorf("deployment: selector %v does not select its pod labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
	}
	if c.Image != imageRef {
		t.Errorf("deployment: image %q, want the documented placeholder %q", c.Image, imageRef)
	}
	if len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Errorf("deployment: args %q, want serve first", c.Args)
	}
	if u := flagValue(c.Args, "--prometheus.url"); u != operatorURL {
		t.Errorf("deployment: --prometheus.url=%q, want %q", u, operatorURL)
	}

	// Security: non-root, nothing writable, no privileges to gain.
	sc := pod.SecurityContext
	if !isTrue(sc.RunAsNonRoot) || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("deployment: pod securityContext must run as a non-root user: runAsNonRoot %v runAsUser %v", deref(sc.RunAsNonRoot), deref(sc.RunAsUser))
	} else if uid := dockerfileUser(t); *sc.RunAsUser != uid {
		t.Errorf("deployment: runAsUser %d, but the Dockerfile's image runs as %d", *sc.RunAsUser, uid)
	}
	if !isTrue(c.SecurityContext.ReadOnlyRootFilesystem) {
		t.Errorf("deployment: container securityContext.readOnlyRootFilesystem must be true")
	}
	if c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Errorf("deployment: container securityContext.allowPrivilegeEscalation must be false")
	}
	if !slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL") {
		t.Errorf("deployment: container capabilities must drop ALL, drop %v", c.SecurityContext.Capabilities.Drop)
	}
	checkResources(t, c)

	// Probes go to the container's http port; which paths the daemon
	// serves there is TestKubernetesDeploymentRunsDaemon's job.
	httpPort := containerPort(c, "http")
	if httpPort == 0 {
		t.Fatalf("deployment: no container port named http: %+v", c.Ports)
	}
	for _, p := range []struct {
		name string
		pr   *probe
		path string
	}{{"livenessProbe", c.LivenessProbe, livenessPath}, {"readinessProbe", c.ReadinessProbe, readinessPath}} {
		if p.pr == nil || p.pr.HTTPGet == nil {
			t.Errorf("deployment: no %s.httpGet", p.name)
			continue
		}
		if p.pr.HTTPGet.Path != p.path {
			t.Errorf("deployment: %s path %q, want %q", p.name, p.pr.HTTPGet.Path, p.path)
		}
		if got := resolvePort(c, p.pr.HTTPGet.Port); got != httpPort {
			t.Errorf("deployment: %s port %v is not the http port %d", p.name, p.pr.HTTPGet.Port, httpPort)
		}
	}

	// The ConfigMap reaches the container at the path --config.file names.
	cfgFile := configFileInPod(t, m)
	if !strings.HasPrefix(cfgFile, "/") {
		t.Errorf("deployment: --config.file=%q is not an absolute path in the container", cfgFile)
	}

	// Service -> pods, ServiceMonitor -> Service.
	s := m.svc
	if len(s.Spec.Selector) == 0 || !subset(s.Spec.Selector, d.Spec.Template.Metadata.Labels) {
		t.Errorf("service: selector %v does not select the pods %v", s.Spec.Selector, d.Spec.Template.Metadata.Labels)
	}
	var svcPort int
	for _, p := range s.Spec.Ports {
		if p.Name == "http" {
			svcPort = p.Port
			if got := resolvePort(c, p.TargetPort); got != httpPort {
				t.Errorf("service: port http targets %v, not the container's http port %d", p.TargetPort, httpPort)
			}
		}
	}
	if svcPort != httpPort {
		t.Errorf("service: port named http is %d, want %d like the container", svcPort, httpPort)
	}
	mon := m.monitor
	if len(mon.Spec.Selector.MatchLabels) == 0 || !subset(mon.Spec.Selector.MatchLabels, s.Metadata.Labels) {
		t.Errorf("servicemonitor: selector %v does not select the service's labels %v", mon.Spec.Selector.MatchLabels, s.Metadata.Labels)
	}
	if len(mon.Spec.Endpoints) != 1 {
		t.Fatalf("servicemonitor: %d endpoints, want 1", len(mon.Spec.Endpoints))
	}
	ep := mon.Spec.Endpoints[0]
	if ep.Port != "http" || !ep.HonorLabels || (ep.Path != "" && ep.Path != metricsPath) {
		t.Errorf("servicemonitor endpoint: port %q honorLabels %v path %q; want port http, honorLabels true (slobudget's service label must not become exported_service), path %s", ep.Port, ep.HonorLabels, ep.Path, metricsPath)
	}
}

// configFileInPod checks that --config.file names a file the ConfigMap
// generator puts into the mounted volume and returns the in-container path.
func configFileInPod(t *testing.T, m manifests) string {
	t.Helper()
	pod := m.deploy.Spec.Template.Spec
	c := pod.Containers[0]
	cfgFile := flagValue(c.Args, "--config.file")
	if len(m.kust.ConfigMapGenerator) != 1 || len(m.kust.ConfigMapGenerator[0].Files) != 1 {
		t.Fatalf("kustomization.yaml: want one configMapGenerator with one file, got %+v", m.kust.ConfigMapGenerator)
	}
	gen := m.kust.ConfigMapGenerator[0]
	var volume string
	for _, v := range pod.Volumes {
		if v.ConfigMap.Name == gen.Name {
			volume = v.Name
		}
	}
	if volume == "" {
		t.Fatalf("deployment: no volume from the generated ConfigMap %q", gen.Name)
	}
	for _, vm := range c.VolumeMounts {
		if vm.Name != volume {
			continue
		}
		if !vm.ReadOnly {
			t.Errorf("deployment: the config volume should be mounted readOnly")
		}
		// A generator file entry "key=path" stores path under key.
		key := gen.Files[0]
		if k, _, ok := strings.Cut(key, "="); ok {
			key = k
		}
		if want := path.Join(vm.MountPath, path.Base(key)); cfgFile != want {
			t.Errorf("deployment: --config.file=%q, but the ConfigMap's file is mounted at %q", cfgFile, want)
		}
		return cfgFile
	}
	t.Fatalf("deployment: volume %q is not mounted in the container", volume)
	return ""
}

// TestKubernetesConfigMapSource checks the file the ConfigMap is generated
// from is a config slobudget accepts (its equality with slobudget.yml is
// TestGeneratedInSync's).
func TestKubernetesConfigMapSource(t *testing.T) {
	var k kustomization
	decodeStrict(t, filepath.Join(k8sDir, "kustomization.yaml"), &k)
	for _, g := range k.ConfigMapGenerator {
		for _, f := range g.Files {
			if _, p, ok := strings.Cut(f, "="); ok {
				f = p
			}
			file := filepath.Join(k8sDir, f)
			cfg, err := slo.Parse(file, readFile(t, file))
			if err != nil {
				t.Errorf("ConfigMap %s source %s: %v", g.Name, file, err)
				continue
			}
			if len(cfg.SLOs) == 0 {
				t.Errorf("ConfigMap %s source %s defines no SLOs", g.Name, file)
			}
		}
	}
}

// TestKubernetesPrometheusRule checks the PrometheusRule carries the same
// groups as the plain rule file and that promtool accepts them.
func TestKubernetesPrometheusRule(t *testing.T) {
	m := loadManifests(t)
	var plain struct {
		Groups []any `yaml:"groups"`
	}
	decodeStrict(t, filepath.Join("rules", "slobudget.rules.yml"), &plain)
	if len(m.rule.Spec.Groups) == 0 {
		t.Fatalf("prometheusrule.yaml has no groups")
	}
	if !reflect.DeepEqual(m.rule.Spec.Groups, plain.Groups) {
		t.Errorf("prometheusrule.yaml's groups differ from rules/slobudget.rules.yml's; regenerate with go generate ./examples/")
	}
	bin := promtest.Require(t, promtest.Promtool)
	spec, err := yaml.Marshal(map[string]any{"groups": m.rule.Spec.Groups})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "spec.yml")
	if err := os.WriteFile(file, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules on the PrometheusRule's spec: %v\n%s", err, out)
	}
}

// TestKubernetesDeploymentRunsDaemon runs the binary with the Deployment's
// own arguments (the config path mapped to the ConfigMap's source, the
// Prometheus URL to a real local Prometheus) and asks it the probes' paths
// and the ServiceMonitor's path. The port must be the binary's default.
func TestKubernetesDeploymentRunsDaemon(t *testing.T) {
	m := loadManifests(t)
	c := m.deploy.Spec.Template.Spec.Containers[0]
	if got, want := containerPort(c, "http"), defaultPort(t); got != want {
		t.Errorf("deployment: container port http is %d, but slobudget serve listens on %d by default", got, want)
	}
	prom := promtest.StartPrometheus(t, promtest.Options{})
	cfgInPod := configFileInPod(t, m)
	local, err := filepath.Abs(filepath.Join(k8sDir, path.Base(cfgInPod)))
	if err != nil {
		t.Fatal(err)
	}
	port := promtest.FreePort(t)
	var args []string
	for _, a := range c.Args {
		switch {
		case strings.HasPrefix(a, "--config.file="):
			a = "--config.file=" + local
		case strings.HasPrefix(a, "--prometheus.url="):
			a = "--prometheus.url=" + prom.URL
		}
		args = append(args, a)
	}
	args = append(args, fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
	startDaemon(t, args...)

	waitStatus(t, localURL(port, c.LivenessProbe.HTTPGet.Path), 200, 10*time.Second)
	waitStatus(t, localURL(port, c.ReadinessProbe.HTTPGet.Path), 200, 20*time.Second)
	// The route really decides: a path next to it is not served.
	if code, _, err := get(localURL(port, c.ReadinessProbe.HTTPGet.Path+"z")); err != nil || code != 404 {
		t.Errorf("GET %sz: %d %v, want 404", c.ReadinessProbe.HTTPGet.Path, code, err)
	}
	ep := m.monitor.Spec.Endpoints[0]
	metricsAt := ep.Path
	if metricsAt == "" {
		metricsAt = metricsPath // the operator's default
	}
	body := waitStatus(t, localURL(port, metricsAt), 200, 5*time.Second)
	cfg, err := slo.LoadFiles(local)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cfg.SLOs {
		if !strings.Contains(body, fmt.Sprintf(`slo_objective_ratio{service=%q,slo=%q}`, s.Service, s.Name)) {
			t.Errorf("%s has no slo_objective_ratio for SLO %s", metricsAt, s.Name)
		}
	}
}

func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func containerPort(c container, name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// resolvePort turns a probe's or Service's port (a name or a number) into the
// container port it means, 0 if none.
func resolvePort(c container, port any) int {
	switch p := port.(type) {
	case int:
		return p
	case string:
		if n, err := strconv.Atoi(p); err == nil {
			return n
		}
		return containerPort(c, p)
	}
	return 0
}

func subset(small, big map[string]string) bool {
	for k, v := range small {
		if big[k] != v {
			return false
		}
	}
	return true
}

func isTrue(b *bool) bool { return b != nil && *b }

func deref[T any](p *T) any {
	if p == nil {
		return "unset"
	}
	return *p
}

var dockerUser = regexp.MustCompile(`(?m)^USER\s+(\d+)`)

// dockerfileUser is the numeric user the repository's image runs as.
func dockerfileUser(t *testing.T) int64 {
	t.Helper()
	mt := dockerUser.FindSubmatch(readFile(t, filepath.Join(moduleRoot, "Dockerfile")))
	if mt == nil {
		t.Fatalf("Dockerfile has no numeric USER line")
	}
	uid, err := strconv.ParseInt(string(mt[1]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// checkResources wants requests for CPU and memory and a memory limit at
// least as large as the request.
func checkResources(t *testing.T, c container) {
	t.Helper()
	r := c.Resources
	for _, k := range []string{"cpu", "memory"} {
		if r.Requests[k] == "" {
			t.Errorf("deployment: no resources.requests.%s", k)
		}
	}
	req, err1 := bytesQuantity(r.Requests["memory"])
	lim, err2 := bytesQuantity(r.Limits["memory"])
	if err := errors.Join(err1, err2); err != nil {
		t.Errorf("deployment: memory resources: %v", err)
	} else if lim < req {
		t.Errorf("deployment: memory limit %s below the request %s", r.Limits["memory"], r.Requests["memory"])
	}
}

// bytesQuantity parses the binary-suffix memory quantities the manifests
// use (64Mi); other spellings are reported, not guessed.
func bytesQuantity(q string) (int64, error) {
	for i, suffix := range []string{"Ki", "Mi", "Gi"} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("quantity %q: %v", q, err)
			}
			return v << (10 * (i + 1)), nil
		}
	}
	return 0, fmt.Errorf("quantity %q: want a number with Ki, Mi or Gi", q)
}
