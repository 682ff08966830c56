// Package locales holds every user-facing text, Vietnamese first and English
// second, as go-i18n message files embedded in the binary.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync"

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
	missing    sync.Map // ids already reported missing
	OnMissing  func(lang, id string)
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*i18n.Localizer{}, ids: map[string][]string{}}
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
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
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
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Languages[0]]
	}
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
