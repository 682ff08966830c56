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
// shown (0 is A), or -1. It takes the letter ("B", "b", "b.", "(b)",
// "câu b", "đáp án B"), the number ("2"), or the option's text in either
// language, with or without diacritics, in any case and Unicode form; a
// long enough piece of exactly one option's text counts too.
func MatchTyped(input string, q *bank.Question, order string) int {
	n := len(order)
	if n > len(letters) || !validOrder(order, len(q.Options)) {
		return -1
	}
	// The letter or the number, the common case, without allocating.
	s := strings.TrimFunc(input, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	if k := choiceKey(s, n); k >= 0 {
		return k
	}
	if s == "" || len(s) > 4*bank.MaxOption {
		return -1
	}
	folded := bot.Fold(s)
	// "câu b", "dap an 2", "chon C", "answer B", "option 3"
	if i := strings.LastIndexByte(folded, ' '); i > 0 && leadWords[folded[:i]] {
		if k := choiceKey(folded[i+1:], n); k >= 0 {
			return k
		}
	}
	// The option's text, whole.
	for k := range n {
		f := q.Folded(int(order[k] - '0'))
		if folded == f[0] || folded == f[1] {
			return k
		}
	}
	// A piece of exactly one option's text.
	if utf8.RuneCountInString(folded) < minPiece {
		return -1
	}
	found := -1
	for k := range n {
		f := q.Folded(int(order[k] - '0'))
		if strings.Contains(f[0], folded) || strings.Contains(f[1], folded) {
			if found >= 0 {
				return -1
			}
			found = k
		}
	}
	return found
}

// minPiece is the shortest piece of an option's text that selects it.
const minPiece = 8

// leadWords may come before a letter: "câu B", "đáp án B"…
var leadWords = map[string]bool{
	"cau": true, "dap an": true, "phuong an": true, "chon": true, "toi chon": true, "y": true,
	"answer": true, "option": true, "choice": true, "i choose": true,
}

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
