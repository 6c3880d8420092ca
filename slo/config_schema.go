package slo

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Decoding is declarative: every format (the native one, Sloth, Pyrra,
// OpenSLO) describes each YAML mapping it accepts as a spec, a table of the
// keys it knows, how each value is read and where it goes. One walker,
// decode, applies a spec: unknown keys are errors with a suggestion,
// required keys are checked, keys a format has but slobudget does not take
// are errors that say what slobudget does instead, and every problem is
// collected with its line, so that all of them are reported at once.

// spec describes one YAML mapping decoded into a T.
type spec[T any] struct {
	fields []field[T]
	// after runs once all fields are read, for rules that span fields.
	after func(r reporter, m fields, path string, dst *T)
}

// field is one key of a mapping.
type field[T any] struct {
	key string
	// required makes the key mandatory; hint follows "required: " in the
	// message when it is missing (or null).
	required bool
	hint     string
	// read decodes a present, non-null value into dst. path is the field's
	// full name for messages ("sli.events.total").
	read func(r reporter, n *yaml.Node, path string, dst *T)
	// instead marks a key the format defines but slobudget does not take:
	// giving it is an error, and instead says what slobudget does instead.
	instead string
	// ignored marks a key that has no effect on SLOs (documentation only,
	// such as a display name); it is read as any value and dropped.
	ignored bool
}

// keys lists the keys a spec knows, for unknown-key suggestions.
func (s spec[T]) keys() []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.key
	}
	return out
}

// decode reads n as the mapping s describes into dst. ok is false when n is
// not a mapping (already reported, unless it is null).
func (s spec[T]) decode(r reporter, n *yaml.Node, path string, dst *T) (fields, bool) {
	m, ok := r.mapping(n, path, s.keys()...)
	if !ok {
		return m, false
	}
	for _, f := range s.fields {
		p := join(path, f.key)
		v, present := m.values[f.key]
		switch {
		case f.instead != "" && present:
			r.errorf(m.keys[f.key], p, "not supported: %s", f.instead)
		case f.ignored || f.instead != "":
		case !isNull(v):
			f.read(r, resolve(v), p, dst)
		case f.required:
			msg := "required"
			if f.hint != "" {
				msg += ": " + f.hint
			}
			// An empty `key:` is pointed at; a missing key at its mapping.
			at := m.node
			if present {
				at = m.keys[f.key]
			}
			r.errorf(at, p, "%s", msg)
		}
	}
	if s.after != nil {
		s.after(r, m, path, dst)
	}
	return m, true
}

// The constructors below build the common fields; formats add their own
// read functions for anything else.

// check returns why a value is invalid, or "" when it is fine.
type check[V any] func(V) string

func runChecks[V any](r reporter, n *yaml.Node, path string, v V, checks []check[V]) bool {
	for _, c := range checks {
		if msg := c(v); msg != "" {
			r.errorf(n, path, "%s", msg)
			return false
		}
	}
	return true
}

// textField reads a string into *to(dst).
func textField[T any](key string, to func(*T) *string, checks ...check[string]) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		if v, ok := r.str(n, path); ok {
			*to(dst) = v
			runChecks(r, n, path, v, checks)
		}
	}}
}

// numberField reads a YAML number into *to(dst).
func numberField[T any](key string, to func(*T) *float64, checks ...check[float64]) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		if v, ok := r.number(n, path); ok {
			*to(dst) = v
			runChecks(r, n, path, v, checks)
		}
	}}
}

// boolField reads true or false into *to(dst).
func boolField[T any](key string, to func(*T) *bool) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		if v, ok := r.boolean(n, path); ok {
			*to(dst) = v
		}
	}}
}

// durationField reads a Prometheus duration into *to(dst).
func durationField[T any](key string, to func(*T) *time.Duration, checks ...check[time.Duration]) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		if _, d, ok := r.duration(n, path); ok {
			*to(dst) = d
			runChecks(r, n, path, d, checks)
		}
	}}
}

// labelsField reads user labels (validated label names, non-empty values).
func labelsField[T any](key string, to func(*T) *map[string]string) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		*to(dst) = r.labels(n, path)
	}}
}

// annotationsField reads alert annotations.
func annotationsField[T any](key string, to func(*T) *map[string]string) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		*to(dst) = r.annotations(n, path)
	}}
}

// nested reads a sub-mapping with its own spec into *to(dst).
func nested[T, U any](key string, s *spec[U], to func(*T) *U) field[T] {
	return field[T]{key: key, read: func(r reporter, n *yaml.Node, path string, dst *T) {
		s.decode(r, n, path, to(dst))
	}}
}

// rejected is a key slobudget recognises but does not take.
func rejected[T any](key, instead string) field[T] {
	return field[T]{key: key, instead: instead}
}

// ignoredField is a key without effect on SLOs (a display name).
func ignoredField[T any](key string) field[T] {
	return field[T]{key: key, ignored: true}
}

// required marks f as mandatory with a hint for the message.
func required[T any](f field[T], hint string) field[T] {
	f.required, f.hint = true, hint
	return f
}
