package exporter

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// reloadHandler serves POST and PUT /-/reload. It is off unless
// --web.enable-lifecycle is given (SIGHUP always reloads), and even then it
// refuses what a browser on another site could send without the user
// meaning to: a request from another Origin, or a body a plain HTML form
// can post (those need no CORS preflight).
func (d *Daemon) reloadHandler(w http.ResponseWriter, r *http.Request) {
	if !d.lifecycle {
		http.Error(w, "Lifecycle API is not enabled: start with --web.enable-lifecycle, or send SIGHUP.", http.StatusForbidden)
		return
	}
	if msg := crossSite(r); msg != "" {
		http.Error(w, "reload refused: "+msg, http.StatusForbidden)
		return
	}
	if msg := formBody(r); msg != "" {
		http.Error(w, "reload refused: "+msg, http.StatusUnsupportedMediaType)
		return
	}
	if err := d.Reload(); err != nil {
		http.Error(w, "config reload failed, the previous config stays in use:\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "Config reloaded.")
}

// crossSite explains why a request comes from another site, or returns "".
// curl and scripts send no Origin; a browser sends one with every POST.
func crossSite(r *http.Request) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return fmt.Sprintf("the browser says the request comes from another site (Sec-Fetch-Site: %s)", site)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	u, err := url.Parse(origin)
	own := "http"
	if r.TLS != nil {
		own = "https"
	}
	if err != nil || !strings.EqualFold(u.Scheme, own) || !strings.EqualFold(u.Host, r.Host) {
		return fmt.Sprintf("Origin %q is not this server (%s://%s)", origin, own, r.Host)
	}
	return ""
}

// formBody explains why the body is one an HTML form can send, or returns "".
func formBody(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("unreadable Content-Type %q", ct)
	}
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return fmt.Sprintf("a %s body is what a web form on any site can post; send no body (curl -X POST)", mt)
	}
	return ""
}
