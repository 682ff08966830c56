package config

import (
	"fmt"
	"math/big"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"hocvuso/bot"
	"hocvuso/internal/yamlcheck"
)

// Problem is one thing wrong in a configuration file. Its Subject is like
// `form "annual" v1`, `field "cbccvc_skills_pct"` or `period "annual-2025"`,
// its Field like "options[2].label.vi".
type Problem = yamlcheck.Problem

// Error lists every problem of a configuration that failed to load.
type Error = yamlcheck.Error

type pos struct {
	file string
	line int
}

func (p pos) String() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

// parser reads files into periods and forms, collecting problems.
type parser struct {
	errs    yamlcheck.Error
	periods []*Period
	forms   []*Form

	periodAt map[string]pos
	formAt   map[formKey]pos
	refs     []periodRef
}

// periodRef is where a period names its form, for the cross-check.
type periodRef struct {
	pos
	period  *Period
	dueAt   map[Kind]pos
	opensAt pos
}

type fileKind int

const (
	fileBroken fileKind = iota
	filePeriods
	fileForm
)

// file reads one file; checkName asks that a form file be named
// <id>.v<version>.yaml.
func (p *parser) file(f File, checkName bool) fileKind {
	root := yamlcheck.Decode(&p.errs, f)
	if root == nil {
		return fileBroken
	}
	c := &cursor{Cursor: yamlcheck.Cursor{Errs: &p.errs, File: f.Name}, p: p}
	if !c.IsMapping(root, "", "") {
		return fileBroken
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "periods" {
			c.periodsFile(root)
			return filePeriods
		}
	}
	form := c.form(root)
	if form == nil {
		return fileBroken
	}
	form.File, form.Content = f.Name, f.Data
	if checkName && form.ID != "" && form.Version > 0 {
		if want := fmt.Sprintf("%s.v%d.yaml", form.ID, form.Version); path.Base(f.Name) != want {
			p.errs.Add(f.Name, root.Line, fmt.Sprintf("form %q v%d", form.ID, form.Version), "", "the file must be named %s: one file per version, never edited once shipped", want)
		}
	}
	return fileForm
}

// cursor reads one file's nodes.
type cursor struct {
	yamlcheck.Cursor
	p *parser
}

// list walks a sequence; it reports anything else, and returns false then.
func (c *cursor) list(n *yaml.Node, subject, field string, each func(n *yaml.Node, index int)) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true // "fields:" with nothing under it
	}
	if n.Kind != yaml.SequenceNode {
		c.Add(n, subject, field, "must be a list (lines starting with \"- \", or [a, b]), not %s", yamlcheck.KindName(n))
		return false
	}
	for i, item := range n.Content {
		if item.Kind == yaml.AliasNode {
			c.Add(item, subject, fmt.Sprintf("%s[%d]", field, i), "anchors and aliases (*name) are not allowed; write the value out")
			continue
		}
		each(item, i)
	}
	return true
}

func empty(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" || n.Kind == yaml.SequenceNode && len(n.Content) == 0
}

// scalar reads a scalar's text. It reports non-scalars and returns false then.
func (c *cursor) scalar(n *yaml.Node, subject, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		c.Add(n, subject, field, "must be a single value, not %s", yamlcheck.KindName(n))
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

// text checks a human-readable text: present, NFC, no control characters,
// not too long.
func (c *cursor) text(n *yaml.Node, subject, field string, max int) string {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return ""
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
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, field, has, "vi", "en")
	return t
}

// key reads an identifier matching re.
func (c *cursor) key(n *yaml.Node, subject, field string, re *regexp.Regexp, what string) string {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return ""
	}
	if !re.MatchString(s) || len(s) > MaxKeyLength {
		c.Add(n, subject, field, "%q is not %s (at most %d characters)", s, what, MaxKeyLength)
		return ""
	}
	return s
}

// integer reads a whole number between lo and hi.
func (c *cursor) integer(n *yaml.Node, subject, field string, lo, hi int) (int, bool) {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(s)
	if err != nil || n.Tag != "!!int" {
		c.Add(n, subject, field, "%q is not a whole number", s)
		return 0, false
	}
	if k < lo || k > hi {
		c.Add(n, subject, field, "%d is out of range: give %d to %d", k, lo, hi)
		return 0, false
	}
	return k, true
}

// boolean reads true or false.
func (c *cursor) boolean(n *yaml.Node, subject, field string) bool {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return false
	}
	if n.Tag != "!!bool" || (s != "true" && s != "false") {
		c.Add(n, subject, field, "%q is not true or false", s)
		return false
	}
	return s == "true"
}

// date reads a date written 2025-06-30, as 00:00 of that day in
// Asia/Ho_Chi_Minh.
func (c *cursor) date(n *yaml.Node, subject, field string) (time.Time, bool) {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Location)
	if err != nil || (n.Tag != "!!timestamp" && n.Tag != "!!str") {
		c.Add(n, subject, field, "%q is not a date written like 2025-06-30", s)
		return time.Time{}, false
	}
	return t, true
}

var plainDecimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// decimal reads a bound: a number written plainly, like 0, 100 or 2.5.
func (c *cursor) decimal(n *yaml.Node, subject, field string) (string, *big.Rat, bool) {
	s, ok := c.scalar(n, subject, field)
	if !ok {
		return "", nil, false
	}
	if (n.Tag != "!!int" && n.Tag != "!!float") || !plainDecimalRE.MatchString(s) {
		c.Add(n, subject, field, "%q is not a number written plainly, like 100 or 2.5", s)
		return "", nil, false
	}
	canon := canonicalDecimal(s)
	r, _ := new(big.Rat).SetString(canon)
	return canon, r, true
}

// canonicalDecimal writes a plain decimal without leading zeros in its whole
// part, trailing zeros in its fraction, or a sign on zero.
func canonicalDecimal(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	return joinDecimal(neg, whole, frac)
}

func joinDecimal(neg bool, whole, frac string) string {
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	s := whole
	if frac != "" {
		s += "." + frac
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

var (
	idRE         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	keyRE        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	digitsOnlyRE = regexp.MustCompile(`^[0-9]+$`)
)

// periodsFile reads the periods file's root mapping.
func (c *cursor) periodsFile(root *yaml.Node) {
	has := c.Fields(root, "", "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "periods":
			c.list(v, "", "periods", c.period)
			if empty(v) {
				c.Add(v, "", "periods", "no periods are listed")
			}
		default:
			return false
		}
		return true
	})
	c.Required(root, "", "", has, "periods")
}

func (c *cursor) period(n *yaml.Node, index int) {
	subject := fmt.Sprintf("period #%d", index+1)
	if !c.IsMapping(n, subject, "") {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && v.Value != "" {
			subject = fmt.Sprintf("period %q", v.Value)
			break
		}
	}
	p := &Period{}
	ref := periodRef{pos: pos{c.File, n.Line}, period: p, dueAt: map[Kind]pos{}}
	var idNode, kindsNode *yaml.Node
	var dueByKind []struct {
		kind Kind
		at   pos
	}
	formOK, versionOK := false, false
	has := c.Fields(n, subject, "", func(key string, k, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode = v
			p.ID = c.key(v, subject, "id", idRE, "an id of lower-case letters, digits and '-'")
		case "name":
			p.Name = c.twoLanguages(v, subject, "name", MaxTitleLength)
		case "note":
			p.Note = c.twoLanguages(v, subject, "note", MaxHelpLength)
		case "opens_at":
			p.OpensAt, _ = c.date(v, subject, "opens_at")
			ref.opensAt = pos{c.File, v.Line}
		case "due":
			p.Due, _ = c.date(v, subject, "due")
			ref.dueAt[""] = pos{c.File, v.Line}
		case "due_by_kind":
			if !c.IsMapping(v, subject, "due_by_kind") {
				break
			}
			p.DueByKind = map[Kind]time.Time{}
			c.Fields(v, subject, "due_by_kind", func(kk string, kn, dv *yaml.Node) bool {
				kind := Kind(kk)
				if !kind.Valid() {
					c.Add(kn, subject, "due_by_kind."+kk, "%q is not a kind of unit (one of %s)", kk, kindList())
					return true
				}
				if d, ok := c.date(dv, subject, "due_by_kind."+kk); ok {
					p.DueByKind[kind] = d
					ref.dueAt[kind] = pos{c.File, dv.Line}
					dueByKind = append(dueByKind, struct {
						kind Kind
						at   pos
					}{kind, pos{c.File, kn.Line}})
				}
				return true
			})
		case "kinds":
			kindsNode = v
			p.Kinds = c.kinds(v, subject, "kinds")
		case "form":
			p.FormID = c.key(v, subject, "form", idRE, "a form id")
			formOK = p.FormID != ""
			ref.pos = pos{c.File, v.Line}
		case "form_version":
			p.FormVersion, versionOK = c.integer(v, subject, "form_version", 1, 1000)
		case "provisional":
			p.Provisional = c.boolean(v, subject, "provisional")
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, "", has, "id", "name", "opens_at", "due", "kinds", "form", "form_version")
	if kindsNode != nil && len(p.Kinds) == 0 && empty(kindsNode) {
		c.Add(kindsNode, subject, "kinds", "a period needs at least one kind of unit")
	}
	for _, d := range dueByKind {
		if !p.AppliesTo(d.kind) && len(p.Kinds) > 0 {
			c.Add(&yaml.Node{Line: d.at.line}, subject, "due_by_kind."+string(d.kind), "%q is not one of the period's kinds", d.kind)
		}
	}
	if p.Provisional && !has["note"] {
		c.Add(n, subject, "note", "a provisional period needs a note saying what is to be confirmed, and with whom")
	}
	if p.ID != "" && idNode != nil {
		if at, dup := c.p.periodAt[p.ID]; dup {
			c.Add(idNode, subject, "id", "already used at %s", at)
			return
		}
		if c.p.periodAt == nil {
			c.p.periodAt = map[string]pos{}
		}
		c.p.periodAt[p.ID] = pos{c.File, idNode.Line}
	}
	c.p.periods = append(c.p.periods, p)
	if formOK && versionOK {
		c.p.refs = append(c.p.refs, ref)
	}
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// kinds reads a list of kinds of unit, each known and given once.
func (c *cursor) kinds(n *yaml.Node, subject, field string) []Kind {
	var out []Kind
	c.list(n, subject, field, func(kn *yaml.Node, i int) {
		s, ok := c.scalar(kn, subject, fmt.Sprintf("%s[%d]", field, i))
		if !ok {
			return
		}
		k := Kind(s)
		switch {
		case !k.Valid():
			c.Add(kn, subject, fmt.Sprintf("%s[%d]", field, i), "%q is not a kind of unit (one of %s)", s, kindList())
		case slices.Contains(out, k):
			c.Add(kn, subject, fmt.Sprintf("%s[%d]", field, i), "%q is listed twice", s)
		default:
			out = append(out, k)
		}
	})
	return out
}

// form reads a form file's root mapping.
func (c *cursor) form(root *yaml.Node) *Form {
	subject := "form"
	var id, version string
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Kind == yaml.ScalarNode && v.Kind == yaml.ScalarNode {
			switch k.Value {
			case "id":
				id = v.Value
			case "version":
				version = v.Value
			}
		}
	}
	if id != "" {
		subject = fmt.Sprintf("form %q v%s", id, version)
	}
	f := &Form{}
	var idNode, sectionsNode *yaml.Node
	versionOK := false
	sectionAt := map[string]int{}
	fieldAt := map[string]int{}
	has := c.Fields(root, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			idNode = v
			f.ID = c.key(v, subject, "id", idRE, "an id of lower-case letters, digits and '-'")
		case "version":
			f.Version, versionOK = c.integer(v, subject, "version", 1, 1000)
		case "title":
			f.Title = c.twoLanguages(v, subject, "title", MaxTitleLength)
		case "sections":
			sectionsNode = v
			c.list(v, subject, "sections", func(sn *yaml.Node, i int) {
				if s := c.section(sn, subject, i, sectionAt, fieldAt); s != nil {
					f.Sections = append(f.Sections, s)
				}
			})
		default:
			return false
		}
		return true
	})
	c.Required(root, subject, "", has, "id", "version", "title", "sections")
	if sectionsNode != nil && empty(sectionsNode) {
		c.Add(sectionsNode, subject, "sections", "a form needs at least one section")
	}
	if f.ID == "" || !versionOK {
		return f
	}
	k := formKey{f.ID, f.Version}
	if at, dup := c.p.formAt[k]; dup {
		c.Add(idNode, subject, "", "form %q version %d is already defined at %s", f.ID, f.Version, at)
		return f
	}
	if c.p.formAt == nil {
		c.p.formAt = map[formKey]pos{}
	}
	c.p.formAt[k] = pos{c.File, idNode.Line}
	c.p.forms = append(c.p.forms, f)
	return f
}

func (c *cursor) section(n *yaml.Node, formSubject string, index int, sectionAt, fieldAt map[string]int) *Section {
	field := fmt.Sprintf("sections[%d]", index)
	subject := formSubject
	if !c.IsMapping(n, subject, field) {
		return nil
	}
	s := &Section{}
	var fieldsNode *yaml.Node
	has := c.Fields(n, subject, field, func(key string, _, v *yaml.Node) bool {
		switch key {
		case "key":
			s.Key = c.key(v, subject, field+".key", keyRE, "a key of lower-case letters, digits and '_', starting with a letter")
			if s.Key == "" {
				break
			}
			if line, dup := sectionAt[s.Key]; dup {
				c.Add(v, subject, field+".key", "section %q is already defined at line %d", s.Key, line)
			}
			sectionAt[s.Key] = v.Line
		case "title":
			s.Title = c.twoLanguages(v, subject, field+".title", MaxTitleLength)
		case "fields":
			fieldsNode = v
			c.list(v, subject, field+".fields", func(fn *yaml.Node, i int) {
				if fl := c.field(fn, formSubject, fmt.Sprintf("%s.fields[%d]", field, i), fieldAt); fl != nil {
					s.Fields = append(s.Fields, fl)
				}
			})
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, field, has, "key", "title", "fields")
	if fieldsNode != nil && empty(fieldsNode) {
		c.Add(fieldsNode, subject, field+".fields", "a section needs at least one field")
	}
	return s
}

// typeKeys are the keys only some types take.
var typeKeys = map[string][]Type{
	"min":         {TypeNumber, TypePercent, TypeDate},
	"max":         {TypeNumber, TypePercent, TypeDate},
	"decimals":    {TypeNumber, TypePercent},
	"unit":        {TypeNumber},
	"max_length":  {TypeText, TypeLongText},
	"options":     {TypeChoice},
	"accept":      {TypeFile},
	"max_size_mb": {TypeFile},
	"max_files":   {TypeFile},
}

func (c *cursor) field(n *yaml.Node, formSubject, where string, fieldAt map[string]int) *Field {
	subject := formSubject
	if !c.IsMapping(n, subject, where) {
		return nil
	}
	// The key and type first: every problem names the field, and the other
	// keys are read according to the type.
	var typ Type
	var typeNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			continue
		}
		switch k.Value {
		case "key":
			if v.Value != "" {
				subject = fmt.Sprintf("%s: field %q", formSubject, v.Value)
				where = ""
			}
		case "type":
			typ, typeNode = Type(v.Value), v
		}
	}
	f := &Field{Type: typ}
	if typeNode != nil && !slices.Contains(Types, typ) {
		c.Add(typeNode, subject, yamlcheck.Join(where, "type"), "%q is not a field type (one of %s)", typ, typeList())
		typ = ""
	}
	var minNode, maxNode *yaml.Node
	has := c.Fields(n, subject, where, func(key string, k, v *yaml.Node) bool {
		if types, ok := typeKeys[key]; ok && typ != "" && !slices.Contains(types, typ) {
			c.Add(k, subject, yamlcheck.Join(where, key), "is not allowed for a %s field", typ)
			return true
		}
		switch key {
		case "key":
			f.Key = c.key(v, subject, yamlcheck.Join(where, "key"), keyRE, "a key of lower-case letters, digits and '_', starting with a letter")
			if f.Key == "" {
				break
			}
			if line, dup := fieldAt[f.Key]; dup {
				c.Add(v, subject, yamlcheck.Join(where, "key"), "field %q is already defined at line %d: keys are unique in a form", f.Key, line)
			}
			fieldAt[f.Key] = v.Line
		case "type":
			c.scalar(v, subject, yamlcheck.Join(where, "type"))
		case "label":
			f.Label = c.twoLanguages(v, subject, yamlcheck.Join(where, "label"), MaxLabelLength)
		case "help":
			f.Help = c.twoLanguages(v, subject, yamlcheck.Join(where, "help"), MaxHelpLength)
		case "required":
			f.Required = c.boolean(v, subject, yamlcheck.Join(where, "required"))
		case "kinds":
			f.Kinds = c.kinds(v, subject, yamlcheck.Join(where, "kinds"))
			if empty(v) {
				c.Add(v, subject, yamlcheck.Join(where, "kinds"), "leave kinds out for a field every unit answers")
			}
		case "min":
			minNode = v
		case "max":
			maxNode = v
		case "decimals":
			f.Decimals, _ = c.integer(v, subject, yamlcheck.Join(where, "decimals"), 0, MaxDecimals)
		case "unit":
			f.Unit = c.twoLanguages(v, subject, yamlcheck.Join(where, "unit"), MaxUnitLength)
		case "max_length":
			hi := MaxTextLimit
			if typ == TypeLongText {
				hi = MaxLongTextLimit
			}
			f.MaxLength, _ = c.integer(v, subject, yamlcheck.Join(where, "max_length"), 1, hi)
		case "options":
			c.list(v, subject, yamlcheck.Join(where, "options"), func(on *yaml.Node, i int) {
				f.Options = append(f.Options, c.option(on, subject, fmt.Sprintf("%s[%d]", yamlcheck.Join(where, "options"), i)))
			})
			if k := len(f.Options); k < MinOptions || k > MaxOptions {
				c.Add(v, subject, yamlcheck.Join(where, "options"), "has %d options; a choice needs %d to %d", k, MinOptions, MaxOptions)
			}
		case "accept":
			c.list(v, subject, yamlcheck.Join(where, "accept"), func(an *yaml.Node, i int) {
				s, ok := c.scalar(an, subject, fmt.Sprintf("%s[%d]", yamlcheck.Join(where, "accept"), i))
				switch k := FileKind(s); {
				case !ok:
				case !slices.Contains(FileKinds, k):
					c.Add(an, subject, fmt.Sprintf("%s[%d]", yamlcheck.Join(where, "accept"), i), "%q is not a kind of file (one of %s)", s, fileKindList())
				case slices.Contains(f.Accept, k):
					c.Add(an, subject, fmt.Sprintf("%s[%d]", yamlcheck.Join(where, "accept"), i), "%q is listed twice", s)
				default:
					f.Accept = append(f.Accept, k)
				}
			})
			if empty(v) {
				c.Add(v, subject, yamlcheck.Join(where, "accept"), "a file field accepts at least one kind of file")
			}
		case "max_size_mb":
			f.MaxSizeMB, _ = c.integer(v, subject, yamlcheck.Join(where, "max_size_mb"), 1, MaxFileSizeMB)
		case "max_files":
			f.MaxFiles, _ = c.integer(v, subject, yamlcheck.Join(where, "max_files"), 1, MaxFilesLimit)
		default:
			return false
		}
		return true
	})
	// help is optional: the flow says how to answer each type and that a
	// field is optional; a help says only what the label leaves out.
	c.Required(n, subject, where, has, "key", "type", "label")
	switch typ {
	case TypeNumber, TypePercent:
		c.numberBounds(f, subject, where, n, minNode, maxNode)
	case TypeDate:
		if minNode != nil {
			if d, ok := c.date(minNode, subject, yamlcheck.Join(where, "min")); ok {
				f.MinDate = d.Format(time.DateOnly)
			}
		}
		if maxNode != nil {
			if d, ok := c.date(maxNode, subject, yamlcheck.Join(where, "max")); ok {
				f.MaxDate = d.Format(time.DateOnly)
			}
		}
		if f.MinDate != "" && f.MaxDate != "" && f.MinDate > f.MaxDate {
			c.Add(maxNode, subject, yamlcheck.Join(where, "max"), "%s is before min %s", f.MaxDate, f.MinDate)
		}
	case TypeText:
		if f.MaxLength == 0 && !has["max_length"] {
			f.MaxLength = DefaultTextMax
		}
	case TypeLongText:
		if f.MaxLength == 0 && !has["max_length"] {
			f.MaxLength = DefaultLongTextMax
		}
	case TypeChoice:
		if !has["options"] {
			c.Add(n, subject, yamlcheck.Join(where, "options"), "is missing: a choice needs its options")
		}
		c.distinctOptions(f, subject, where, n)
	case TypeFile:
		if !has["accept"] {
			c.Add(n, subject, yamlcheck.Join(where, "accept"), "is missing: say which kinds of file (%s) are accepted", fileKindList())
		}
		if f.MaxSizeMB == 0 {
			f.MaxSizeMB = DefaultFileSizeMB
		}
		if f.MaxFiles == 0 {
			f.MaxFiles = DefaultMaxFiles
		}
	}
	return f
}

func typeList() string {
	names := make([]string, len(Types))
	for i, t := range Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func fileKindList() string {
	names := make([]string, len(FileKinds))
	for i, k := range FileKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// numberBounds reads and checks min, max and decimals of a number or percent
// field, and sets their defaults: 0 for a number's min, 0 and 100 for a
// percentage, DefaultPercentDec decimals for a percentage.
func (c *cursor) numberBounds(f *Field, subject, where string, n, minNode, maxNode *yaml.Node) {
	hasDecimals := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "decimals" {
			hasDecimals = true
		}
	}
	if f.Type == TypePercent && !hasDecimals {
		f.Decimals = DefaultPercentDec
	}
	ok := true
	var lo, hi *big.Rat
	if minNode != nil {
		f.Min, lo, ok = c.decimal(minNode, subject, yamlcheck.Join(where, "min"))
	}
	if maxNode != nil {
		var okMax bool
		f.Max, hi, okMax = c.decimal(maxNode, subject, yamlcheck.Join(where, "max"))
		ok = ok && okMax
	}
	if !ok {
		return
	}
	if lo == nil {
		f.Min, lo = "0", new(big.Rat)
	}
	if f.Type == TypePercent {
		hundred := big.NewRat(100, 1)
		if hi == nil {
			f.Max, hi = "100", hundred
		}
		if lo.Sign() < 0 {
			c.Add(minNode, subject, yamlcheck.Join(where, "min"), "a percentage cannot be below 0")
		}
		if hi.Cmp(hundred) > 0 {
			c.Add(maxNode, subject, yamlcheck.Join(where, "max"), "a percentage cannot be above 100")
		}
	}
	if hi != nil && lo.Cmp(hi) >= 0 {
		at := maxNode
		if at == nil {
			at = minNode
		}
		c.Add(at, subject, yamlcheck.Join(where, "max"), "max %s must be above min %s", f.Max, f.Min)
	}
	for _, b := range []struct {
		v    string
		node *yaml.Node
		name string
	}{{f.Min, minNode, "min"}, {f.Max, maxNode, "max"}} {
		_, frac, _ := strings.Cut(b.v, ".")
		if b.node != nil && len(frac) > f.Decimals {
			c.Add(b.node, subject, yamlcheck.Join(where, b.name), "%s has more decimals than the field allows (%d)", b.v, f.Decimals)
		}
		if digits := len(strings.Trim(strings.ReplaceAll(strings.TrimPrefix(b.v, "-"), ".", ""), "0")); b.node != nil && digits > maxNumberDigits {
			c.Add(b.node, subject, yamlcheck.Join(where, b.name), "%s has more than %d digits", b.v, maxNumberDigits)
		}
	}
}

func (c *cursor) option(n *yaml.Node, subject, where string) Option {
	var o Option
	if !c.IsMapping(n, subject, where) {
		return o
	}
	has := c.Fields(n, subject, where, func(key string, _, v *yaml.Node) bool {
		switch key {
		case "key":
			o.Key = c.key(v, subject, where+".key", keyRE, "a key of lower-case letters, digits and '_', starting with a letter")
		case "label":
			o.Label = c.twoLanguages(v, subject, where+".label", MaxOptionLength)
		default:
			return false
		}
		return true
	})
	c.Required(n, subject, where, has, "key", "label")
	return o
}

// distinctOptions checks that a typed choice can name exactly one option:
// keys unique; labels that differ once case and diacritics are ignored, and
// are not bare numbers (a number picks an option by its place).
func (c *cursor) distinctOptions(f *Field, subject, where string, n *yaml.Node) {
	var optsNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "options" {
			optsNode = n.Content[i+1]
		}
	}
	if optsNode == nil || optsNode.Kind != yaml.SequenceNode || len(optsNode.Content) != len(f.Options) {
		return
	}
	keys := map[string]int{}
	seen := map[string]int{}
	for i, o := range f.Options {
		at := optsNode.Content[i]
		w := fmt.Sprintf("%s[%d]", yamlcheck.Join(where, "options"), i)
		if j, dup := keys[o.Key]; dup && o.Key != "" {
			c.Add(at, subject, w+".key", "%q is the key of option %d already", o.Key, j)
		}
		keys[o.Key] = i
		folded := [2]string{bot.Fold(o.Label.VI), bot.Fold(o.Label.EN)}
		for lang, s := range map[string]string{"vi": folded[0], "en": folded[1]} {
			if s == "" {
				continue
			}
			if digitsOnlyRE.MatchString(s) {
				c.Add(at, subject, w+".label."+lang, "a label cannot be a bare number: numbers pick options by their place")
			}
		}
		for _, s := range slices.Compact(folded[:]) {
			if s == "" {
				continue
			}
			if j, dup := seen[s]; dup && j != i {
				c.Add(at, subject, w+".label", "reads the same as option %d (case and diacritics aside)", j)
			}
			seen[s] = i
		}
	}
}

// crossCheck checks what spans files: every period's form exists, every
// due date is on or after the opening, and each form's versions run from 1
// without a gap.
func (p *parser) crossCheck() {
	for _, r := range p.refs {
		per := r.period
		subject := fmt.Sprintf("period %q", per.ID)
		if _, ok := p.formAt[formKey{per.FormID, per.FormVersion}]; !ok {
			p.errs.Add(r.file, r.line, subject, "form", "form %q version %d does not exist (forms/%s.v%d.yaml)", per.FormID, per.FormVersion, per.FormID, per.FormVersion)
		}
		if per.OpensAt.IsZero() {
			continue
		}
		for kind, at := range r.dueAt {
			due := per.Due
			field := "due"
			if kind != "" {
				due, field = per.DueByKind[kind], "due_by_kind."+string(kind)
			}
			if !due.IsZero() && due.Before(per.OpensAt) {
				p.errs.Add(at.file, at.line, subject, field, "%s is before opens_at %s", due.Format(time.DateOnly), per.OpensAt.Format(time.DateOnly))
			}
		}
	}
	versions := map[string][]int{}
	for _, f := range p.forms {
		versions[f.ID] = append(versions[f.ID], f.Version)
	}
	for id, vs := range versions {
		slices.Sort(vs)
		for i, v := range vs {
			if v != i+1 {
				at := p.formAt[formKey{id, v}]
				p.errs.Add(at.file, at.line, fmt.Sprintf("form %q v%d", id, v), "version", "version %d is missing: every version ever shipped stays, so drafts and reports made with it still load", i+1)
				break
			}
		}
	}
}

// build indexes what was read; it runs only when nothing is wrong.
func (p *parser) build() *Config {
	c := &Config{
		Periods:    p.periods,
		periodByID: map[string]*Period{},
		forms:      map[formKey]*Form{},
		latest:     map[string]*Form{},
	}
	for _, per := range p.periods {
		c.periodByID[per.ID] = per
	}
	forms := slices.Clone(p.forms)
	slices.SortFunc(forms, func(a, b *Form) int {
		if a.ID != b.ID {
			return strings.Compare(a.ID, b.ID)
		}
		return a.Version - b.Version
	})
	for _, f := range forms {
		f.index()
		c.forms[formKey{f.ID, f.Version}] = f
		if l, ok := c.latest[f.ID]; !ok || l.Version < f.Version {
			c.latest[f.ID] = f
		}
	}
	c.Forms = forms
	return c
}
