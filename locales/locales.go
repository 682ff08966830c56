// Package locales holds every user-facing text, Vietnamese first and English
// second, as go-i18n message files embedded in the binary.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Languages are the catalogue's languages, the default first.
var Languages = []string{"vi", "en"}

// Catalog renders messages by id.
type Catalog struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	ids        map[string][]string
	// plain holds, by language and id, the messages whose template only
	// inserts values ({{.Name}}), or none: nearly all of them. They are
	// rendered here, without text/template's reflection (see Text).
	plain     map[string]map[string]*plainMessage
	missing   sync.Map // ids already reported missing
	OnMissing func(lang, id string)
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*i18n.Localizer{}, ids: map[string][]string{},
		plain: map[string]map[string]*plainMessage{}}
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return nil, err
	}
	// Files are "<lang>.yaml" or "<topic>.<lang>.yaml", one topic per flow.
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("locales/%s: %w", name, err)
		}
		lang := mf.Tag.String()
		if !slices.Contains(Languages, lang) {
			return nil, fmt.Errorf("locales/%s: language %q is not one of %v", name, lang, Languages)
		}
		if c.plain[lang] == nil {
			c.plain[lang] = map[string]*plainMessage{}
		}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
			if p, ok := parsePlain(m); ok {
				c.plain[lang][m.ID] = p
			}
		}
	}
	for _, lang := range Languages {
		sort.Strings(c.ids[lang])
		// No fallback: a message missing in a language is a defect the tests catch.
		c.localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// Text renders message id in lang with data for its template. A missing
// message renders as its id, so a gap shows without breaking the chat.
func (c *Catalog) Text(lang, id string, data map[string]any) string {
	if _, ok := c.localizers[lang]; !ok {
		lang = Languages[0]
	}
	if p := c.plain[lang][id]; p != nil {
		if s, ok := p.render(func(name string) (any, bool) { v, ok := data[name]; return v, ok }); ok {
			return s
		}
	}
	return c.localize(lang, id, data)
}

// TextKV is Text with the template's data as key, value pairs (what
// bot.Conversation.T takes), which spares building a map for the messages
// rendered here.
func (c *Catalog) TextKV(lang, id string, kv ...any) string {
	if _, ok := c.localizers[lang]; !ok {
		lang = Languages[0]
	}
	if p := c.plain[lang][id]; p != nil {
		if s, ok := p.render(func(name string) (any, bool) {
			for i := len(kv)&^1 - 2; i >= 0; i -= 2 { // the last pair wins, as in a map
				if k, _ := kv[i].(string); k == name {
					return kv[i+1], true
				}
			}
			return nil, false
		}); ok {
			return s
		}
	}
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	return c.localize(lang, id, data)
}

// localize renders through go-i18n.
func (c *Catalog) localize(lang, id string, data map[string]any) string {
	l := c.localizers[lang]
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		if _, seen := c.missing.LoadOrStore(lang+"/"+id, true); !seen && c.OnMissing != nil {
			c.OnMissing(lang, id)
		}
		return id
	}
	return s
}

// IDs lists the message ids of a language, sorted.
func (c *Catalog) IDs(lang string) []string { return c.ids[lang] }

// plainMessage is a message whose template only inserts values by name,
// {{.Name}}: text[0], value of names[0], text[1]... It renders strings and
// integers as go-i18n (text/template) renders them; other values are left
// to go-i18n.
type plainMessage struct {
	text  []string // len(names)+1
	names []string
}

// parsePlain reads a message as a plainMessage; ok is false for anything
// else (plural forms, other delimiters, actions other than {{.Name}}),
// which go-i18n renders.
func parsePlain(m *i18n.Message) (*plainMessage, bool) {
	if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" ||
		(m.LeftDelim != "" && m.LeftDelim != "{{") || (m.RightDelim != "" && m.RightDelim != "}}") {
		return nil, false
	}
	p := &plainMessage{}
	rest := m.Other
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if strings.Contains(rest, "}}") {
				return nil, false
			}
			p.text = append(p.text, rest)
			return p, true
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return nil, false
		}
		name, ok := strings.CutPrefix(rest[i+2:i+j], ".")
		if !ok || !isIdent(name) || strings.Contains(rest[:i], "}}") {
			return nil, false
		}
		p.text = append(p.text, rest[:i])
		p.names = append(p.names, name)
		rest = rest[i+j+2:]
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// render fills the message with the values value finds; ok is false when
// one is missing (text/template then prints "<no value>": go-i18n decides).
func (p *plainMessage) render(value func(name string) (any, bool)) (string, bool) {
	if len(p.names) == 0 {
		return p.text[0], true
	}
	var buf [512]byte
	b := append(buf[:0], p.text[0]...)
	for i, name := range p.names {
		v, ok := value(name)
		if !ok {
			return "", false
		}
		switch v := v.(type) {
		case string:
			b = append(b, v...)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		default: // pointers, Stringers, nil...: text/template's rules
			return "", false
		}
		b = append(b, p.text[i+1]...)
	}
	return string(b), true
}
