// Package yamlcheck holds what the strict readers of hand-written YAML files
// (the quiz bank, the report configuration) share: a list of problems, each
// with its file, line, subject and field; the reading of one file into one
// YAML document; and a Cursor that checks a document's nodes and records what
// is wrong instead of stopping at the first problem.
package yamlcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// File is one file to read: a name for messages and its content.
type File struct {
	Name string
	Data []byte
}

// ReadFiles reads first, then the files matching pattern in name order, from
// fsys.
func ReadFiles(fsys fs.FS, first, pattern string) ([]File, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	names = append([]string{first}, names...)
	files := make([]File, 0, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: name, Data: data})
	}
	return files, nil
}

// FileNames joins the names of files with ", ", for a problem that belongs to
// all of them.
func FileNames(files []File) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// Problem is one thing wrong in a file.
type Problem struct {
	File    string
	Line    int    // 0 when the problem has no line
	Subject string // what the problem is about, like `question "c4-2-otp"`, or empty
	Field   string // "options[2].vi", or empty
	Msg     string
}

// String gives the problem as "file:line: subject: field f: message", leaving
// out the parts it does not have.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Subject != "" {
		b.WriteString(p.Subject)
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString("field ")
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error lists every problem of files that failed to load.
type Error struct {
	Problems []Problem
}

// Add records a problem; its message is format with args, as in fmt.Sprintf.
func (e *Error) Add(file string, line int, subject, field, format string, args ...any) {
	e.Problems = append(e.Problems, Problem{File: file, Line: line, Subject: subject, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// MaxShown bounds how many problems Error prints.
const MaxShown = 50

// Error gives the problems one a line, at most MaxShown of them and then how
// many more there are.
func (e *Error) Error() string {
	lines := make([]string, 0, min(len(e.Problems), MaxShown)+1)
	for i, p := range e.Problems {
		if i == MaxShown {
			lines = append(lines, fmt.Sprintf("… and %d more problems", len(e.Problems)-MaxShown))
			break
		}
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Decode reads f as exactly one YAML document and returns its top node. It
// records in e why it cannot (not UTF-8, not YAML, empty, more than one
// document) and returns nil then.
func Decode(e *Error, f File) *yaml.Node {
	if !utf8.Valid(f.Data) {
		e.Add(f.Name, lineOfInvalidUTF8(f.Data), "", "", "the file is not UTF-8 text")
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			e.Add(f.Name, 0, "", "", "the file is empty")
			return nil
		}
		addSyntaxError(e, f, err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		// What follows the first document is no YAML at all ("[a]" then
		// "- b"): that, with its line, not a second document.
		addSyntaxError(e, f, err)
		return nil
	default:
		e.Add(f.Name, extra.Line, "", "", "only one YAML document is allowed per file (remove the extra \"---\")")
		return nil
	}
	if len(doc.Content) == 0 {
		e.Add(f.Name, 0, "", "", "the file is empty")
		return nil
	}
	return doc.Content[0]
}

// addSyntaxError records yaml.v3's syntax error, at its line when it says.
func addSyntaxError(e *Error, f File, err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		e.Add(f.Name, line, "", "", "not valid YAML: %s", m[2])
		return
	}
	e.Add(f.Name, 0, "", "", "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// lineOfInvalidUTF8 is the line of the first byte that is not UTF-8.
func lineOfInvalidUTF8(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// Cursor checks the nodes of one file, recording problems in Errs.
type Cursor struct {
	Errs *Error
	File string
}

// Add records a problem at n's line (no line when n is nil).
func (c *Cursor) Add(n *yaml.Node, subject, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.Errs.Add(c.File, line, subject, field, format, args...)
}

// KindName names the kind of a node for messages: "a mapping", "a list"…
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	case yaml.AliasNode:
		return "an alias"
	}
	return "something else"
}

// IsMapping reports whether n is a mapping, recording a problem if not.
func (c *Cursor) IsMapping(n *yaml.Node, subject, field string) bool {
	if n.Kind == yaml.MappingNode {
		return true
	}
	if n.Kind == yaml.AliasNode {
		c.Add(n, subject, field, "anchors and aliases (*name) are not allowed; write the value out")
		return false
	}
	c.Add(n, subject, field, "must be a mapping (key: value lines), not %s", KindName(n))
	return false
}

// Fields walks a mapping's keys. each returns false for a key it does not
// know, which is reported; duplicate keys, keys that are not names and values
// that are aliases are reported too, and not given to each. It returns the
// keys present.
func (c *Cursor) Fields(n *yaml.Node, subject, prefix string, each func(key string, k, v *yaml.Node) bool) (present map[string]bool) {
	present = map[string]bool{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.Add(k, subject, prefix, "a key must be a plain name, not %s", KindName(k))
			continue
		}
		name := Join(prefix, k.Value)
		if line, dup := seen[k.Value]; dup {
			c.Add(k, subject, name, "given twice (first at line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		present[k.Value] = true
		if v.Kind == yaml.AliasNode {
			c.Add(v, subject, name, "anchors and aliases (*name) are not allowed; write the value out")
			continue
		}
		if !each(k.Value, k, v) {
			c.Add(k, subject, name, "unknown field")
		}
	}
	return present
}

// Required reports the fields missing from a mapping.
func (c *Cursor) Required(n *yaml.Node, subject, prefix string, has map[string]bool, names ...string) {
	for _, f := range names {
		if !has[f] {
			c.Add(n, subject, Join(prefix, f), "is missing")
		}
	}
}

// CheckText checks s, the text of n, as a human-readable text: not empty,
// in Unicode NFC, without control characters but new lines, at most max
// characters (runes). It records the first thing wrong.
func (c *Cursor) CheckText(n *yaml.Node, subject, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		c.Add(n, subject, field, "is empty")
	case !norm.NFC.IsNormalString(s):
		c.Add(n, subject, field, "is not in Unicode NFC (composed) form; save the file as NFC")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		c.Add(n, subject, field, "holds a control character (a tab or an invisible character)")
	case utf8.RuneCountInString(s) > max:
		c.Add(n, subject, field, "is %d characters long; at most %d are allowed", utf8.RuneCountInString(s), max)
	}
}

// Join names a field inside prefix: "options[2]" and "vi" give
// "options[2].vi"; an empty prefix gives name alone.
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
