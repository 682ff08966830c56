package link

import (
	"crypto/sha256"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hocvuso/internal/randcode"
)

// Codes are 8 characters of an alphabet chosen for typing on a phone with a
// Vietnamese keyboard: no vowel (A E I O U Y), no D and no W, so that Telex
// and VNI never turn what is typed into a letter with a mark ("AS" → "Á",
// "DD" → "Đ", "W" → "Ư", "A1" → "Á"), and nothing that looks like another
// (0/O, 1/I/L). 25^8 ≈ 1.5·10^11 codes: with wrong tries counted
// (store.LinkTries) and 10 minutes of life, guessing one is hopeless.
const (
	alphabet = "23456789BCFGHJKMNPQRSTVXZ"
	codeLen  = 8
	// maxTyped bounds what is read of a typed code.
	maxTyped = 64
)

// NewCode draws a fresh code from a cryptographic source.
func NewCode() string { return randcode.Draw(alphabet, codeLen) }

// Format shows a code in two groups of four: BK74-QX2M.
func Format(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// Normalize reads a typed code leniently: full-width characters as their
// plain forms (NFKC), small letters as capitals, and spaces, dashes, dots,
// underscores and a leading # ignored. It reports false for anything that
// is not 8 characters of the alphabet once so read.
func Normalize(typed string) (string, bool) {
	if len(typed) > maxTyped {
		return "", false
	}
	typed = norm.NFKC.String(typed)
	typed = strings.TrimPrefix(strings.TrimSpace(typed), "#")
	var b strings.Builder
	for _, r := range typed {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Pd, r), r == '.', r == '_', r == '\u2212':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r > unicode.MaxASCII || !strings.ContainsRune(alphabet, r) || b.Len() == codeLen {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != codeLen {
		return "", false
	}
	return b.String(), true
}

// Hash is what is stored of a code: its SHA-256.
func Hash(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}
