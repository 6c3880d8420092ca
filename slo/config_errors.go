package slo

import (
	"fmt"
	"strings"
)

// ConfigError is one problem found in a config file, with where it is.
type ConfigError struct {
	File string
	// Line is 1-based; 0 when the problem has no line (an unreadable file).
	Line int
	// Subject is `slo "NAME"`, `policy "NAME"`, or empty for a top-level or
	// syntax problem. An entry without a usable name is `slos[3]` or
	// `policies[0]` (0-based index in its file).
	Subject string
	// Field is the path inside the subject, e.g. "sli.events.total".
	Field   string
	Message string
}

// Error formats the problem as FILE:LINE: SUBJECT: FIELD: MESSAGE, leaving
// out the parts that are empty.
func (e ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Subject != "" {
		b.WriteString(e.Subject)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// ConfigErrors is every problem found in a set of config files. LoadFiles and
// Parse return it (as error) whenever the config is invalid, so that a user
// can fix all problems in one go.
type ConfigErrors struct {
	Errors []ConfigError
}

// Error prints one problem per line, in file order and then line order.
func (e *ConfigErrors) Error() string {
	lines := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}
