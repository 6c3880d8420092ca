package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Syntax errors are located from the one parse and the bytes themselves, in
// time linear in the file's size: never by parsing the file again.

// parseDocuments returns the root node of each YAML document in data. On a
// syntax error it reports the problem with its line and returns ok false.
func parseDocuments(file string, data []byte, errs *[]ConfigError) (docs []*yaml.Node, ok bool) {
	// yaml.v3 reports an invalid byte without a line; find it first.
	if line, col, b, bad := firstInvalidByte(data); bad {
		*errs = append(*errs, ConfigError{File: file, Line: line,
			Message: fmt.Sprintf("invalid YAML: byte 0x%02x at column %d is not valid UTF-8; save the file as UTF-8", b, col)})
		return nil, false
	}
	if docs, ok := parseSplit(data); ok {
		return docs, true
	}
	docs, err := decodeAll(data)
	if err != nil {
		line, msg := locateSyntaxError(data, err)
		*errs = append(*errs, ConfigError{File: file, Line: line, Message: "invalid YAML: " + msg})
		return nil, false
	}
	return docs, true
}

// maxDocuments bounds the documents of one file, so that a file of empty
// documents ("---" repeated) costs no more than its size.
const maxDocuments = 10000

// decodeAll parses every document. yaml.v3 is third-party code fed with
// user input; a panic in it is turned into an error so that a bad file
// cannot crash the daemon on reload.
func decodeAll(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			docs, err = nil, fmt.Errorf("yaml: %v", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for len(docs) < maxDocuments {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			docs = append(docs, doc.Content[0])
		}
	}
	return nil, fmt.Errorf("yaml: more than %d documents in one file", maxDocuments)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For these yaml.v3 prints the line counted from 0, and the line
// is that of the enclosing block when there is one (a mis-indented key is
// reported where its mapping starts): the mistake is on that line or below.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// blockProblems are parser problems whose line is usually the enclosing
// block's start; the message says so.
var blockProblems = map[string]string{
	"did not find expected key":           "did not find expected key (in the block that starts here: check the indentation of the lines below)",
	"did not find expected '-' indicator": "did not find expected '-' indicator (in the list that starts here: check the indentation of the lines below)",
}

var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// locateSyntaxError turns a yaml.v3 error into a 1-based line and message.
func locateSyntaxError(data []byte, err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		problem := m[2]
		if parserProblems[problem] {
			line++
			if _, ok := blockProblems[problem]; ok {
				if off := misIndentedLine(data, line); off > 0 {
					line = off
				} else {
					problem = blockProblems[problem]
				}
			}
		}
		// At the end of the input yaml.v3 points past the last line break.
		return min(max(line, 1), lastLine(data)), problem
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := unknownAnchor.FindStringSubmatch(err.Error()); m != nil {
		return lineOfAlias(data, m[1]), msg + ": define the anchor (&" + m[1] + ") before using it"
	}
	if msg == "control characters are not allowed" {
		if line, col, ok := firstControlChar(data); ok {
			return line, fmt.Sprintf("control character at column %d is not allowed", col)
		}
	}
	return 1, msg
}

// firstInvalidByte finds the first byte that is not valid UTF-8.
func firstInvalidByte(data []byte) (line, col int, b byte, bad bool) {
	if utf8.Valid(data) {
		return 0, 0, 0, false
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, data[i], true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, 0, false
}

// firstControlChar finds the first character YAML does not allow in a
// document (C0 and C1 controls but tab, line feed, carriage return and NEL,
// DEL, surrogates and the non-characters U+FFFE and U+FFFF).
func firstControlChar(data []byte) (line, col int, ok bool) {
	line, col = 1, 1
	for _, r := range string(data) {
		allowed := r == '\t' || r == '\n' || r == '\r' || r == 0x85 ||
			(r >= 0x20 && r <= 0x7e) || (r >= 0xa0 && r <= 0xd7ff) ||
			(r >= 0xe000 && r <= 0xfffd) || r >= 0x10000
		if r == 0xfeff { // a byte-order mark is allowed
			allowed = true
		}
		if !allowed {
			return line, col, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return 0, 0, false
}

// lineOfAlias finds the first line that uses *name as an alias.
func lineOfAlias(data []byte, name string) int {
	needle := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(data[off:], needle)
		if i < 0 {
			return 1
		}
		end := off + i + len(needle)
		if end == len(data) || !isAnchorChar(data[end]) {
			return bytes.Count(data[:off+i], []byte("\n")) + 1
		}
		off = end
	}
}

func isAnchorChar(c byte) bool {
	return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != '[' && c != ']' && c != '{' && c != '}'
}

// lastLine is the number of the file's last line that holds anything.
func lastLine(data []byte) int {
	return max(bytes.Count(bytes.TrimRight(data, "\n"), []byte("\n"))+1, 1)
}

// misIndentedLine looks, in one pass over the block that starts on line
// start, for the first key or list item whose indentation matches none of
// the levels open at that point: the line yaml.v3's "did not find expected
// key" is about. It returns 0 when it finds none (the caller keeps the
// block's line). Flow collections, block scalars and plain continuation
// lines are skipped; this reads the text, it does not parse YAML.
func misIndentedLine(data []byte, start int) int {
	lines := bytes.Split(data, []byte("\n"))
	if start < 1 || start > len(lines) {
		return 0
	}
	first := lines[start-1]
	levels := []int{indentOf(first)}
	if bytes.HasPrefix(bytes.TrimSpace(first), []byte("- ")) {
		levels = append(levels, itemKeyColumn(first))
	}
	opens := opensBlock(first)
	blockScalar := -1 // indentation of the key owning a block scalar
	for i := start; i < len(lines); i++ {
		l := lines[i]
		t := bytes.TrimSpace(l)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		ind := indentOf(l)
		if blockScalar >= 0 {
			if ind > blockScalar {
				continue
			}
			blockScalar = -1
		}
		if ind < levels[0] {
			return 0
		}
		for len(levels) > 1 && levels[len(levels)-1] > ind {
			levels = levels[:len(levels)-1]
		}
		top := levels[len(levels)-1]
		item := bytes.HasPrefix(t, []byte("- ")) || bytes.Equal(t, []byte("-"))
		keyLike := item || looksLikeKey(t)
		switch {
		case ind == top:
		case opens:
			levels = append(levels, ind)
		case keyLike:
			return i + 1
		default:
			continue // a plain scalar continued on a deeper line
		}
		if item {
			levels = append(levels, itemKeyColumn(l))
		}
		opens = opensBlock(l)
		if bytes.HasSuffix(t, []byte("|")) || bytes.HasSuffix(t, []byte(">")) ||
			bytes.HasSuffix(t, []byte("|-")) || bytes.HasSuffix(t, []byte(">-")) {
			blockScalar = ind
		}
		if bytes.Count(t, []byte("[")) != bytes.Count(t, []byte("]")) || bytes.Count(t, []byte("{")) != bytes.Count(t, []byte("}")) {
			return 0 // a flow collection across lines: beyond a text scan
		}
	}
	return 0
}

func indentOf(l []byte) int { return len(l) - len(bytes.TrimLeft(l, " ")) }

// itemKeyColumn is the column of the key after a list item's dash.
func itemKeyColumn(l []byte) int {
	ind := indentOf(l)
	rest := l[ind+1:]
	return ind + 1 + indentOf(rest)
}

// opensBlock is true for a line that ends in a key without a value
// ("events:"), whose block follows on deeper lines.
func opensBlock(l []byte) bool {
	t := bytes.TrimSpace(l)
	if i := bytes.Index(t, []byte(" #")); i >= 0 {
		t = bytes.TrimSpace(t[:i])
	}
	return bytes.HasSuffix(t, []byte(":")) || bytes.Equal(t, []byte("-"))
}

var keyPattern = regexp.MustCompile(`^[^\s#'"\[{][^:#]*:(\s|$)|^["'][^"']*["']:(\s|$)`)

func looksLikeKey(t []byte) bool { return keyPattern.Match(t) }
