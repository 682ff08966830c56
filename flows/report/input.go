package report

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"hocvuso/bot"
)

// The parts of button data and typed text the flow reads itself (answers
// to fields are read by config.Field.Parse). Button data comes back from
// the channel and may be forged: it is read as strictly as typed text.

// maxUnits bounds the index of a unit in "open" data: no focal point has
// this many units.
const maxUnits = 1000

// parseOpenArg reads the argument of an "open" button, "unit index:period
// id", as unitStatus writes it.
func parseOpenArg(arg string) (unit int, period string, ok bool) {
	idx, period, found := strings.Cut(arg, ":")
	if !found || idx == "" || len(idx) > 3 || period == "" {
		return 0, "", false
	}
	for _, r := range idx {
		if r < '0' || r > '9' {
			return 0, "", false
		}
	}
	unit, err := strconv.Atoi(idx)
	if err != nil || unit >= maxUnits {
		return 0, "", false
	}
	return unit, period, true
}

// parseOption reads the argument of an option button: the option's index
// among n.
func parseOption(arg string, n int) (int, bool) {
	if arg == "" || len(arg) > 3 {
		return 0, false
	}
	for _, r := range arg {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(arg)
	return i, err == nil && i < n
}

// cleanReason makes a typed reason one line: NFC, control and invisible
// characters dropped, runs of spaces and line breaks made one space. It
// returns the reason and its length in characters.
func cleanReason(text string) (string, int) {
	s := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || r == '\u200b' || r == '\ufeff':
			return -1
		}
		return r
	}, strings.ToValidUTF8(text, "\uFFFD"))
	// Normalised last: dropping a character can bring a letter and a mark together.
	s = bot.NFC(strings.Join(strings.Fields(s), " "))
	return s, utf8.RuneCountInString(s)
}

// typedSkip reports whether typed text is the label of the skip button, in
// either language, whatever its case, diacritics, emoji or punctuation:
// "Bỏ qua", "bo qua", "Skip".
func typedSkip(c *bot.Conversation, text string) bool {
	return typedButton(c, text, "report.button.skip")
}

// typedButton reports whether typed text is the label of the button id, in
// either language, whatever its case, diacritics, emoji or punctuation:
// "Quay lại", "quay lai", "⬅️ Back". Anything longer is not.
func typedButton(c *bot.Conversation, text, id string) bool {
	typed := letters(text)
	if typed == "" || len(typed) > 16 {
		return false
	}
	for _, lang := range []string{"vi", "en"} {
		if typed == letters(c.TextIn(lang, id)) {
			return true
		}
	}
	return false
}

// typedDone reports whether typed text is the Done button of a file
// question, whole or its first words, in either language: "Xong", "xong,
// sang câu sau", "Done".
func typedDone(c *bot.Conversation, text string) bool {
	typed := letters(text)
	if typed == "" || len(typed) > 32 {
		return false
	}
	for _, lang := range []string{"vi", "en"} {
		label := c.TextIn(lang, "report.button.files_done")
		first, _, _ := strings.Cut(label, ",")
		if typed == letters(label) || typed == letters(first) {
			return true
		}
	}
	return false
}

// typedNumber reads the number of an item typed from a numbered list:
// "2", "2.", "kỳ 2", "số 2".
func typedNumber(text string) (int, bool) {
	w := letters(text)
	for _, prefix := range []string{"ky ", "so "} {
		w = strings.TrimPrefix(w, prefix)
	}
	if w == "" || len(w) > 2 || strings.ContainsFunc(w, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	return n, err == nil
}

// letters keeps the letters and digits of a folded text, its words
// separated by single spaces.
func letters(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, bot.Fold(s))
	return strings.Join(strings.Fields(s), " ")
}
