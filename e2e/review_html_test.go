package e2e

import (
	"bytes"
	"flag"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/slobudget/slobudget/internal/synth"
)

// -review.screenshot writes docs/review.png; without it the screenshot is
// only checked, so a test run never changes a tracked file.
var updateReviewScreenshot = flag.Bool("review.screenshot", false, "write the review's HTML screenshot to docs/review.png")

// TestReviewHTMLInChromium renders `review --format=html` of the four months
// of data in headless Chromium: one section per SLO with its monthly
// compliance bars and burn-down chart, and the portfolio.
func TestReviewHTMLInChromium(t *testing.T) {
	chromium := requireChromium(t)
	_, prom, cfgPath := reviewFixture(t)
	bin := buildSlobudget(t)
	page := filepath.Join(t.TempDir(), "review.html")
	runCLIOK(t, bin, "review", "--config.file="+cfgPath, "--prometheus.url="+prom.URL,
		"--time="+synth.ReviewEnd.Format(time.RFC3339), "--format=html", "--output="+page)
	body, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	defer srv.Close()
	ctx := browser(t, chromium)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1700), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("#portfolio")); err != nil {
		t.Fatalf("loading the review: %v", err)
	}
	sections, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.slo").length`))
	if err != nil {
		t.Fatal(err)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("section.slo svg")].filter(s => s.getBoundingClientRect().width > 100).length`))
	if err != nil {
		t.Fatal(err)
	}
	if sections != 3 || charts < 3 {
		t.Errorf("%d SLO sections and %d charts laid out wider than 100px, want 3 and at least 3", sections, charts)
	}
	text, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"checkout-availability", "Keep", "Tighten", "Loosen", "postmortem"} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered review lacks %q", want)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if *updateReviewScreenshot {
		dst := filepath.Join("..", "docs", "review.png")
		if err := os.WriteFile(dst, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", dst)
	}
}

// TestReviewOfTheExampleConfig is the "tried as a new user": the
// example config against the four months of data. checkout-availability
// has data and gets its figures and verdict; the example's other SLOs
// match no series and say so instead of inventing a verdict.
func TestReviewOfTheExampleConfig(t *testing.T) {
	_, prom, _ := reviewFixture(t)
	bin := buildSlobudget(t)
	out := string(runCLIOK(t, bin, "review", "--config.file=../examples/slobudget.yml", "--prometheus.url="+prom.URL,
		"--time="+synth.ReviewEnd.Format(time.RFC3339)))
	t.Logf("review of examples/slobudget.yml:\n%s", out)
	for _, want := range []string{"checkout-availability", "Keep:", "POSTMORTEM", "No verdict", "NO DATA: the SLI's series have no samples", "(4 without data)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	if strings.Contains(out, "healthy 90d") {
		t.Error("an SLO without data is said to have spent the period healthy")
	}
	if strings.Contains(out, "2026-01*   1 of 1") {
		t.Error("the portfolio marks January partial because SLOs without data do not cover it")
	}
}
