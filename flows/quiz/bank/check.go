package bank

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"hocvuso/bot"
)

// Problem is one thing wrong in a bank file.
type Problem struct {
	File    string
	Line    int    // 0 when the problem has no line
	Subject string // `question "c4-2-otp"`, `area "4"`, or empty
	Field   string // "options[2].vi", or empty
	Msg     string
}

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

// Error lists every problem of a bank that failed to load.
type Error struct {
	Problems []Problem
}

// maxShown bounds how many problems Error prints.
const maxShown = 50

func (e *Error) Error() string {
	lines := make([]string, 0, min(len(e.Problems), maxShown)+1)
	for i, p := range e.Problems {
		if i == maxShown {
			lines = append(lines, fmt.Sprintf("… and %d more problems", len(e.Problems)-maxShown))
			break
		}
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// parser reads files into areas and questions, collecting problems.
type parser struct {
	problems  []Problem
	areas     []Area
	questions []Question

	// where things were defined, for duplicates and coverage
	areaAt       map[string]string // area id -> "file:line"
	competenceAt map[string]pos
	questionAt   map[string]string
	// lines of question competences, for unknown competences
	refs []ref
}

type pos struct {
	file string
	line int
}

type ref struct {
	pos
	question, competence string
}

func (p *parser) add(file string, line int, subject, field, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: file, Line: line, Subject: subject, Field: field, Msg: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) file(f File) {
	if !utf8.Valid(f.Data) {
		p.add(f.Name, lineOfInvalidUTF8(f.Data), "", "", "the file is not UTF-8 text")
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(f.Name, 0, "", "", "the file is empty")
			return
		}
		msg := err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.add(f.Name, line, "", "", "not valid YAML: %s", m[2])
			return
		}
		p.add(f.Name, 0, "", "", "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p.add(f.Name, extra.Line, "", "", "only one YAML document is allowed per file (remove the extra \"---\")")
		return
	}
	if len(doc.Content) == 0 {
		p.add(f.Name, 0, "", "", "the file is empty")
		return
	}
	root := doc.Content[0]
	c := &cursor{p: p, file: f.Name}
	if !c.isMapping(root, "", "") {
		return
	}
	seen := false
	c.fields(root, "", "", func(key string, k, v *yaml.Node) bool {
		switch key {
		case "areas":
			seen = true
			c.list(v, "", "areas", c.area)
		case "questions":
			seen = true
			c.list(v, "", "questions", c.question)
		default:
			return false
		}
		return true
	})
	if !seen {
		p.add(f.Name, root.Line, "", "", `the file holds neither "areas:" nor "questions:"`)
	}
}

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

// cursor reads one file's nodes.
type cursor struct {
	p    *parser
	file string
}

func (c *cursor) add(n *yaml.Node, subject, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.p.add(c.file, line, subject, field, format, args...)
}

func kindName(n *yaml.Node) string {
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

func (c *cursor) isMapping(n *yaml.Node, subject, field string) bool {
	if n.Kind == yaml.MappingNode {
		return true
	}
	if n.Kind == yaml.AliasNode {
		c.add(n, subject, field, "anchors and aliases (*name) are not allowed; write the value out")
		return false
	}
	c.add(n, subject, field, "must be a mapping (key: value lines), not %s", kindName(n))
	return false
}

// fields walks a mapping's keys. each returns false for a key it does not
// know, which is reported; duplicate keys are reported too.
func (c *cursor) fields(n *yaml.Node, subject, prefix string, each func(key string, k, v *yaml.Node) bool) (present map[string]bool) {
	present = map[string]bool{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.add(k, subject, prefix, "a key must be a plain name, not %s", kindName(k))
			continue
		}
		name := join(prefix, k.Value)
		if line, dup := seen[k.Value]; dup {
			c.add(k, subject, name, "given twice (first at line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		present[k.Value] = true
		if v.Kind == yaml.AliasNode {
			c.add(v, subject, name, "anchors and aliases (*name) are not allowed; write the value out")
			continue
		}
		if !each(k.Value, k, v) {
			c.add(k, subject, name, "unknown field")
		}
	}
	return present
}

// required reports the fields missing from a mapping.
func (c *cursor) required(n *yaml.Node, subject, prefix string, has map[string]bool, names ...string) {
	for _, f := range names {
		if !has[f] {
			c.add(n, subject, join(prefix, f), "is missing")
		}
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// list walks a sequence of mappings.
func (c *cursor) list(n *yaml.Node, subject, field string, each func(n *yaml.Node, index int)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "questions:" with nothing under it
	}
	if n.Kind != yaml.SequenceNode {
		c.add(n, subject, field, "must be a list (lines starting with \"- \"), not %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		each(item, i)
	}
}

// str reads a scalar as text. It reports non-scalars and returns "" then.
func (c *cursor) str(n *yaml.Node, subject, field string) string {
	switch {
	case n.Kind == yaml.AliasNode:
		c.add(n, subject, field, "anchors and aliases (*name) are not allowed; write the value out")
		return ""
	case n.Kind != yaml.ScalarNode:
		c.add(n, subject, field, "must be a single value, not %s", kindName(n))
		return ""
	case n.Tag == "!!null":
		return ""
	}
	return n.Value
}

// text checks a human-readable text: present, NFC, no control characters,
// not too long.
func (c *cursor) text(n *yaml.Node, subject, field string, max int) string {
	s := c.str(n, subject, field)
	if n.Kind != yaml.ScalarNode {
		return s
	}
	switch {
	case strings.TrimSpace(s) == "":
		c.add(n, subject, field, "is empty")
	case !norm.NFC.IsNormalString(s):
		c.add(n, subject, field, "is not in Unicode NFC (composed) form; save the file as NFC")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		c.add(n, subject, field, "holds a control character (a tab or an invisible character)")
	case utf8.RuneCountInString(s) > max:
		c.add(n, subject, field, "is %d characters long; at most %d are allowed", utf8.RuneCountInString(s), max)
	}
	return s
}

// twoLanguages reads a {vi, en} mapping.
func (c *cursor) twoLanguages(n *yaml.Node, subject, field string, max int) Text {
	var t Text
	if !c.isMapping(n, subject, field) {
		return t
	}
	has := c.fields(n, subject, field, func(key string, _, v *yaml.Node) bool {
		switch key {
		case "vi":
			t.VI = c.text(v, subject, join(field, "vi"), max)
		case "en":
			t.EN = c.text(v, subject, join(field, "en"), max)
		default:
			return false
		}
		return true
	})
	c.required(n, subject, field, has, "vi", "en")
	return t
}

var (
	questionIDRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	areaIDRE       = regexp.MustCompile(`^[0-9]{1,2}$`)
	competenceIDRE = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]{1,2}$`)
)

func (c *cursor) area(n *yaml.Node, index int) {
	subject := fmt.Sprintf("area #%d", index+1)
	if !c.isMapping(n, subject, "") {
		return
	}
	var a Area
	var idNode, compsNode *yaml.Node
	has := c.fields(n, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode, a.ID = v, c.str(v, subject, "id")
			if a.ID != "" {
				subject = fmt.Sprintf("area %q", a.ID)
			}
			if v.Kind == yaml.ScalarNode && !areaIDRE.MatchString(a.ID) {
				c.add(v, subject, "id", "%q is not an area number like \"4\"", a.ID)
			}
		case "name":
			a.Name = c.twoLanguages(v, subject, "name", MaxName)
		case "short":
			a.Short = c.twoLanguages(v, subject, "short", MaxShort)
		case "source":
			a.Source = c.text(v, subject, "source", MaxSource)
		case "competences":
			compsNode = v
		default:
			return false
		}
		return true
	})
	c.required(n, subject, "", has, "id", "name", "short", "source", "competences")
	if compsNode != nil {
		c.list(compsNode, subject, "competences", func(cn *yaml.Node, i int) {
			if comp, ok := c.competence(cn, subject, i, a.ID); ok {
				a.Competences = append(a.Competences, comp)
			}
		})
		if compsNode.Kind == yaml.SequenceNode && len(compsNode.Content) == 0 || compsNode.Kind == yaml.ScalarNode && compsNode.Tag == "!!null" {
			c.add(compsNode, subject, "competences", "an area needs at least one competence")
		}
	}
	if a.ID != "" && idNode != nil {
		if at, dup := c.p.areaAt[a.ID]; dup {
			c.add(idNode, subject, "id", "already used at %s", at)
			return
		}
		if c.p.areaAt == nil {
			c.p.areaAt = map[string]string{}
		}
		c.p.areaAt[a.ID] = fmt.Sprintf("%s:%d", c.file, idNode.Line)
	}
	c.p.areas = append(c.p.areas, a)
}

func (c *cursor) competence(n *yaml.Node, areaSubject string, index int, areaID string) (Competence, bool) {
	field := fmt.Sprintf("competences[%d]", index)
	var comp Competence
	if !c.isMapping(n, areaSubject, field) {
		return comp, false
	}
	var idNode *yaml.Node
	has := c.fields(n, areaSubject, field, func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode, comp.ID = v, c.str(v, areaSubject, field+".id")
		case "name":
			comp.Name = c.twoLanguages(v, areaSubject, field+".name", MaxName)
		default:
			return false
		}
		return true
	})
	c.required(n, areaSubject, field, has, "id", "name")
	if idNode == nil || comp.ID == "" {
		return comp, false
	}
	if !competenceIDRE.MatchString(comp.ID) {
		c.add(idNode, areaSubject, field+".id", "%q is not a competence number like \"4.2\"", comp.ID)
		return comp, false
	}
	if areaID != "" && !strings.HasPrefix(comp.ID, areaID+".") {
		c.add(idNode, areaSubject, field+".id", "%q does not belong to area %q (it should start with %q)", comp.ID, areaID, areaID+".")
	}
	if at, dup := c.p.competenceAt[comp.ID]; dup {
		c.add(idNode, areaSubject, field+".id", "competence %q is already defined at %s:%d", comp.ID, at.file, at.line)
		return comp, false
	}
	if c.p.competenceAt == nil {
		c.p.competenceAt = map[string]pos{}
	}
	c.p.competenceAt[comp.ID] = pos{c.file, idNode.Line}
	return comp, true
}

func (c *cursor) question(n *yaml.Node, index int) {
	subject := fmt.Sprintf("question #%d", index+1)
	if !c.isMapping(n, subject, "") {
		return
	}
	var q Question
	var idNode, compNode, optsNode, correctNode *yaml.Node
	correctOK := false
	// The id first, so every problem of the question names it.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && v.Value != "" {
			subject = fmt.Sprintf("question %q", v.Value)
			break
		}
	}
	has := c.fields(n, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode, q.ID = v, c.str(v, subject, "id")
			if v.Kind == yaml.ScalarNode && q.ID != "" && (!questionIDRE.MatchString(q.ID) || len(q.ID) > MaxID) {
				c.add(v, subject, "id", "use at most %d lower-case letters, digits, '-', '_' or '.', starting with a letter or digit", MaxID)
			}
		case "competence":
			compNode, q.Competence = v, c.str(v, subject, "competence")
		case "text":
			q.Text = c.twoLanguages(v, subject, "text", MaxQuestion)
		case "options":
			optsNode = v
			c.list(v, subject, "options", func(on *yaml.Node, i int) {
				q.Options = append(q.Options, c.twoLanguages(on, subject, fmt.Sprintf("options[%d]", i), MaxOption))
			})
		case "correct":
			correctNode = v
			s := c.str(v, subject, "correct")
			if v.Kind != yaml.ScalarNode {
				break
			}
			k, err := strconv.Atoi(s)
			if err != nil || v.Tag != "!!int" {
				c.add(v, subject, "correct", "%q is not a number: give the 0-based index of the one correct option", s)
				break
			}
			q.Correct, correctOK = k, true
		case "explanation":
			q.Explanation = c.twoLanguages(v, subject, "explanation", MaxExplanation)
		case "source":
			q.Source = c.text(v, subject, "source", MaxSource)
		default:
			return false
		}
		return true
	})
	c.required(n, subject, "", has, "id", "competence", "text", "options", "correct", "explanation", "source")
	if optsNode != nil && optsNode.Kind == yaml.SequenceNode {
		if k := len(optsNode.Content); k < MinOptions || k > MaxOptions {
			c.add(optsNode, subject, "options", "has %d options; a question needs %d to %d", k, MinOptions, MaxOptions)
		}
		c.distinctOptions(optsNode, subject, q.Options)
	}
	if correctOK && optsNode != nil && optsNode.Kind == yaml.SequenceNode {
		if k := len(optsNode.Content); q.Correct < 0 || q.Correct >= k {
			c.add(correctNode, subject, "correct", "%d is out of range (%d options, numbered from 0)", q.Correct, k)
		}
	}
	if idNode != nil && q.ID != "" {
		if at, dup := c.p.questionAt[q.ID]; dup {
			c.add(idNode, subject, "id", "already used at %s", at)
		} else {
			if c.p.questionAt == nil {
				c.p.questionAt = map[string]string{}
			}
			c.p.questionAt[q.ID] = fmt.Sprintf("%s:%d", c.file, idNode.Line)
		}
	}
	if compNode != nil && q.Competence != "" {
		c.p.refs = append(c.p.refs, ref{pos{c.file, compNode.Line}, q.ID, q.Competence})
	}
	c.p.questions = append(c.p.questions, q)
}

// distinctOptions reports two options of a question that read the same once
// case and diacritics are ignored: a typed answer could not tell them apart.
func (c *cursor) distinctOptions(optsNode *yaml.Node, subject string, opts []Text) {
	if len(opts) != len(optsNode.Content) {
		return // some were unreadable, already reported
	}
	for lang := range 2 {
		seen := map[string]int{}
		for i, o := range opts {
			s := o.VI
			tag := "vi"
			if lang == 1 {
				s, tag = o.EN, "en"
			}
			f := bot.Fold(s)
			if f == "" {
				continue
			}
			if j, dup := seen[f]; dup {
				c.add(optsNode.Content[i], subject, fmt.Sprintf("options[%d].%s", i, tag), "reads the same as option %d (case and diacritics aside)", j)
				continue
			}
			seen[f] = i
		}
	}
}

// crossCheck checks what spans files: areas exist, every question's
// competence is defined, every competence is covered.
func (p *parser) crossCheck() {
	if len(p.areas) == 0 && len(p.problems) == 0 {
		p.add("(bank)", 0, "", "", `no areas: one file must hold "areas:"`)
		return
	}
	if len(p.questions) == 0 && len(p.problems) == 0 {
		p.add("(bank)", 0, "", "", `no questions: the files must hold "questions:"`)
		return
	}
	if len(p.areas) == 0 {
		return // the areas file is broken: reported already
	}
	covered := map[string]int{}
	for _, r := range p.refs {
		if _, ok := p.competenceAt[r.competence]; !ok {
			subject := ""
			if r.question != "" {
				subject = fmt.Sprintf("question %q", r.question)
			}
			p.add(r.file, r.line, subject, "competence", "%q is not a competence of the bank's areas", r.competence)
			continue
		}
		covered[r.competence]++
	}
	for _, a := range p.areas {
		for _, comp := range a.Competences {
			if covered[comp.ID] == 0 {
				at := p.competenceAt[comp.ID]
				p.add(at.file, at.line, fmt.Sprintf("competence %q", comp.ID), "", "no question covers it")
			}
		}
	}
}
