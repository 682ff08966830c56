package quiz

import (
	"strings"
	"unicode"

	"hocvuso/bot"
)

// The words a user puts around an answer's letter or number when typing
// it as they would say it: "B ạ", "đáp án là B", "em chọn câu B", "I think
// it's B", "B please". They are the parser's vocabulary, never shown to
// anyone, so they live here beside it and not in locales/ (which holds what
// the bot says): changing them changes what is read as an answer, and the
// tests of typed answers are where that is checked.
//
// The list is closed and small on purpose: a word not in it (a negation
// such as "không", "chưa", "not"; "hay", "và", "or"; anything else) leaves
// the text unread, which is always safe, as the user is asked again. No
// word of it may change which option is meant.
var (
	// saidWords are compared folded (lower case, without diacritics), so
	// "chọn" and "chon", "nhé" and "nhe" are one.
	saidWords = map[string]bool{
		// Vietnamese: câu, đáp án, phương án, ý; chọn, là, nghĩ; em, tôi,
		// mình; nhé, nha.
		"cau": true, "dap": true, "an": true, "phuong": true, "y": true,
		"chon": true, "la": true, "nghi": true,
		"em": true, "toi": true, "minh": true,
		"nhe": true, "nha": true,
		// English.
		"answer": true, "option": true, "choice": true,
		"i": true, "think": true, "guess": true, "pick": true, "choose": true,
		"the": true, "my": true, "it": true, "its": true, "s": true, "is": true,
		"please": true, "pls": true,
	}
	// saidMarked are compared with their diacritics (lower case, NFC):
	// without them they read as an option's letter ("ạ" is "a", and "B a"
	// may mean A or B).
	saidMarked = map[string]bool{"ạ": true, "dạ": true}
)

// saidKey reads s as an answer's letter or number among n said in a few
// words: once the words of saidWords and saidMarked are left out, exactly
// one word must be left, and be the letter (A to D, either case) or the
// number (1 to 4) of one of the n options. A word that is an option's
// letter is never left out ("a" is one). Anything else left, or a second
// letter ("B hay C"), and it is -1.
func saidKey(s string, n int) int {
	k := -1
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	}) {
		if j := choiceKey(w, n); j >= 0 {
			if k >= 0 {
				return -1
			}
			k = j
			continue
		}
		if saidMarked[bot.NFC(strings.ToLower(w))] {
			continue
		}
		if f := bot.Fold(w); f != "" && !saidWords[f] {
			return -1
		}
	}
	return k
}
