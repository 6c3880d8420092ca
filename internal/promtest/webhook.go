package promtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// WebhookMessage is what Alertmanager's webhook receiver POSTs (version 4).
type WebhookMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
}

// WebhookAlert is one alert inside a WebhookMessage.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Webhook is the receiving end of a real Alertmanager: an HTTP server that
// records every message. httptest is fine here because the peer under test
// is the real Alertmanager, not this receiver.
type Webhook struct {
	// URL is where Alertmanager should POST (webhook_configs: - url: URL).
	URL string

	mu       sync.Mutex
	messages []WebhookMessage
	errs     []string
	notify   chan struct{}
}

// NewWebhook starts a receiver that lives until the test ends.
func NewWebhook(t testing.TB) *Webhook {
	t.Helper()
	w := &Webhook{notify: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(srv.Close)
	w.URL = srv.URL + "/hook"
	return w
}

func (w *Webhook) serve(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var m WebhookMessage
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	w.mu.Lock()
	if err != nil {
		w.errs = append(w.errs, err.Error()+": "+string(body))
	} else {
		w.messages = append(w.messages, m)
	}
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default:
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
	}
}

// Messages returns a copy of everything received so far.
func (w *Webhook) Messages() []WebhookMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]WebhookMessage(nil), w.messages...)
}

// WaitFor waits until some received alert satisfies match and returns it;
// it fails the test after timeout, listing what did arrive.
func (w *Webhook) WaitFor(t testing.TB, timeout time.Duration, match func(WebhookAlert) bool) WebhookAlert {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, m := range w.Messages() {
			for _, a := range m.Alerts {
				if match(a) {
					return a
				}
			}
		}
		select {
		case <-w.notify:
		case <-deadline:
			w.mu.Lock()
			got, errs := w.messages, w.errs
			w.mu.Unlock()
			t.Fatalf("no matching alert within %s; received %d messages: %+v; undecodable: %v", timeout, len(got), got, errs)
			return WebhookAlert{}
		}
	}
}
