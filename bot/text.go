package bot

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NFC normalises text at the edge: users type with Telex/VNI keyboards that
// may produce decomposed (NFD) Vietnamese.
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// stripMarks holds transformers that take the diacritics off: a chain
// allocates some 16 KiB of buffers, and loading the question bank folds
// every option (20 MiB of garbage at start before they were reused).
var stripMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold makes typed input comparable leniently: lower case, no diacritics
// (đ counts as d), inner spaces collapsed, surrounding punctuation dropped.
func Fold(s string) string {
	// Ill-formed UTF-8 can keep the normaliser from decomposing the next
	// letter, leaving its diacritics on; replace it first.
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	t := stripMarks.Get().(transform.Transformer)
	out, _, err := transform.String(t, s) // resets t first
	stripMarks.Put(t)
	if err != nil {
		out = s
	}
	out = strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ':
			return 'd'
		}
		return unicode.ToLower(r)
	}, out)
	out = strings.Join(strings.Fields(out), " ")
	return strings.TrimFunc(out, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}
