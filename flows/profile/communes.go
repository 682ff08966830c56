package profile

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"hocvuso/bot"
)

// The commune-level units of Sơn La since 1 July 2025, with their source.
//
//go:embed communes.yaml
var communesYAML []byte

// Kinds of commune-level unit.
const (
	KindWard    = "phuong" // phường
	KindCommune = "xa"     // xã
)

// The expected shape of the list (Resolution 1681/NQ-UBTVQH15): the loader
// refuses anything else, so a bad edit of the file cannot ship.
const (
	wantUnits    = 75
	wantWards    = 8
	wantCommunes = 67
)

// Unit is one commune-level unit: a xã or a phường.
type Unit struct {
	Code string // official 5-digit code
	Name string // NFC, without "Xã"/"Phường"
	Kind string // KindWard or KindCommune

	letter  string   // the first letter, upper case, as written ("Đ")
	compact string   // folded name without spaces: "chiengcoi"
	words   []string // folded words: "chieng", "coi"
}

// Letter is the first letter of the name, as browsed by.
func (u Unit) Letter() string { return u.letter }

// Communes is the validated list.
type Communes struct {
	Source string
	units  []Unit         // in Vietnamese alphabetical order
	byCode map[string]int // index in units
}

// LoadCommunes returns the embedded list, validated.
func LoadCommunes() (*Communes, error) { return ParseCommunes(communesYAML) }

type unitYAML struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	line int
}

func (u *unitYAML) UnmarshalYAML(n *yaml.Node) error {
	type plain unitYAML
	if err := n.Decode((*plain)(u)); err != nil {
		return err
	}
	u.line = n.Line
	return nil
}

// ParseCommunes reads and checks a list: exactly 75 units (8 phường, 67
// xã), 5-digit codes, NFC names, no code or name twice, a source.
func ParseCommunes(data []byte) (*Communes, error) {
	var doc struct {
		Source string     `yaml:"source"`
		Units  []unitYAML `yaml:"units"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("communes: %w", err)
	}
	var errs []error
	bad := func(line int, format string, a ...any) {
		errs = append(errs, fmt.Errorf("communes: line %d: %s", line, fmt.Sprintf(format, a...)))
	}
	if strings.TrimSpace(doc.Source) == "" {
		errs = append(errs, errors.New("communes: the source of the list is missing"))
	}
	cs := &Communes{Source: doc.Source, byCode: map[string]int{}}
	codes := map[string]int{} // line of each code
	names := map[string]int{}
	kinds := map[string]int{}
	for _, y := range doc.Units {
		if len(y.Code) != 5 || strings.Trim(y.Code, "0123456789") != "" {
			bad(y.line, "code %q is not 5 digits", y.Code)
		} else if l, dup := codes[y.Code]; dup {
			bad(y.line, "code %s is already used on line %d", y.Code, l)
		} else {
			codes[y.Code] = y.line
		}
		switch {
		case strings.TrimSpace(y.Name) == "" || strings.TrimSpace(y.Name) != y.Name:
			bad(y.line, "name %q is empty or has surrounding spaces", y.Name)
		case !utf8.ValidString(y.Name) || !norm.NFC.IsNormalString(y.Name):
			bad(y.line, "name %q is not in Unicode NFC", y.Name)
		}
		key := compact(bot.Fold(y.Name))
		if l, dup := names[key]; dup {
			bad(y.line, "name %q is already used on line %d", y.Name, l)
		}
		names[key] = y.line
		if y.Kind != KindWard && y.Kind != KindCommune {
			bad(y.line, "kind %q is neither %q nor %q", y.Kind, KindWard, KindCommune)
		}
		kinds[y.Kind]++
		cs.units = append(cs.units, newUnit(y.Code, y.Name, y.Kind))
	}
	if len(doc.Units) != wantUnits || kinds[KindWard] != wantWards || kinds[KindCommune] != wantCommunes {
		errs = append(errs, fmt.Errorf("communes: %d units (%d phường, %d xã); want %d (%d phường, %d xã)",
			len(doc.Units), kinds[KindWard], kinds[KindCommune], wantUnits, wantWards, wantCommunes))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	col := collate.New(language.Vietnamese)
	slices.SortStableFunc(cs.units, func(a, b Unit) int { return col.CompareString(a.Name, b.Name) })
	for i, u := range cs.units {
		cs.byCode[u.Code] = i
	}
	return cs, nil
}

func newUnit(code, name, kind string) Unit {
	folded := bot.Fold(name)
	first, _ := utf8.DecodeRuneInString(name)
	return Unit{
		Code: code, Name: name, Kind: kind,
		letter:  string(unicode.ToUpper(first)),
		compact: compact(folded),
		words:   strings.Fields(folded),
	}
}

// Units lists every unit in alphabetical order.
func (cs *Communes) Units() []Unit { return cs.units }

// Len is the number of units.
func (cs *Communes) Len() int { return len(cs.units) }

// Unit finds a unit by its code.
func (cs *Communes) Unit(code string) (Unit, bool) {
	i, ok := cs.byCode[code]
	if !ok {
		return Unit{}, false
	}
	return cs.units[i], true
}

// Letters lists the first letters of the names, in alphabetical order.
func (cs *Communes) Letters() []string {
	var out []string
	for _, u := range cs.units {
		if len(out) == 0 || out[len(out)-1] != u.letter {
			out = append(out, u.letter)
		}
	}
	return out
}

// WithLetter lists the units whose name starts with letter, alphabetically.
func (cs *Communes) WithLetter(letter string) []Unit {
	var out []Unit
	for _, u := range cs.units {
		if u.letter == letter {
			out = append(out, u)
		}
	}
	return out
}

// order is a unit's place in alphabetical order.
func (cs *Communes) order(code string) int { return cs.byCode[code] }

// MaxResults is how many units a search shows at most: a phone's screen.
const MaxResults = 8

// maxQuery bounds a typed query, in bytes once folded, and maxText the
// text typed: no name is near either.
const (
	maxQuery = 64
	maxText  = 1024
)

// Match is what a typed search found.
type Match struct {
	Units []Unit // at most MaxResults, best first
	Total int    // how many units matched in all
	// Near is set when nothing matched as typed and Units are the names
	// closest to it (a typo).
	Near bool
	// TooLong is set when the text is too long to be a name.
	TooLong bool
}

// Search finds the units a user means by typed text: a part of the name,
// with or without diacritics, in any case, composed or not, with or without
// "xã"/"phường" in front (or the words of a name before 2025: "thị trấn",
// "huyện", "TT."), with or without "Sơn La" after it; or the unit's code.
// Exact names come first, then names starting with the text, then names
// whose words start with the typed words ("ch coi"), then names containing
// it. An address ("tổ 3, phường Chiềng Sinh, TP Sơn La") is read part by
// part when the whole is not a name. When nothing matches, the names within
// a typo or two are offered instead.
func (cs *Communes) Search(text string) Match {
	if len(text) > maxText {
		return Match{TooLong: true}
	}
	m := cs.search(queryWords(text))
	if (m.Total > 0 && !m.Near) || !strings.ContainsAny(text, ",;") {
		return m
	}
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' }) {
		if pm := cs.search(queryWords(part)); pm.Total > 0 && !pm.Near {
			return pm
		}
	}
	return m
}

// search finds the units named by the words of a query (queryWords).
func (cs *Communes) search(words []string) Match {
	q := strings.Join(words, "")
	if len(q) > maxQuery {
		return Match{TooLong: true}
	}
	if q == "" {
		return Match{}
	}
	if i, ok := cs.byCode[q]; ok {
		return Match{Units: []Unit{cs.units[i]}, Total: 1}
	}
	type scored struct {
		u     Unit
		score int
	}
	var found []scored
	for _, u := range cs.units {
		s := -1
		switch {
		case u.compact == q:
			s = 0
		case strings.HasPrefix(u.compact, q):
			s = 1
		case wordsPrefix(u.words, words):
			s = 2
		case strings.Contains(u.compact, q):
			s = 3
		}
		if s >= 0 {
			found = append(found, scored{u, s})
		}
	}
	near := false
	if len(found) == 0 {
		near = true
		limit := 1
		switch n := utf8.RuneCountInString(q); {
		case n > 10:
			limit = 3
		case n > 5:
			limit = 2
		}
		for _, u := range cs.units {
			if d := distance(q, u.compact, limit); d <= limit {
				found = append(found, scored{u, d})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int { return a.score - b.score }) // units are alphabetical already
	m := Match{Total: len(found), Near: near && len(found) > 0}
	for _, f := range found[:min(len(found), MaxResults)] {
		m.Units = append(m.Units, f.u)
	}
	return m
}

// queryWords folds typed text into words: letters and digits only, without
// the kind of unit in front ("xã", "phường", "x.", "p.", or one of before
// 2025: "thị trấn", "huyện"…) nor the province after ("Sơn La", "tỉnh Sơn
// La"), as long as some word is left.
func queryWords(text string) []string {
	folded := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, bot.Fold(bot.NFC(text)))
	words := strings.Fields(folded)
	for _, p := range unitPrefixes {
		if len(words) > len(p) && slices.Equal(words[:len(p)], p) {
			words = words[len(p):]
			break
		}
	}
	for _, p := range provinceSuffixes {
		if len(words) > len(p) && slices.Equal(words[len(words)-len(p):], p) {
			words = words[:len(words)-len(p)]
			break
		}
	}
	return words
}

// unitPrefixes are the kinds of unit typed before a name, folded, longest
// first: today's xã and phường, and those of before 1 July 2025 (thị trấn,
// thị xã, thành phố, huyện), whose names people still use.
var unitPrefixes = [][]string{
	{"thi", "tran"}, {"thi", "xa"}, {"thanh", "pho"},
	{"xa"}, {"phuong"}, {"huyen"}, {"x"}, {"p"}, {"tt"}, {"tx"}, {"tp"},
}

// provinceSuffixes are the province typed after a name, folded, longest first.
var provinceSuffixes = [][]string{{"tinh", "son", "la"}, {"son", "la"}}

func compact(s string) string { return strings.ReplaceAll(s, " ", "") }

// wordsPrefix reports whether each typed word starts a word of the name,
// in order: "ch coi" for "chieng coi", "m la" for "muong la".
func wordsPrefix(name, typed []string) bool {
	if len(typed) < 2 {
		return false
	}
	i := 0
	for _, w := range name {
		if i < len(typed) && strings.HasPrefix(w, typed[i]) {
			i++
		}
	}
	return i == len(typed)
}

// distance is the edit distance between a and b (runes), or limit+1 when
// it is larger than limit.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
