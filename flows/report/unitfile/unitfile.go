// Package unitfile reads the list of participating units an admin imports
// (`hocvuso import units FILE`): a CSV file with the header code,name,kind
// or a YAML file with a `units:` list. It is strict: any problem anywhere
// rejects the whole file, and every problem is reported with its file, line
// and field, so that nothing half-checked reaches the database.
package unitfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"hocvuso/flows/report/config"
	"hocvuso/internal/yamlcheck"
)

// Unit is one unit as the file gives it.
type Unit struct {
	Code string
	Name string // NFC, trimmed
	Kind config.Kind
	Line int // where the file gives it
}

// Error lists every problem of a rejected file.
type Error = yamlcheck.Error

// Limits of a file.
const (
	MaxCodeLength = 32
	MaxNameLength = 200
	MaxUnits      = 10000
	// MaxFileSize bounds what is read: 10 000 units fit in far less.
	MaxFileSize = 4 << 20
)

var bom = []byte("\xef\xbb\xbf")

// Parse reads a units file; the format is told by the name's extension
// (.csv, .yaml or .yml). A rejected file gives an *Error with every problem.
func Parse(name string, data []byte) ([]Unit, error) {
	p := &parser{file: name, codes: map[string]seen{}}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		p.csv(data)
	case ".yaml", ".yml":
		p.yaml(data)
	default:
		p.errs.Add(name, 0, "", "", "a units file is a .csv or a .yaml file; rename it or convert it")
	}
	if len(p.errs.Problems) > 0 {
		return nil, &p.errs
	}
	return p.units, nil
}

type seen struct {
	code string // as written
	line int
}

type parser struct {
	file  string
	errs  yamlcheck.Error
	units []Unit
	codes map[string]seen // by upper-case code
}

func (p *parser) add(line int, subject, field, format string, args ...any) {
	p.errs.Add(p.file, line, subject, field, format, args...)
}

// text checks what any file holds before it is parsed.
func (p *parser) text(data []byte) ([]byte, bool) {
	if len(data) > MaxFileSize {
		p.add(0, "", "", "the file is %d bytes; at most %d are read", len(data), MaxFileSize)
		return nil, false
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		p.add(1, "", "", "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\")")
		return nil, false
	}
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		p.add(line, "", "", "the file is not UTF-8 text; save it as UTF-8 (in Excel: \"CSV UTF-8\")")
		return nil, false
	}
	if strings.TrimSpace(string(data)) == "" {
		p.add(0, "", "", "the file is empty")
		return nil, false
	}
	return data, true
}

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// header names the CSV columns, in any order.
var header = []string{"code", "name", "kind"}

func (p *parser) csv(data []byte) {
	data, ok := p.text(data)
	if !ok {
		return
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1 // checked here, with a clearer message
	r.TrimLeadingSpace = true
	col := map[string]int{}
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.add(pe.Line, "", "", "not valid CSV: %s", csvProblem(pe.Err))
			} else {
				p.add(0, "", "", "not valid CSV: %v", err)
			}
			return
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			if !p.header(line, rec, col, r.Comma) {
				return
			}
			continue
		}
		if len(rec) != len(header) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue // a line of spaces
			}
			p.add(line, "", "", "has %d columns; want %d: %s", len(rec), len(header), strings.Join(header, string(r.Comma)))
			continue
		}
		p.unit([3]int{line, line, line}, rec[col["code"]], rec[col["name"]], rec[col["kind"]], nil)
		if len(p.units) > MaxUnits {
			p.add(line, "", "", "more than %d units in one file; split it", MaxUnits)
			return
		}
	}
	if first {
		p.add(0, "", "", "the file is empty")
		return
	}
	p.none()
}

// delimiter is ';' when the first line (the header) uses it and no comma,
// as spreadsheets in a Vietnamese locale write CSV; ',' otherwise.
func delimiter(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.IndexByte(first, ';') >= 0 && bytes.IndexByte(first, ',') < 0 {
		return ';'
	}
	return ','
}

func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return `a quote (") inside a field that is not quoted; put the whole field in quotes and double the quote ("")`
	case errors.Is(err, csv.ErrBareQuote):
		return `a quote (") in a field that does not start with one; put the whole field in quotes and double the quote ("")`
	}
	return err.Error()
}

func (p *parser) header(line int, rec []string, col map[string]int, comma rune) bool {
	want := strings.Join(header, string(comma))
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup {
			p.add(line, "header", "", "column %q is given twice; the first line must be %s", h, want)
			return false
		}
		known := false
		for _, k := range header {
			known = known || h == k
		}
		if !known {
			p.add(line, "header", "", "unknown column %q; the first line must be %s", strings.TrimSpace(rec[i]), want)
			return false
		}
		col[h] = i
	}
	for _, k := range header {
		if _, ok := col[k]; !ok {
			p.add(line, "header", "", "column %q is missing; the first line must be %s", k, want)
			return false
		}
	}
	return true
}

func (p *parser) yaml(data []byte) {
	data, ok := p.text(data)
	if !ok {
		return
	}
	root := yamlcheck.Decode(&p.errs, yamlcheck.File{Name: p.file, Data: data})
	if root == nil {
		return
	}
	c := &yamlcheck.Cursor{Errs: &p.errs, File: p.file}
	if !c.IsMapping(root, "", "") {
		return
	}
	var list *yaml.Node
	has := c.Fields(root, "", "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "units":
			list = v
		case "source":
			c.CheckText(v, "", "source", scalar(v), 1000)
		default:
			return false
		}
		return true
	})
	c.Required(root, "", "", has, "units")
	if list == nil {
		return
	}
	if list.Kind != yaml.SequenceNode {
		c.Add(list, "", "units", "must be a list of units (lines starting with \"- \"), not %s", yamlcheck.KindName(list))
		return
	}
	for i, n := range list.Content {
		field := fmt.Sprintf("units[%d]", i)
		if !c.IsMapping(n, "", field) {
			continue
		}
		var code, name, kind *yaml.Node
		has := c.Fields(n, "", field, func(key string, _, v *yaml.Node) bool {
			switch key {
			case "code":
				code = v
			case "name":
				name = v
			case "kind":
				kind = v
			default:
				return false
			}
			return true
		})
		c.Required(n, "", field, has, "code", "name", "kind")
		if code == nil || name == nil || kind == nil {
			continue
		}
		p.unit([3]int{code.Line, name.Line, kind.Line}, scalar(code), scalar(name), scalar(kind), func(f string) bool {
			v := map[string]*yaml.Node{"code": code, "name": name, "kind": kind}[f]
			if v.Kind != yaml.ScalarNode {
				c.Add(v, "", yamlcheck.Join(field, f), "must be a single value, not %s", yamlcheck.KindName(v))
				return false
			}
			return true
		})
		if len(p.units) > MaxUnits {
			c.Add(n, "", "", "more than %d units in one file; split it", MaxUnits)
			return
		}
	}
	p.none()
}

// scalar is the text of a YAML value as written: 03670 stays "03670" (not the
// number 3670), and an empty value (~, null) is "".
func scalar(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (p *parser) none() {
	if len(p.units) == 0 && len(p.errs.Problems) == 0 {
		p.add(0, "", "", "the file lists no unit")
	}
}

// unit checks one unit, given with the lines of its code, name and kind;
// isScalar (YAML only) checks a field's node first.
func (p *parser) unit(lines [3]int, code, name, kind string, isScalar func(field string) bool) {
	line := lines[0]
	ok := true
	check := func(field string) bool {
		if isScalar != nil && !isScalar(field) {
			ok = false
			return false
		}
		return true
	}
	code = strings.TrimSpace(code)
	subject := ""
	if code != "" && validCode(code) {
		subject = fmt.Sprintf("unit %q", code)
	}
	if check("code") {
		switch {
		case code == "":
			p.add(line, subject, "code", "is empty; every unit needs a code")
			ok = false
		case !validCode(code):
			p.add(line, subject, "code", "%q: a code is 1 to %d letters (A-Z, no diacritics), digits, '-', '_' or '.'", clip(code), MaxCodeLength)
			ok = false
		default:
			key := strings.ToUpper(code)
			if prev, dup := p.codes[key]; dup {
				if prev.code == code {
					p.add(line, subject, "code", "is given twice (first at line %d)", prev.line)
				} else {
					p.add(line, subject, "code", "is the code %q of line %d written in another case; codes must differ by more than case", prev.code, prev.line)
				}
				ok = false
			} else {
				p.codes[key] = seen{code: code, line: line}
			}
		}
	}
	name = strings.TrimSpace(norm.NFC.String(name))
	if check("name") {
		switch {
		case name == "":
			p.add(lines[1], subject, "name", "is empty; every unit needs a name")
			ok = false
		case strings.IndexFunc(name, unicode.IsControl) >= 0:
			p.add(lines[1], subject, "name", "holds a line break, a tab or another invisible character")
			ok = false
		case utf8.RuneCountInString(name) > MaxNameLength:
			p.add(lines[1], subject, "name", "is %d characters long; at most %d are allowed", utf8.RuneCountInString(name), MaxNameLength)
			ok = false
		}
	}
	k := config.Kind(strings.ToLower(strings.TrimSpace(kind)))
	if check("kind") {
		switch {
		case k == "":
			p.add(lines[2], subject, "kind", "is empty; use one of: %s", kindList())
			ok = false
		case !k.Valid():
			p.add(lines[2], subject, "kind", "%q is not a kind of unit; use one of: %s", clip(strings.TrimSpace(kind)), kindList())
			ok = false
		case k == config.KindCommune && isDigits(code) && len(code) < 5:
			// Official commune codes have five digits; a spreadsheet that took
			// the code for a number dropped its leading zero (03670 -> 3670).
			p.add(line, subject, "code", "%q has %d digits; a commune's or ward's code has 5 (did a spreadsheet drop a leading 0? write it as 0%s in a text cell)", code, len(code), code)
			ok = false
		}
	}
	if ok {
		p.units = append(p.units, Unit{Code: code, Name: name, Kind: k, Line: line})
	}
}

func validCode(s string) bool {
	if s == "" || len(s) > MaxCodeLength {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

func kindList() string {
	names := make([]string, len(config.Kinds))
	for i, k := range config.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
