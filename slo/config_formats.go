package slo

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// format is one accepted config format, recognised by the version,
// apiVersion and kind of a document.
type format struct {
	// name is how messages and `convert` comments call it.
	name   string
	decode func(top reporter, doc *yaml.Node, fc *fileConfig)
}

var nativeFormat = format{name: "slobudget", decode: decodeNative}

// peerFormats maps "apiVersion kind" (or "version" for Sloth's plain
// files) to the format that reads it.
var peerFormats = map[string]format{}

// formatHeader reads the keys that tell formats apart.
func formatHeader(doc *yaml.Node) (version, apiVersion, kind string, ok bool) {
	doc = resolve(doc)
	if doc == nil || doc.Kind != yaml.MappingNode {
		return "", "", "", false
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		v := resolve(doc.Content[i+1])
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		switch doc.Content[i].Value {
		case "version":
			version, ok = v.Value, true
		case "apiVersion":
			apiVersion, ok = v.Value, true
		case "kind":
			kind, ok = v.Value, true
		}
	}
	return version, apiVersion, kind, ok
}

// detectFormat picks the format of a document: native unless it names a
// version, apiVersion or kind.
func detectFormat(top reporter, doc *yaml.Node) (format, bool) {
	version, apiVersion, kind, peer := formatHeader(doc)
	if !peer {
		return nativeFormat, true
	}
	key := apiVersion + " " + kind
	if apiVersion == "" {
		key = version
	}
	if f, ok := peerFormats[key]; ok {
		return f, true
	}
	if f, ok := peerFormats[apiVersion+" *"]; ok && apiVersion != "" {
		return f, true
	}
	known := make([]string, 0, len(peerFormats))
	for k := range peerFormats {
		known = append(known, strings.TrimSuffix(k, " *"))
	}
	sort.Strings(known)
	what := fmt.Sprintf("version %q", version)
	if apiVersion != "" || kind != "" {
		what = fmt.Sprintf("apiVersion %q kind %q", apiVersion, kind)
	}
	top.errorf(doc, "", "unknown format (%s): slobudget reads its own format (no version/apiVersion/kind) and %s", what, strings.Join(known, ", "))
	return format{}, false
}
