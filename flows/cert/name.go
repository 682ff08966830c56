package cert

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/certificate"
)

// Limits of the name printed on a certificate, in characters (runes, NFC).
const (
	MinNameLetters = 2
	MaxNameLen     = 60
)

// NameProblem says why a typed name cannot be printed.
type NameProblem uint8

const (
	NameOK           NameProblem = iota
	NameTooShort                 // fewer than MinNameLetters letters
	NameTooLong                  // more than MaxNameLen characters
	NameBadChars                 // something else than letters, spaces and . - '
	NameNotPrintable             // letters the certificate's font cannot draw
)

// maxBadShown bounds the characters quoted back in the error message.
const maxBadShown = 5

// CleanName reads a name as typed: NFC, spaces collapsed and trimmed,
// typographic apostrophes and dashes made plain. Letters of any script (with
// their combining marks), spaces and . - ' are allowed, as long as the
// certificate's font draws them: a letter it has no glyph for would be
// printed as an empty box. On a problem it also returns the characters that
// cannot be used, as they can be shown.
func CleanName(s string) (name string, problem NameProblem, bad []string) {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2019', '\u2018', '\u02bc', '\u2032', '`', '\u00b4':
			return '\''
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			return '-'
		}
		return r
	}, s)
	name = strings.Join(strings.Fields(s), " ")
	letters := 0
	seen := map[rune]bool{}
	var unprintable []string
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			// a mark NFC could not compose (other scripts) is part of a letter
			if unicode.IsLetter(r) {
				letters++
			}
			if !certificate.Printable(r) {
				if !seen[r] && len(unprintable) < maxBadShown {
					unprintable = append(unprintable, showRune(r))
				}
				seen[r] = true
			}
		case r == ' ' || r == '.' || r == '-' || r == '\'':
		default:
			if !seen[r] && len(bad) < maxBadShown {
				bad = append(bad, showRune(r))
			}
			seen[r] = true
		}
	}
	switch {
	case name == "":
		return name, NameTooShort, nil
	case len(bad) > 0:
		return name, NameBadChars, bad
	case len(unprintable) > 0:
		return name, NameNotPrintable, unprintable
	case utf8.RuneCountInString(name) > MaxNameLen:
		return name, NameTooLong, nil
	case letters < MinNameLetters:
		return name, NameTooShort, nil
	}
	return name, NameOK, nil
}

// SuggestedName is the name a chat account's display name offers to print
// in one tap, or "" when it cannot be printed. Emoji and other symbols,
// common in display names ("Mai 🌸"), are left out; anything else that is
// no name (digits, a font's missing letters) offers nothing.
func SuggestedName(display string) string {
	display = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.So, unicode.Sk) || r == '\u200d' || unicode.Is(unicode.Variation_Selector, r) {
			return -1
		}
		return r
	}, display)
	if name, problem, _ := CleanName(display); problem == NameOK {
		return name
	}
	return ""
}

// showRune quotes a character so that it can be seen, even when it is
// invisible or a control character.
func showRune(r rune) string {
	if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
		return fmt.Sprintf("U+%04X", r)
	}
	return "«" + string(r) + "»"
}

// Capitalized returns the name with each word's first letter in capitals,
// and whether that differs: "lò thị hương" becomes "Lò Thị Hương". Only a
// name typed all in small letters is offered this; any capital is the
// user's choice.
func Capitalized(name string) (string, bool) {
	if strings.ToLower(name) != name {
		return name, false
	}
	var b strings.Builder
	start := true
	for _, r := range name {
		if start {
			r = unicode.ToTitle(r)
		}
		start = r == ' ' || r == '-'
		b.WriteRune(r)
	}
	out := norm.NFC.String(b.String())
	return out, out != name
}
