#!/usr/bin/env bash
# The one command that tests slobudget, locally and in CI.
#
# It installs what the end-to-end tests run against when it is missing (the
# real Prometheus + promtool, Alertmanager, VictoriaMetrics with vmagent and
# vmalert, and Chromium for the status page),
# then checks formatting, vets, runs every test with SLOBUDGET_E2E=require
# so that a missing binary fails instead of skipping, and fuzzes every fuzz
# target briefly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]; }

missing=()
for bin in prometheus promtool prometheus-alertmanager victoria-metrics vmalert vmagent; do
	have "$bin" || missing+=("$bin")
done
have chromium || have chromium-browser || missing+=(chromium)

if ((${#missing[@]})); then
	echo "test.sh: missing ${missing[*]}; installing from Debian's packages" >&2
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "test.sh: apt-get not found; install prometheus, prometheus-alertmanager, chromium and victoria-metrics yourself" >&2
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		prometheus prometheus-alertmanager chromium victoria-metrics
fi

export SLOBUDGET_E2E=require
status=0

echo "test.sh: gofmt" >&2
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "test.sh: not gofmt-formatted (run gofmt -w):" >&2
	echo "$unformatted" >&2
	status=1
fi

# Every step runs even after a failure, so one run shows all problems.
echo "test.sh: go vet ./..." >&2
go vet ./... || status=1

# Two tests run on their own after the rest, where two shared cores make
# their real-time races rarer (rules/README.md says what was seen):
#  - TestVMAlertAgreesWithDaemon: under load vmalert sometimes reads its own
#    running sums one evaluation late from VictoriaMetrics; the test then
#    compares the next evaluation (the running sums must be exact at each);
#  - TestRulesAlertmanagerRouting: the page reached Alertmanager after its
#    SLO's tickets, so the inhibition did not hold (two full runs in three;
#    cause not established).
alone='^(TestVMAlertAgreesWithDaemon|TestRulesAlertmanagerRouting)$'
echo "test.sh: go test -count=1 -timeout 40m -skip '$alone' ./..." >&2
go test -count=1 -timeout 40m -skip "$alone" ./... || status=1
echo "test.sh: go test -count=1 -run '$alone' ./rules/ ./e2e/ (alone, one package at a time)" >&2
go test -count=1 -timeout 10m -p 1 -run "$alone" ./rules/ ./e2e/ || status=1

# Fuzzing: every fuzz target briefly, from its committed corpus.
echo "test.sh: scripts/fuzz.sh" >&2
scripts/fuzz.sh || status=1

if [ "$status" -ne 0 ]; then
	echo "test.sh: FAILED" >&2
else
	echo "test.sh: all checks passed" >&2
fi
exit "$status"
