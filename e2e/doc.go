// Package e2e holds slobudget's end-to-end tests: generated data with known
// answers is backfilled into the real Prometheus (Debian's package) and the
// real slobudget binary must report the generator's numbers.
//
// Run them with the rest of the suite (scripts/test.sh), or alone:
//
//	SLOBUDGET_E2E=require go test -count=1 ./e2e/
//
// Without Prometheus installed they skip locally, and fail when CI=true or
// SLOBUDGET_E2E=require.
package e2e
