package exporter

import (
	"net/http"
)

// DefaultMaxRequestsInFlight bounds the pages served at once (/metrics, the
// status page, the API); beyond it requests get 503 at once instead of
// queueing up memory and CPU the evaluation needs.
const DefaultMaxRequestsInFlight = 40

// limitInFlight answers 503 (with Retry-After) while max requests through it
// are being served. It never waits: a full server says so immediately.
func limitInFlight(max int, next http.Handler, rejected func()) http.Handler {
	sem := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
			next.ServeHTTP(w, r)
		default:
			rejected()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests in flight; try again", http.StatusServiceUnavailable)
		}
	})
}
