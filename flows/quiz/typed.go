package quiz

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hocvuso/bot"
	"hocvuso/flows/quiz/bank"
)

// MatchTyped reads a typed answer to question q shown with option order
// (see state.Orders) and returns the position k of the option chosen as
// shown (0 is A), or -1. It takes the letter ("B", "b", "b.", "(b)"), the
// number ("2"), either in a few words ("câu b", "đáp án: B", "B ạ", "em
// chọn 2", "I think it's B"; see saidKey), or the option's text in either
// language, with or without diacritics, in any case and Unicode form, its
// punctuation and spaces not counted ("sao luu dang xuat" for "Sao lưu,
// đăng xuất"); a long enough piece of exactly one option's text counts too,
// and so does the text after its own letter, as copied from the question
// ("B. Nói rõ ràng…"). Full-width forms ("Ｂ", "２"), as some East-Asian
// input methods type them, read as their ASCII (narrow).
func MatchTyped(input string, q *bank.Question, order string) int {
	n := len(order)
	if n > len(letters) || !validOrder(order, len(q.Options)) {
		return -1
	}
	input = narrow(input)
	// The letter or the number, the common case, without allocating.
	s := strings.TrimFunc(input, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	if k := choiceKey(s, n); k >= 0 {
		return k
	}
	if s == "" || len(s) > 4*bank.MaxOption {
		return -1
	}
	w := words(bot.Fold(s))
	keys := make([][2]string, n)
	for k := range n {
		f := q.Folded(int(order[k] - '0'))
		keys[k] = [2]string{compact(narrow(f[0])), compact(narrow(f[1]))}
	}
	// The option's text, whole.
	key := compact(w)
	if k := whole(key, keys); k >= 0 {
		return k
	}
	// The option's letter, then its text: both name the same option.
	if len(w) > 2 && w[1] == ' ' && unicode.IsLetter(rune(w[0])) {
		if j := choiceKey(w[:1], n); j >= 0 {
			rest := compact(w[2:])
			k := whole(rest, keys)
			if k < 0 {
				k = piece(rest, keys)
			}
			if k == j {
				return k
			}
		}
	}
	if k := piece(key, keys); k >= 0 {
		return k
	}
	// The letter or the number in a few words: "B ạ", "em chọn câu B",
	// "the answer is B". Last, so that an option's own text holding such
	// words is read as that option.
	return saidKey(s, n)
}

// looksLikeAnswer reports whether text is an answer's letter or number, A
// to D or 1 to 4, in either case, alone or said in a few words, as
// MatchTyped reads them without a question (saidKey: "B", "b.", "(2)",
// full-width "Ｂ", "B ạ", "đáp án là B"): what a user who thinks a question
// still waits would type. Narrower than MatchTyped, which also reads an
// option's text against the question shown.
func looksLikeAnswer(text string) bool {
	return saidKey(narrow(text), len(letters)) >= 0
}

// narrow maps the full-width forms of ASCII (U+FF01–U+FF5E: "Ｂ", "２",
// "（"), which some East-Asian input methods type, to ASCII, and the
// ideographic space (U+3000) to a space: the width folding of NFKC and
// nothing else of it, so that no letter of an option's text (nor "²" or
// "①") reads otherwise than the bank wrote it. Vietnamese letters, in any
// form, are left as they are. s itself comes back, not a copy, when it
// holds none of them.
func narrow(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// whole returns the position of the option whose key is key, or -1.
func whole(key string, keys [][2]string) int {
	for k, f := range keys {
		if key == f[0] || key == f[1] {
			return k
		}
	}
	return -1
}

// piece returns the position of the one option whose key holds key, or -1
// when key is too short or none or several do.
func piece(key string, keys [][2]string) int {
	if utf8.RuneCountInString(key) < minPiece {
		return -1
	}
	found := -1
	for k, f := range keys {
		if strings.Contains(f[0], key) || strings.Contains(f[1], key) {
			if found >= 0 {
				return -1
			}
			found = k
		}
	}
	return found
}

// words turns the punctuation and symbols of a folded text into spaces:
// "dap an: b" is "dap an b".
func words(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	}), " ")
}

// compact keeps only the letters and digits of a folded text, so that
// commas, quotes, dashes and spaces typed or left out do not count:
// "wi-fi", "wi fi" and "wifi" are all "wifi".
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// minPiece is the shortest piece of an option's text that selects it, in
// letters and digits.
const minPiece = 8

// choiceKey reads "a".."d" (either case) or "1".."4" as a position below n.
func choiceKey(s string, n int) int {
	if len(s) != 1 {
		return -1
	}
	c := s[0]
	var k int
	switch {
	case c >= 'a' && c <= 'z':
		k = int(c - 'a')
	case c >= 'A' && c <= 'Z':
		k = int(c - 'A')
	case c >= '1' && c <= '9':
		k = int(c - '1')
	default:
		return -1
	}
	if k >= n {
		return -1
	}
	return k
}
