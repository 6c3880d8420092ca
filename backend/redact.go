package backend

import (
	"net/url"
	"strings"
)

// RedactURL returns raw with the password of its user info replaced by
// "***" (http://user:***@host/), the form every log line and error uses. It
// works on strings that do not parse as URLs too, since a malformed URL is
// exactly what an error message quotes.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
		// url.URL.String escapes "*"; keep it readable.
		return strings.Replace(u.String(), "%2A%2A%2A@", "***@", 1)
	}
	// Unparsable: blank whatever sits between "scheme://user:" and the last
	// "@" of the authority.
	scheme := strings.Index(raw, "://")
	if scheme < 0 {
		return raw
	}
	rest := raw[scheme+3:]
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return raw
	}
	userinfo := authority[:at]
	if colon := strings.IndexByte(userinfo, ':'); colon >= 0 {
		userinfo = userinfo[:colon] + ":***"
	}
	return raw[:scheme+3] + userinfo + rest[at:]
}
