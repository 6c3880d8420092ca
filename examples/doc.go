// Package examples holds no code: it is the home of the example configuration
// (slobudget.yml, prometheus.yml, alertmanager.yml, Kubernetes manifests) and
// of the tests that keep the generated files beside it in sync and check that
// Prometheus, promtool and the daemon accept them. README.md describes them.
//
// Regenerate every generated file here after changing slobudget.yml or the
// generators with:
//
//	go generate ./examples/
package examples

//go:generate go test . -run TestGeneratedInSync -update
