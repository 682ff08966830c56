// Package bank is the quiz's question bank: competence areas and questions in
// Vietnamese and English, read from YAML files (embedded in the binary, or
// imported by an administrator), checked strictly, and indexed for the flow.
//
// Every file has the same shape: a mapping with "areas:", "questions:" or
// both. The embedded bank is areas.yaml plus questions_*.yaml; an imported
// bank is one file (or several) holding both parts. A bank's version is a
// short hash of its canonical form (Canonical), so the same content always
// has the same version whatever its comments or layout.
package bank

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"hocvuso/bot"
	"hocvuso/internal/yamlcheck"
)

// Limits on what a bank may hold, in characters (runes). Questions and
// options are read on small phone screens.
const (
	MaxQuestion    = 300
	MaxOption      = 80
	MaxExplanation = 400
	MaxSource      = 300
	MaxName        = 120
	MaxShort       = 24 // an area's button label
	MaxID          = 64
	MinOptions     = 3
	MaxOptions     = 4
)

// Text is a text in both languages.
type Text struct {
	VI string `yaml:"vi"`
	EN string `yaml:"en"`
}

// In returns the text in lang: English for "en", Vietnamese otherwise.
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.VI
}

// Competence is one competence of an area, "4.2" for instance.
type Competence struct {
	ID   string `yaml:"id"`
	Name Text   `yaml:"name"`
}

// Area is a competence area: "0" device basics, "1".."6" the domains of
// Thông tư 02/2025/TT-BGDĐT.
type Area struct {
	ID          string       `yaml:"id"`
	Name        Text         `yaml:"name"`
	Short       Text         `yaml:"short"`
	Source      string       `yaml:"source"`
	Competences []Competence `yaml:"competences"`
}

// Question is one multiple-choice question with exactly one correct option.
type Question struct {
	ID          string `yaml:"id"`
	Competence  string `yaml:"competence"`
	Text        Text   `yaml:"text"`
	Options     []Text `yaml:"options"`
	Correct     int    `yaml:"correct"` // index in Options
	Explanation Text   `yaml:"explanation"`
	Source      string `yaml:"source"`

	// Area is the id of the competence's area.
	Area string `yaml:"-"`
	// folded holds each option folded (bot.Fold) in both languages, for
	// matching typed answers.
	folded [][2]string
}

// Folded returns option i folded for lenient comparison: [vi, en].
func (q *Question) Folded(i int) [2]string { return q.folded[i] }

// Bank is a checked, indexed question bank. It is read-only once loaded and
// safe to share between goroutines.
type Bank struct {
	Version   string
	Areas     []Area
	Questions []Question

	canonical []byte
	byID      map[string]int
	byArea    map[string][]int
	areaIndex map[string]int
}

// Question returns a question by id.
func (b *Bank) Question(id string) (*Question, bool) {
	i, ok := b.byID[id]
	if !ok {
		return nil, false
	}
	return &b.Questions[i], true
}

// InternID returns the bank's own string for a question id given as
// bytes, without allocating; ok is false for an id not in the bank.
func (b *Bank) InternID(id []byte) (string, bool) {
	i, ok := b.byID[string(id)]
	if !ok {
		return "", false
	}
	return b.Questions[i].ID, true
}

// Area returns an area by id.
func (b *Bank) Area(id string) (*Area, bool) {
	i, ok := b.areaIndex[id]
	if !ok {
		return nil, false
	}
	return &b.Areas[i], true
}

// AreaIDs lists the areas' ids in bank order.
func (b *Bank) AreaIDs() []string {
	ids := make([]string, len(b.Areas))
	for i, a := range b.Areas {
		ids[i] = a.ID
	}
	return ids
}

// AreaName is an area's full name in lang, or "" for an area the bank does
// not have.
func (b *Bank) AreaName(lang, id string) string {
	if a, ok := b.Area(id); ok {
		return a.Name.In(lang)
	}
	return ""
}

// InArea lists the indices in Questions of an area's questions, in bank order.
func (b *Bank) InArea(area string) []int { return b.byArea[area] }

// Canonical is the bank as one YAML file with "areas:" and "questions:",
// without comments: what is stored when a bank is imported, and what its
// version is the hash of. It loads back to the same bank.
func (b *Bank) Canonical() []byte { return b.canonical }

// File is one bank file: a name for messages and its content.
type File = yamlcheck.File

//go:embed *.yaml
var embedded embed.FS

// EmbeddedFiles returns the files built into the binary: areas.yaml first,
// then questions_*.yaml in name order.
func EmbeddedFiles() ([]File, error) {
	return yamlcheck.ReadFiles(embedded, "areas.yaml", "questions_*.yaml")
}

// Embedded loads the bank built into the binary.
func Embedded() (*Bank, error) {
	files, err := EmbeddedFiles()
	if err != nil {
		return nil, err
	}
	return Load(files...)
}

// Load reads, checks and indexes a bank from its files. Any problem makes it
// fail with an *Error that lists every problem found, each with its file and
// line.
func Load(files ...File) (b *Bank, err error) {
	defer func() {
		// The YAML parser is not ours; whatever it does, bad input is an
		// error, never a crash.
		if r := recover(); r != nil {
			b, err = nil, &Error{Problems: []Problem{{File: yamlcheck.FileNames(files), Msg: fmt.Sprintf("cannot read the file: %v", r)}}}
		}
	}()
	p := &parser{}
	for _, f := range files {
		p.file(f)
	}
	p.crossCheck()
	if len(p.errs.Problems) > 0 {
		return nil, &Error{Problems: p.errs.Problems}
	}
	return build(p.areas, p.questions)
}

// canonicalBank is the shape of Canonical.
type canonicalBank struct {
	Areas     []Area     `yaml:"areas"`
	Questions []Question `yaml:"questions"`
}

func build(areas []Area, questions []Question) (*Bank, error) {
	b := &Bank{
		Areas: areas, Questions: questions,
		byID:      make(map[string]int, len(questions)),
		byArea:    make(map[string][]int, len(areas)),
		areaIndex: make(map[string]int, len(areas)),
	}
	areaOf := map[string]string{}
	for i, a := range areas {
		b.areaIndex[a.ID] = i
		for _, c := range a.Competences {
			areaOf[c.ID] = a.ID
		}
	}
	for i := range b.Questions {
		q := &b.Questions[i]
		q.Area = areaOf[q.Competence]
		b.byID[q.ID] = i
		b.byArea[q.Area] = append(b.byArea[q.Area], i)
		q.folded = make([][2]string, len(q.Options))
		for j, o := range q.Options {
			q.folded[j] = [2]string{bot.Fold(o.VI), bot.Fold(o.EN)}
		}
	}
	var sb strings.Builder
	enc := yaml.NewEncoder(&sb)
	enc.SetIndent(2)
	if err := enc.Encode(canonicalBank{Areas: areas, Questions: questions}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	b.canonical = []byte(sb.String())
	sum := sha256.Sum256(b.canonical)
	b.Version = hex.EncodeToString(sum[:6])
	return b, nil
}
