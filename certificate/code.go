package certificate

import (
	"crypto/rand"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// A verification code is CodeLen symbols of Crockford's base32: 60 random
// bits. With no rate limit on verification, guessing stays hopeless: even
// with a million certificates issued (most of Sơn La), a thousand guesses a
// second find one about once in 36 years.
const CodeLen = 12

// CodePrefix starts every printed code, so people recognise it.
const CodePrefix = "HVS"

// crockford is Crockford's base32 alphabet: no I, L, O, U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// maxCodeInput bounds the work spent on outside input.
const maxCodeInput = 256

// NewCode draws a fresh code from crypto/rand, in canonical form.
func NewCode() string {
	var b [CodeLen]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+): it crashes the program instead
	for i := range b {
		b[i] = crockford[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return string(b[:])
}

// FormatCode shows a canonical code the way it is printed:
// HVS-7K2M-9QXD-4T2M.
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return CodePrefix + "-" + code[0:4] + "-" + code[4:8] + "-" + code[8:12]
}

// NormalizeCode reads a code as people type or paste it: any case, with or
// without the HVS prefix, spaces, dashes or dots anywhere, full-width
// characters, the letters O, I and L for 0, 1, 1 (Crockford's rule), the
// whole verification URL, or a line that ends with the printed code, as
// copied from the certificate or its message ("Mã xác minh:
// HVS-7K2M-9QXD-4T2M"). It returns the canonical code, or false when the
// input cannot be a code.
func NormalizeCode(s string) (string, bool) {
	if len(s) > maxCodeInput {
		return "", false
	}
	s = width.Fold.String(s)
	if code, ok := normalizeCode(s); ok {
		return code, true
	}
	// A label before the code: read from its HVS prefix, which starts a
	// word. What follows the code still has to be nothing but separators.
	for i := 0; i+len(CodePrefix) <= len(s); i++ {
		if !strings.EqualFold(s[i:i+len(CodePrefix)], CodePrefix) {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		if code, ok := normalizeCode(s[i:]); ok {
			return code, true
		}
	}
	return "", false
}

// normalizeCode reads s, width-folded, as a whole code.
func normalizeCode(s string) (string, bool) {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, "/ ")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:] // a pasted URL: …/verify/HVS-…
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '-' || r == '.' || r == '_' ||
			r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212' ||
			r == '\u200b' || r == '\ufeff':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > unicode.MaxASCII || strings.IndexByte(crockford, byte(r)) < 0 {
			return "", false
		}
		if b.Len() >= len(CodePrefix)+CodeLen {
			return "", false
		}
		b.WriteRune(r)
	}
	code := b.String()
	if len(code) == len(CodePrefix)+CodeLen && strings.HasPrefix(code, CodePrefix) {
		code = code[len(CodePrefix):]
	}
	if len(code) != CodeLen {
		return "", false
	}
	return code, true
}
