package statuspage

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// get serves one request through the handler over a real HTTP connection.
func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the page: %v", err)
	}
	return doc
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, class) }
}

func byID(doc *html.Node, id string) *html.Node {
	if l := findAll(doc, func(n *html.Node) bool { return attr(n, "id") == id }); len(l) > 0 {
		return l[0]
	}
	return nil
}

// first returns the first descendant with the class, failing the test when
// there is none.
func first(t *testing.T, n *html.Node, class string) *html.Node {
	t.Helper()
	l := findAll(n, byClass(class))
	if len(l) == 0 {
		t.Fatalf("no element with class %q in %q", class, text(n))
	}
	return l[0]
}

// text is the visible text of a node with whitespace collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "script") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// rows returns the SLO rows of the page keyed by name, and their order.
func rows(t *testing.T, doc *html.Node) (map[string]*html.Node, []string) {
	t.Helper()
	m := map[string]*html.Node{}
	var order []string
	for _, tr := range findAll(doc, byClass("slo")) {
		name := attr(tr, "data-slo")
		if _, dup := m[name]; dup {
			t.Fatalf("SLO %s listed twice", name)
		}
		m[name] = tr
		order = append(order, name)
	}
	return m, order
}

// noteText is the text of the full-width consequence row under an SLO's
// row, "" when there is none.
func noteText(tr *html.Node) string {
	for n := tr.NextSibling; n != nil; n = n.NextSibling {
		if n.Type != html.ElementNode {
			continue
		}
		if hasClass(n, "consequence") && attr(n, "data-for") == attr(tr, "data-slo") {
			return text(n)
		}
		return ""
	}
	return ""
}
