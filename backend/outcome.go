package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Outcome classifies one query, for slobudget_prometheus_queries_total.
type Outcome string

// Every outcome a query can have. Outcomes lists them in a fixed order.
const (
	Success     Outcome = "success"
	Timeout     Outcome = "timeout"
	ServerError Outcome = "server_error"
	BadResponse Outcome = "bad_response"
	QueryError  Outcome = "query_error"
	ClientError Outcome = "client_error"
	TooLarge    Outcome = "too_large"
	OtherError  Outcome = "error"
)

// Outcomes is every Outcome, for initialising per-outcome metrics.
var Outcomes = []Outcome{Success, Timeout, ServerError, BadResponse, QueryError, ClientError, TooLarge, OtherError}

// Error is a failed query: what was asked, and how it failed.
type Error struct {
	Outcome Outcome
	// Query is the PromQL sent; When says at which instant or range.
	Query, When string
	Err         error
}

func (e *Error) Error() string {
	return fmt.Sprintf("query %q at %s: %v", e.Query, e.When, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Classify returns the outcome of a query error: the one recorded in an
// *Error, or one derived from a context error.
func Classify(err error) Outcome {
	var qe *Error
	switch {
	case err == nil:
		return Success
	case errors.As(err, &qe):
		return qe.Outcome
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Timeout
	}
	return OtherError
}

// outcomeForAPIError maps a Prometheus API error type (the "errorType" of an
// error answer) and HTTP status to an outcome.
func outcomeForAPIError(errorType string, status int) Outcome {
	switch errorType {
	case "timeout", "canceled":
		return Timeout
	case "bad_data", "execution":
		return QueryError
	}
	switch {
	case status >= 500:
		return ServerError
	case status >= 400:
		return ClientError
	}
	return BadResponse
}

// partialResponse is the one rule for warnings: an answer that carries any
// warning is not used. Thanos and Mimir warn when some stores or queriers
// did not answer, and counts from such an answer would be too low without
// anything saying so; Prometheus itself warns about data it could not read
// as asked. An answer's "infos" (Prometheus 3's notes such as "metric might
// not be a counter") are not warnings and do not fail it.
func partialResponse(warnings []string) error {
	if len(warnings) == 0 {
		return nil
	}
	return fmt.Errorf("partial response: %s", strings.Join(warnings, "; "))
}
