#!/usr/bin/env bash
# Runs every fuzz target in the module for a short fixed time each (part of
# scripts/test.sh; run it alone to fuzz without the rest of the suite).
#
# Each target starts from its committed corpus, testdata/fuzz/<target>/ in
# its package, plus its f.Add seeds; plain `go test` replays that corpus on
# every run. A failure writes the failing input into that folder: commit it
# with the fix, so it stays a regression test. Targets that run promtool per
# input (about half a second each) get a smaller budget, so the whole run
# stays under two minutes once the instrumented build is cached.
#
# SLOBUDGET_FUZZ_TIME overrides the default budget (15s), e.g. 2m for a
# longer local session.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

budget() {
	case "$1" in
	FuzzRulesLiteral) echo "${SLOBUDGET_FUZZ_TIME_PROMTOOL:-10s}" ;;
	*) echo "${SLOBUDGET_FUZZ_TIME:-15s}" ;;
	esac
}

status=0
targets=$(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' . | sed 's/:func /:/' | sort)
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
while IFS=: read -r file target; do
	pkg=$(dirname "$file")
	echo "fuzz.sh: $target in $pkg for $(budget "$target")" >&2
	# -fuzzminimizetime 1s: the default minimisation of large inputs stalls
	# a short run for seconds at a time.
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$(budget "$target")" -fuzzminimizetime 1s "$pkg" || status=1
done <<<"$targets"
exit "$status"
