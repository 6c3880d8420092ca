package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// do sends one query within the concurrency and time limits, counts it by
// outcome and decodes the answer; only a complete, warning-free answer comes
// back without an error.
//
// want names the result type the caller needs ("matrix"), or is empty for any.
func (p *Prometheus) do(ctx context.Context, api string, form url.Values, query, when, want string) (*answer, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Outcome: Timeout, Query: query, When: when, Err: ctx.Err()}
	}
	defer func() { <-p.sem }()

	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	// The backend gives up a little before we do, and says so in a
	// readable error instead of a cut connection.
	form.Set("timeout", p.timeout.String())
	if p.stats != nil {
		form.Set("stats", "all")
	}
	for k, v := range p.flav.extraParams() {
		form.Set(k, v)
	}
	start := time.Now()
	a, outcome, err := p.roundTrip(ctx, api, form)
	if err == nil && want != "" && a.resultType != want {
		outcome, err = BadResponse, fmt.Errorf("expected a %s result, got %s", want, typeName(a.resultType))
	}
	if p.observe != nil {
		p.observe(outcome, time.Since(start))
	}
	if err != nil {
		return nil, &Error{Outcome: outcome, Query: query, When: when, Err: err}
	}
	if p.stats != nil {
		p.stats(a.samplesRead)
	}
	return a, nil
}

// roundTrip POSTs the form (long selectors fit in a body, not in a URL) and
// falls back to GET for a server or proxy that refuses POST.
func (p *Prometheus) roundTrip(ctx context.Context, api string, form url.Values) (*answer, Outcome, error) {
	u := p.base.JoinPath("api", "v1", api)
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, OtherError, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err == nil && (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented) {
		drainAndClose(resp)
		get := *u
		get.RawQuery = body
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, get.String(), nil); err != nil {
			return nil, OtherError, err
		}
		resp, err = p.client.Do(req)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, Timeout, fmt.Errorf("no answer within %s: %w", p.timeout, ctx.Err())
		}
		return nil, OtherError, err
	}
	defer resp.Body.Close()
	body2 := &cappedReader{r: resp.Body, left: p.maxBytes}

	if resp.StatusCode/100 != 2 {
		outcome, err := p.errorAnswer(resp, body2)
		return nil, outcome, err
	}
	a, err := decodeAnswer(body2)
	switch {
	case errors.Is(err, errTooLarge):
		return nil, TooLarge, fmt.Errorf("the answer is larger than the %s limit (--prometheus.max-response-size): query fewer series or a shorter range", formatBytes(p.maxBytes))
	case err != nil && ctx.Err() != nil:
		return nil, Timeout, fmt.Errorf("answer cut off after %s: %w", p.timeout, ctx.Err())
	case err != nil:
		return nil, BadResponse, fmt.Errorf("undecodable answer: %w", err)
	case a.status != "success":
		return nil, outcomeForAPIError(a.errorType, resp.StatusCode), fmt.Errorf("%s: %s", a.errorType, a.errMsg)
	}
	if err := partialResponse(a.warnings); err != nil {
		return nil, BadResponse, err
	}
	return a, Success, nil
}

// errorAnswer reads a non-2xx answer: Prometheus's JSON error when there is
// one, otherwise the status and the start of the body (a proxy's HTML page).
func (p *Prometheus) errorAnswer(resp *http.Response, body io.Reader) (Outcome, error) {
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	if a, err := decodeAnswer(strings.NewReader(string(raw))); err == nil && a.status == "error" {
		return outcomeForAPIError(a.errorType, resp.StatusCode), fmt.Errorf("%s (HTTP %d): %s", a.errorType, resp.StatusCode, a.errMsg)
	}
	return outcomeForAPIError("", resp.StatusCode), fmt.Errorf("HTTP %s: %s", resp.Status, snippet(raw))
}

func snippet(b []byte) string {
	const max = 200
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

func drainAndClose(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

var errTooLarge = errors.New("answer too large")

// cappedReader fails once more than left bytes have been read, so a huge
// answer is refused while it streams in instead of after it is in memory.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells "exactly at the cap" from "above it".
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
