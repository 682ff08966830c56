package bank

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"hocvuso/bot"
	"hocvuso/internal/yamlcheck"
)

// Problem is one thing wrong in a bank file. Its Subject is like
// `question "c4-2-otp"` or `area "4"`, its Field like "options[2].vi".
type Problem = yamlcheck.Problem

// Error lists every problem of a bank that failed to load.
type Error = yamlcheck.Error

// maxShown bounds how many problems Error prints.
const maxShown = yamlcheck.MaxShown

// parser reads files into areas and questions, collecting problems.
type parser struct {
	errs      yamlcheck.Error
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

func (p *parser) file(f File) {
	root := yamlcheck.Decode(&p.errs, f)
	if root == nil {
		return
	}
	c := &cursor{Cursor: yamlcheck.Cursor{Errs: &p.errs, File: f.Name}, p: p}
	if !c.IsMapping(root, "", "") {
		return
	}
	seen := false
	c.Fields(root, "", "", func(key string, k, v *yaml.Node) bool {
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
		p.errs.Add(f.Name, root.Line, "", "", `the file holds neither "areas:" nor "questions:"`)
	}
}

// cursor reads one file's nodes.
type cursor struct {
	yamlcheck.Cursor
	p *parser
}

// list walks a sequence of mappings.
func (c *cursor) list(n *yaml.Node, subject, field string, each func(n *yaml.Node, index int)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "questions:" with nothing under it
	}
	if n.Kind != yaml.SequenceNode {
		c.Add(n, subject, field, "must be a list (lines starting with \"- \"), not %s", yamlcheck.KindName(n))
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
		c.Add(n, subject, field, "anchors and aliases (*name) are not allowed; write the value out")
		return ""
	case n.Kind != yaml.ScalarNode:
		c.Add(n, subject, field, "must be a single value, not %s", yamlcheck.KindName(n))
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
	c.CheckText(n, subject, field, s, max)
	return s
}

// twoLanguages reads a {vi, en} mapping.
func (c *cursor) twoLanguages(n *yaml.Node, subject, field string, max int) Text {
	var t Text
	if !c.IsMapping(n, subject, field) {
		return t
	}
	has := c.Fields(n, subject, field, func(key string, _, v *yaml.Node) bool {
		switch key {
		case "vi":
			t.VI = c.text(v, subject, yamlcheck.Join(field, "vi"), max)
		case "en":
			t.EN = c.text(v, subject, yamlcheck.Join(field, "en"), max)
			if d := numericDateRE.FindString(t.EN); d != "" {
				c.Add(v, subject, yamlcheck.Join(field, "en"), "writes the date %s in numbers, which many English readers read month first; write the month in words, like \"1 July 2024\"", d)
			}
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, field, has, "vi", "en")
	return t
}

// translated reports a sentence (a question, an explanation) whose English
// is its Vietnamese left as it was, with or without the diacritics: an
// English reader would get the Vietnamese. Options are not checked: "15
// GB", "dichvucong.gov.vn" or a place's name read the same in both.
func (c *cursor) translated(n *yaml.Node, subject, field string, t Text) {
	if t.EN == "" || bot.Fold(t.EN) != bot.Fold(t.VI) {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "en" {
			c.Add(n.Content[i+1], subject, yamlcheck.Join(field, "en"), "is the Vietnamese text, not translated; write it in English")
			return
		}
	}
}

// numericDateRE finds a date written as day/month/year ("1/7/2024"), the
// Vietnamese way, which reads as 7 January in American English.
var numericDateRE = regexp.MustCompile(`\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}\b`)

var (
	questionIDRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	areaIDRE       = regexp.MustCompile(`^[0-9]{1,2}$`)
	competenceIDRE = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]{1,2}$`)
)

func (c *cursor) area(n *yaml.Node, index int) {
	subject := fmt.Sprintf("area #%d", index+1)
	if !c.IsMapping(n, subject, "") {
		return
	}
	var a Area
	var idNode, compsNode *yaml.Node
	has := c.Fields(n, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode, a.ID = v, c.str(v, subject, "id")
			if a.ID != "" {
				subject = fmt.Sprintf("area %q", a.ID)
			}
			if v.Kind == yaml.ScalarNode && !areaIDRE.MatchString(a.ID) {
				c.Add(v, subject, "id", "%q is not an area number like \"4\"", a.ID)
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
	c.Required(n, subject, "", has, "id", "name", "short", "source", "competences")
	if compsNode != nil {
		c.list(compsNode, subject, "competences", func(cn *yaml.Node, i int) {
			if comp, ok := c.competence(cn, subject, i, a.ID); ok {
				a.Competences = append(a.Competences, comp)
			}
		})
		if compsNode.Kind == yaml.SequenceNode && len(compsNode.Content) == 0 || compsNode.Kind == yaml.ScalarNode && compsNode.Tag == "!!null" {
			c.Add(compsNode, subject, "competences", "an area needs at least one competence")
		}
	}
	if a.ID != "" && idNode != nil {
		if at, dup := c.p.areaAt[a.ID]; dup {
			c.Add(idNode, subject, "id", "already used at %s", at)
			return
		}
		if c.p.areaAt == nil {
			c.p.areaAt = map[string]string{}
		}
		c.p.areaAt[a.ID] = fmt.Sprintf("%s:%d", c.File, idNode.Line)
	}
	c.p.areas = append(c.p.areas, a)
}

func (c *cursor) competence(n *yaml.Node, areaSubject string, index int, areaID string) (Competence, bool) {
	field := fmt.Sprintf("competences[%d]", index)
	var comp Competence
	if !c.IsMapping(n, areaSubject, field) {
		return comp, false
	}
	var idNode *yaml.Node
	has := c.Fields(n, areaSubject, field, func(key string, _, v *yaml.Node) bool {
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
	c.Required(n, areaSubject, field, has, "id", "name")
	if idNode == nil || comp.ID == "" {
		return comp, false
	}
	if !competenceIDRE.MatchString(comp.ID) {
		c.Add(idNode, areaSubject, field+".id", "%q is not a competence number like \"4.2\"", comp.ID)
		return comp, false
	}
	if areaID != "" && !strings.HasPrefix(comp.ID, areaID+".") {
		c.Add(idNode, areaSubject, field+".id", "%q does not belong to area %q (it should start with %q)", comp.ID, areaID, areaID+".")
	}
	if at, dup := c.p.competenceAt[comp.ID]; dup {
		c.Add(idNode, areaSubject, field+".id", "competence %q is already defined at %s:%d", comp.ID, at.file, at.line)
		return comp, false
	}
	if c.p.competenceAt == nil {
		c.p.competenceAt = map[string]pos{}
	}
	c.p.competenceAt[comp.ID] = pos{c.File, idNode.Line}
	return comp, true
}

func (c *cursor) question(n *yaml.Node, index int) {
	subject := fmt.Sprintf("question #%d", index+1)
	if !c.IsMapping(n, subject, "") {
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
	has := c.Fields(n, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode, q.ID = v, c.str(v, subject, "id")
			if v.Kind == yaml.ScalarNode && q.ID != "" && (!questionIDRE.MatchString(q.ID) || len(q.ID) > MaxID) {
				c.Add(v, subject, "id", "use at most %d lower-case letters, digits, '-', '_' or '.', starting with a letter or digit", MaxID)
			}
		case "competence":
			compNode, q.Competence = v, c.str(v, subject, "competence")
		case "text":
			q.Text = c.twoLanguages(v, subject, "text", MaxQuestion)
			c.translated(v, subject, "text", q.Text)
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
				c.Add(v, subject, "correct", "%q is not a number: give the 0-based index of the one correct option", s)
				break
			}
			q.Correct, correctOK = k, true
		case "explanation":
			q.Explanation = c.twoLanguages(v, subject, "explanation", MaxExplanation)
			c.translated(v, subject, "explanation", q.Explanation)
		case "source":
			q.Source = c.text(v, subject, "source", MaxSource)
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, "", has, "id", "competence", "text", "options", "correct", "explanation", "source")
	if optsNode != nil && optsNode.Kind == yaml.SequenceNode {
		if k := len(optsNode.Content); k < MinOptions || k > MaxOptions {
			c.Add(optsNode, subject, "options", "has %d options; a question needs %d to %d", k, MinOptions, MaxOptions)
		}
		c.distinctOptions(optsNode, subject, q.Options)
	}
	if correctOK && optsNode != nil && optsNode.Kind == yaml.SequenceNode {
		if k := len(optsNode.Content); q.Correct < 0 || q.Correct >= k {
			c.Add(correctNode, subject, "correct", "%d is out of range (%d options, numbered from 0)", q.Correct, k)
		}
	}
	if idNode != nil && q.ID != "" {
		if at, dup := c.p.questionAt[q.ID]; dup {
			c.Add(idNode, subject, "id", "already used at %s", at)
		} else {
			if c.p.questionAt == nil {
				c.p.questionAt = map[string]string{}
			}
			c.p.questionAt[q.ID] = fmt.Sprintf("%s:%d", c.File, idNode.Line)
		}
	}
	if compNode != nil && q.Competence != "" {
		c.p.refs = append(c.p.refs, ref{pos{c.File, compNode.Line}, q.ID, q.Competence})
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
				c.Add(optsNode.Content[i], subject, fmt.Sprintf("options[%d].%s", i, tag), "reads the same as option %d (case and diacritics aside)", j)
				continue
			}
			seen[f] = i
		}
	}
}

// crossCheck checks what spans files: areas exist, every question's
// competence is defined, every competence is covered.
func (p *parser) crossCheck() {
	if len(p.areas) == 0 && len(p.errs.Problems) == 0 {
		p.errs.Add("(bank)", 0, "", "", `no areas: one file must hold "areas:"`)
		return
	}
	if len(p.questions) == 0 && len(p.errs.Problems) == 0 {
		p.errs.Add("(bank)", 0, "", "", `no questions: the files must hold "questions:"`)
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
			p.errs.Add(r.file, r.line, subject, "competence", "%q is not a competence of the bank's areas", r.competence)
			continue
		}
		covered[r.competence]++
	}
	for _, a := range p.areas {
		for _, comp := range a.Competences {
			if covered[comp.ID] == 0 {
				at := p.competenceAt[comp.ID]
				p.errs.Add(at.file, at.line, fmt.Sprintf("competence %q", comp.ID), "", "no question covers it")
			}
		}
	}
}
