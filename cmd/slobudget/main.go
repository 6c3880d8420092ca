package main

import (
	_ "github.com/alecthomas/kingpin/v2"
	_ "github.com/prometheus/client_golang/api"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/common/config"
	_ "github.com/prometheus/exporter-toolkit/web"
	_ "github.com/prometheus/prometheus/promql"
	_ "github.com/prometheus/prometheus/promql/parser"
	_ "github.com/prometheus/prometheus/tsdb"
	_ "go.uber.org/zap"
	_ "go.uber.org/zap/exp/zapslog"
	_ "gopkg.in/yaml.v3"
)

func main() {}
