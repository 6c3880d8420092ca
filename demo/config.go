package demo

import (
	_ "embed"
)

// ConfigFileName is the name of the demo's config in its data directory.
const ConfigFileName = "slobudget-demo.yml"

//go:embed demo.yml
var configYAML []byte

// ConfigYAML returns the demo's SLO config: one SLO of each common type,
// measuring the series the generator writes.
func ConfigYAML() []byte { return append([]byte(nil), configYAML...) }
