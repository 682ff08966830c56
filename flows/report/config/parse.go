package config

import (
	"bytes"
	"fmt"
	"math/big"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hocvuso/bot"
)

// Parse turns what a user typed for the field into a Value, leniently: the
// way people write numbers, percentages, yes or no, choices and dates in
// Vietnam, with or without diacritics. lang ("vi" or "en") settles a number
// like 1.234 on a field that takes decimals, and is the language numbers and
// dates are written in in the error's parameters. An answer that cannot be
// taken is an *InputError.
//
// Accepted, by type:
//   - number: 1234, 1.234, 1,234, 1 234, 1.234.567, 12,5 and 12.5 (when the
//     field takes decimals; 1.234,5 and 1,234.5 both read 1234.5), the
//     field's unit after the number ("120 lớp");
//   - percent: 85, 85%, 85 %, 85,5%, 85.5, "85 phần trăm"; a single "." or
//     "," is always the decimal separator (a percentage is at most 100);
//   - yesno: có, co, c, yes, y, đúng, ừ, vâng, dạ, rồi, ok / không, ko, k,
//     no, n, chưa, "chưa có", "không có"; with the polite "dạ …" and "… ạ";
//     and the question's own words: "đã ban hành", "ban hành rồi" / "chưa
//     ban hành" to "Đơn vị đã ban hành … chưa?";
//   - choice: the option's number (1 for the first), its key, its label in
//     either language, or the start of one label (3 letters at least) that
//     no other label starts with;
//   - date: 30/6/2025, 30-06-2025, 30.06.2025, 30/6/25, 2025-06-30,
//     "ngày 30 tháng 6 năm 2025";
//   - text, longtext: any text with a letter or a digit, up to the field's
//     length, trimmed (a text is made one line);
//   - file: nothing typed: a file is sent (CheckFile, AddFile).
func (f *Field) Parse(input, lang string) (Value, error) {
	input = strings.ToValidUTF8(input, "\uFFFD")
	if strings.TrimSpace(input) == "" {
		return Value{}, f.emptyError()
	}
	switch f.Type {
	case TypeNumber, TypePercent:
		n, err := f.parseNumber(input, lang)
		if err != nil {
			return Value{}, err
		}
		return Value{Type: f.Type, Number: n}, nil
	case TypeYesNo:
		return f.parseYesNo(input)
	case TypeChoice:
		return f.parseChoice(input)
	case TypeDate:
		return f.parseDate(input, lang)
	case TypeText, TypeLongText:
		v, err := f.parseText(input, lang)
		if err == nil && !HasWords(v.Text) {
			// ".", "-" or an emoji typed to get past the question: not
			// an answer the officials could read.
			return Value{}, inputError(MsgTextNoWords)
		}
		return v, err
	case TypeFile:
		return Value{}, inputError(MsgFileExpected, "Kinds", f.kindNames())
	}
	return Value{}, fmt.Errorf("report config: field %q has no type", f.Key)
}

func (f *Field) emptyError() *InputError {
	if f.Required {
		return f.requiredError()
	}
	return inputError(MsgEmpty)
}

// requiredError refuses to leave a required field unanswered, in the terms
// of how it is answered: typed, chosen (a choice, yes or no) or a file sent.
func (f *Field) requiredError() *InputError {
	switch f.Type {
	case TypeChoice, TypeYesNo:
		return inputError(MsgRequiredChoice)
	case TypeFile:
		return inputError(MsgRequiredFile)
	}
	return inputError(MsgRequired)
}

// Skip is the answer of a user who leaves an optional field blank; a
// required field cannot be skipped.
func (f *Field) Skip() (Value, error) {
	if f.Required {
		return Value{}, f.requiredError()
	}
	return Value{Type: f.Type, Skipped: true}, nil
}

// Check tells whether a saved value is an answer the field accepts: the
// same type, within the bounds, an option that exists. It is how answers
// made with another version of a form are carried over.
func (f *Field) Check(v Value) error {
	if v.Type != f.Type {
		return fmt.Errorf("report config: field %q is a %s, the answer a %s", f.Key, f.Type, v.Type)
	}
	if v.Skipped {
		if f.Required {
			return f.requiredError()
		}
		return nil
	}
	switch f.Type {
	case TypeNumber, TypePercent:
		n, err := f.parseNumber(v.Number, "en")
		if err == nil && n != v.Number {
			err = fmt.Errorf("report config: %q is not a canonical number", v.Number)
		}
		return err
	case TypeYesNo:
		if v.Yes == nil {
			return inputError(MsgYesNo)
		}
	case TypeChoice:
		if _, ok := f.Option(v.Choice); !ok {
			return inputError(MsgChoice, "N", len(f.Options))
		}
	case TypeDate:
		got, err := f.parseDate(v.Date, "en")
		if err == nil && got.Date != v.Date {
			err = fmt.Errorf("report config: %q is not a canonical date", v.Date)
		}
		return err
	case TypeText, TypeLongText:
		got, err := f.parseText(v.Text, "en")
		if err == nil && got.Text != v.Text {
			err = fmt.Errorf("report config: the text is not in its canonical form")
		}
		return err
	case TypeFile:
		if len(v.Files) == 0 {
			return f.emptyError()
		}
		if len(v.Files) > f.maxFiles() {
			return inputError(MsgFileTooMany, "Max", f.maxFiles())
		}
		for _, ref := range v.Files {
			if !f.accepts(ref.Kind) {
				return inputError(MsgFileType, "Kinds", f.kindNames())
			}
			if ref.Size > f.maxBytes() {
				return inputError(MsgFileTooLarge, "Size", megabytes(ref.Size, "vi"), "Max", f.maxSizeMB())
			}
		}
	}
	return nil
}

// Format writes a value for the user's language: a number with the
// language's separators and the field's unit, a percentage with "%", a
// date as 30/06/2025, a choice as its label, files by their names. A yes/no
// and a skipped value have no text here: the flow shows them from the
// catalogue, and Format returns "".
func (f *Field) Format(v Value, lang string) string {
	if v.Skipped {
		return ""
	}
	switch v.Type {
	case TypeNumber:
		s := formatDecimal(v.Number, lang)
		if u := f.Unit.In(lang); u != "" {
			s += " " + u
		}
		return s
	case TypePercent:
		return formatDecimal(v.Number, lang) + "%"
	case TypeChoice:
		if o, ok := f.Option(v.Choice); ok {
			return o.Label.In(lang)
		}
		return v.Choice
	case TypeDate:
		if t, err := time.Parse(time.DateOnly, v.Date); err == nil {
			return formatDate(t)
		}
		return v.Date
	case TypeText, TypeLongText:
		return v.Text
	case TypeFile:
		names := make([]string, len(v.Files))
		for i, r := range v.Files {
			names[i] = r.Name
		}
		return strings.Join(names, ", ")
	}
	return ""
}

// ---- numbers ----

// isSpaceSep reports the spaces people put between groups of digits.
func isSpaceSep(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007'
}

func (f *Field) bounds() (lo, hi *big.Rat) {
	lo = new(big.Rat) // a count is never negative unless min says so
	if f.Min != "" {
		lo, _ = new(big.Rat).SetString(f.Min)
	}
	if f.Max != "" {
		hi, _ = new(big.Rat).SetString(f.Max)
	}
	if f.Type == TypePercent && hi == nil {
		hi = big.NewRat(100, 1)
	}
	return lo, hi
}

// numberError is the message for a number that is not one, or out of range.
func (f *Field) numberError(lang string, invalid bool) *InputError {
	lo, hi := f.bounds()
	if f.Type == TypePercent {
		// Its examples fit the field: within its range, a decimal one only
		// where it takes decimals.
		params := []any{"Min", formatDecimal(lo.FloatString(f.Decimals), lang), "Max", formatDecimal(hi.FloatString(f.Decimals), lang),
			"Example", f.example(lang, false)}
		if f.Decimals > 0 {
			params = append(params, "Fraction", f.example(lang, true))
		}
		return inputError(MsgPercent, params...)
	}
	if invalid {
		return inputError(MsgNumber, "Example", f.example(lang, false))
	}
	if hi == nil {
		return inputError(MsgNumberMin, "Min", formatRat(lo, lang))
	}
	return inputError(MsgNumberRange, "Min", formatRat(lo, lang), "Max", formatRat(hi, lang))
}

// noneWords are what is typed, folded, for "none" at a number question:
// they are not read as 0 (a count left out is not a count of nothing),
// but the refusal says how to answer so.
var noneWords = map[string]bool{
	"khong": true, "khong co": true, "ko": true, "ko co": true, "k co": true, "khong co gi": true, "chua co": true,
	"none": true, "nothing": true, "no": true,
}

// noneError refuses "không" at a number question, saying to type 0 (when
// the field takes 0) or, when the question is optional, to skip it.
func (f *Field) noneError(lang string) *InputError {
	lo, hi := f.bounds()
	zero := new(big.Rat)
	if zero.Cmp(lo) < 0 || hi != nil && zero.Cmp(hi) > 0 {
		return f.numberError(lang, true)
	}
	if f.Required {
		return inputError(MsgNumberNone)
	}
	return inputError(MsgNumberNoneSkip)
}

// example is a number a refusal shows as an example, written for lang,
// within the field's range: 120 (12,5 with a fraction) where it fits, 85
// (85,5) for a percentage, else a whole number (and a half, with a
// fraction) in the middle of the range (from its minimum when it has no
// maximum): a DTI score up to 100 is not told "for example: 120".
func (f *Field) example(lang string, fraction bool) string {
	lo, hi := f.bounds()
	in := func(r *big.Rat) bool { return r.Cmp(lo) >= 0 && (hi == nil || r.Cmp(hi) <= 0) }
	half := big.NewRat(1, 2)
	ex := big.NewRat(120, 1)
	if fraction {
		ex = big.NewRat(25, 2)
	}
	if f.Type == TypePercent {
		ex = big.NewRat(85, 1)
		if fraction {
			ex = big.NewRat(171, 2)
		}
	}
	if !in(ex) {
		mid := new(big.Rat).Set(lo)
		if hi != nil {
			mid.Add(lo, hi).Mul(mid, half)
		}
		ex = new(big.Rat).SetInt(new(big.Int).Div(mid.Num(), mid.Denom())) // rounded down
		if fraction {
			ex.Add(ex, half)
		}
		if !in(ex) {
			ex = mid
		}
	}
	return formatRat(ex, lang)
}

func formatRat(r *big.Rat, lang string) string {
	return formatDecimal(canonicalDecimal(r.FloatString(MaxDecimals)), lang)
}

// parseNumber reads a typed number or percentage into a canonical decimal.
func (f *Field) parseNumber(input, lang string) (string, error) {
	s := strings.TrimFunc(bot.NFC(input), func(r rune) bool { return unicode.IsSpace(r) || isSpaceSep(r) })
	if f.Type == TypeNumber && noneWords[bot.Fold(s)] {
		return "", f.noneError(lang)
	}
	if utf8.RuneCountInString(s) > maxNumberInputSize {
		return "", f.numberError(lang, true)
	}
	// The number, then what may follow it: "%", a unit.
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '.' || r == ',' || r == '+' || r == '-' || r == '\u2212' || isSpaceSep(r))
	})
	num, suffix := s, ""
	if end >= 0 {
		num, suffix = s[:end], strings.TrimSpace(s[end:])
	}
	num = strings.TrimRightFunc(num, isSpaceSep)
	suffix = strings.TrimRight(suffix, ".!") // "85%." at the end of a sentence
	if !f.suffixOK(suffix) {
		if f.Type == TypeNumber && strings.ContainsFunc(s, unicode.IsLetter) && strings.ContainsFunc(s, unicode.IsDigit) {
			// "1.500 người", "khoảng 30", "2 triệu": a number with words
			// that are not the field's unit.
			return "", inputError(MsgNumberOnly, "Example", f.example(lang, false))
		}
		return "", f.numberError(lang, true)
	}
	neg := false
	if r, size := utf8.DecodeRuneInString(num); r == '-' || r == '\u2212' || r == '+' {
		neg = r != '+'
		num = strings.TrimLeftFunc(num[size:], isSpaceSep)
	}
	// "120." at the end of a sentence; ".5" for 0.5.
	if strings.HasSuffix(num, ".") || strings.HasSuffix(num, ",") {
		num = num[:len(num)-1]
	}
	if strings.HasPrefix(num, ".") || strings.HasPrefix(num, ",") {
		num = "0" + num
	}
	groups, seps, ok := splitDigits(num)
	if !ok {
		return "", f.numberError(lang, true)
	}
	whole, frac, ok := f.decimalParts(groups, seps, lang)
	if !ok {
		return "", f.numberError(lang, true)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > f.Decimals {
		if f.Decimals == 0 {
			return "", inputError(MsgNumberInteger, "Example", f.example(lang, false))
		}
		return "", inputError(MsgNumberDecimals, "Decimals", f.Decimals, "Example", f.example(lang, true))
	}
	if len(strings.TrimLeft(whole, "0"))+len(frac) > maxNumberDigits {
		return "", f.numberError(lang, false)
	}
	canon := joinDecimal(neg, whole, frac)
	r, _ := new(big.Rat).SetString(canon)
	lo, hi := f.bounds()
	if r.Cmp(lo) < 0 || hi != nil && r.Cmp(hi) > 0 {
		return "", f.numberError(lang, false)
	}
	return canon, nil
}

func (f *Field) suffixOK(suffix string) bool {
	if suffix == "" {
		return true
	}
	folded := bot.Fold(suffix)
	if f.Type == TypePercent {
		return suffix == "%" || folded == "phan tram" || folded == "percent" || folded == "pct"
	}
	return folded != "" && (folded == bot.Fold(f.Unit.VI) || folded == bot.Fold(f.Unit.EN))
}

// splitDigits cuts "1.234,5" into runs of digits and the single separators
// between them: ["1" "234" "5"] ['.' ',']. Spaces count as one kind of
// separator.
func splitDigits(s string) (groups []string, seps []rune, ok bool) {
	cur := strings.Builder{}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r == '.' || r == ',' || isSpaceSep(r):
			if cur.Len() == 0 {
				return nil, nil, false // two separators in a row, or a leading one
			}
			if isSpaceSep(r) {
				r = ' '
			}
			groups, seps = append(groups, cur.String()), append(seps, r)
			cur.Reset()
		default:
			return nil, nil, false
		}
	}
	if cur.Len() == 0 {
		return nil, nil, false
	}
	return append(groups, cur.String()), seps, true
}

// decimalParts decides which separator, if any, is the decimal one, checks
// the grouping of the others, and returns the whole and fractional digits.
func (f *Field) decimalParts(groups []string, seps []rune, lang string) (whole, frac string, ok bool) {
	if len(seps) == 0 {
		return groups[0], "", true
	}
	dots, commas := strings.Count(string(seps), "."), strings.Count(string(seps), ",")
	last := seps[len(seps)-1]
	asGrouped := func() (string, string, bool) {
		return strings.Join(groups, ""), "", grouped(groups)
	}
	asDecimal := func() (string, string, bool) {
		i := len(groups) - 1
		return strings.Join(groups[:i], ""), groups[i], len(groups) == 2 || grouped(groups[:i])
	}
	switch {
	case dots > 0 && commas > 0:
		// 1.234,5 or 1,234.5: the last one, given once, is the decimal one.
		if last == ' ' || strings.Count(string(seps), string(last)) != 1 {
			return "", "", false
		}
		return asDecimal()
	case dots+commas == 0:
		return asGrouped() // 1 234 567
	case dots+commas > 1:
		if last == ' ' {
			return "", "", false
		}
		return asGrouped() // 1.234.567
	}
	// One "." or "," and maybe spaces before it.
	if last == ' ' {
		return "", "", false
	}
	if len(groups[len(groups)-1]) != 3 || f.Type == TypePercent {
		return asDecimal() // 12,5  85.25  1.5
	}
	// 1.234 or 1,234: a thousands separator, or a decimal one?
	thousands := f.Decimals == 0 ||
		lang == "en" && last == ',' ||
		lang != "en" && last == '.'
	if thousands {
		if w, fr, ok := asGrouped(); ok {
			return w, fr, true
		}
	}
	return asDecimal()
}

// grouped checks digits grouped by thousands: 1 to 3 digits first, not
// starting with 0 when there are more groups, then groups of exactly 3.
func grouped(groups []string) bool {
	if len(groups) == 1 {
		return true
	}
	if len(groups[0]) > 3 || groups[0][0] == '0' {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// FormatCount writes a count for a language: 1.500 in Vietnamese, 1,500 in
// English, as numbers are written everywhere else.
func FormatCount(n int, lang string) string { return formatDecimal(strconv.Itoa(n), lang) }

// formatDecimal writes a canonical decimal for a language: 1.234,5 in
// Vietnamese, 1,234.5 in English.
func formatDecimal(canon, lang string) string {
	group, point := ".", ","
	if lang == "en" {
		group, point = ",", "."
	}
	neg := strings.HasPrefix(canon, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(canon, "-"), ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// ---- yes / no ----

// Folded (bot.Fold) words for yes and no.
var (
	yesWords = map[string]bool{
		"co": true, "c": true, "yes": true, "y": true, "dung": true, "u": true, "uh": true,
		"vang": true, "da": true, "roi": true, "da co": true, "co roi": true, "ok": true, "okay": true,
	}
	noWords = map[string]bool{
		"khong": true, "ko": true, "k": true, "kg": true, "khg": true, "hong": true, "no": true, "n": true,
		"chua": true, "chua co": true, "khong co": true,
	}
)

func (f *Field) parseYesNo(input string) (Value, error) {
	w := bot.Fold(input)
	// The polite particles: "dạ có", "không ạ", "dạ vâng ạ".
	if rest, ok := strings.CutPrefix(w, "da "); ok {
		w = rest
	}
	if rest, ok := strings.CutSuffix(w, " a"); ok {
		w = rest
	}
	switch {
	case yesWords[w]:
		yes := true
		return Value{Type: TypeYesNo, Yes: &yes}, nil
	case noWords[w]:
		no := false
		return Value{Type: TypeYesNo, Yes: &no}, nil
	}
	if yes, ok := f.echoedYesNo(bot.Fold(input)); ok {
		return Value{Type: TypeYesNo, Yes: &yes}, nil
	}
	return Value{}, inputError(MsgYesNo)
}

// yesNoParticles are the words that make an echoed answer yes or no, not
// words of the question it echoes.
var yesNoParticles = map[string]bool{"da": true, "roi": true, "co": true, "chua": true, "khong": true, "a": true}

// echoedYesNo reads the answer to "… đã X chưa?" that repeats words of the
// question (folded), as Vietnamese answers it: "đã X", "X rồi", "có X"
// are yes; "chưa X", "không X" (after "dạ" or "đã" too) are no. X alone,
// any word the question does not have ("chưa biết") and "chưa X rồi" are
// no answer.
func (f *Field) echoedYesNo(w string) (yes, ok bool) {
	notWord := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	words := strings.FieldsFunc(w, notWord)
	if n := len(words); n > 0 && words[n-1] == "a" { // "ạ"
		words = words[:n-1]
	}
	done, affirmed := false, false
	if n := len(words); n > 0 && words[n-1] == "roi" { // "rồi"
		words, done = words[:n-1], true
	}
	for len(words) > 0 && words[0] == "da" { // "đã", or the polite "dạ"
		words, affirmed = words[1:], true
	}
	neg := len(words) > 0 && (words[0] == "chua" || words[0] == "khong")
	if len(words) > 0 && (neg || words[0] == "co") {
		words, affirmed = words[1:], affirmed || !neg
	}
	if len(words) == 0 || neg && done || !neg && !done && !affirmed {
		return false, false
	}
	question := map[string]bool{}
	for _, q := range strings.FieldsFunc(bot.Fold(f.Label.VI), notWord) {
		question[q] = !yesNoParticles[q]
	}
	for _, word := range words {
		if !question[word] {
			return false, false
		}
	}
	return !neg, true
}

// ---- choice ----

var choiceNumberRE = regexp.MustCompile(`^(?:so\s*)?([0-9]{1,3})$`)

func (f *Field) parseChoice(input string) (Value, error) {
	w := bot.Fold(input)
	fail := inputError(MsgChoice, "N", len(f.Options))
	if m := choiceNumberRE.FindStringSubmatch(w); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < 1 || i > len(f.Options) {
			return Value{}, fail
		}
		return Value{Type: TypeChoice, Choice: f.Options[i-1].Key}, nil
	}
	if w == "" {
		return Value{}, fail
	}
	prefixed := -1
	for i, o := range f.Options {
		vi, en := bot.Fold(o.Label.VI), bot.Fold(o.Label.EN)
		if w == vi || w == en || w == o.Key || w == bot.Fold(strings.ReplaceAll(o.Key, "_", " ")) {
			return Value{Type: TypeChoice, Choice: o.Key}, nil
		}
		if utf8.RuneCountInString(w) >= 3 && (strings.HasPrefix(vi, w) || strings.HasPrefix(en, w)) {
			if prefixed >= 0 {
				prefixed = -2 // two options start so: ambiguous
			} else if prefixed == -1 {
				prefixed = i
			}
		}
	}
	if prefixed >= 0 {
		return Value{Type: TypeChoice, Choice: f.Options[prefixed].Key}, nil
	}
	return Value{}, fail
}

// ---- dates ----

var (
	dmyRE = regexp.MustCompile(`^(?:ngay\s*)?([0-9]{1,2})\s*(?:[/.-]|\s|thang)\s*([0-9]{1,2})\s*(?:[/.-]|\s|nam)\s*([0-9]{4}|[0-9]{2})$`)
	ymdRE = regexp.MustCompile(`^([0-9]{4})\s*[/.-]\s*([0-9]{1,2})\s*[/.-]\s*([0-9]{1,2})$`)
)

// The years a typed date may fall in, whatever the field's bounds.
const (
	minYear = 1900
	maxYear = 2100
)

func (f *Field) parseDate(input, lang string) (Value, error) {
	w := bot.Fold(input)
	var y, m, d int
	if g := ymdRE.FindStringSubmatch(w); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else if g := dmyRE.FindStringSubmatch(w); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
		if len(g[3]) == 2 {
			y += 2000
		}
	} else {
		return Value{}, inputError(MsgDate)
	}
	if y < minYear || y > maxYear {
		return Value{}, inputError(MsgDate)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return Value{}, inputError(MsgDateUnreal)
	}
	s := t.Format(time.DateOnly)
	if f.MinDate != "" && s < f.MinDate || f.MaxDate != "" && s > f.MaxDate {
		return Value{}, f.dateRangeError()
	}
	return Value{Type: TypeDate, Date: s}, nil
}

func (f *Field) dateRangeError() *InputError {
	show := func(s string) string {
		t, _ := time.Parse(time.DateOnly, s)
		return formatDate(t)
	}
	switch {
	case f.MinDate != "" && f.MaxDate != "":
		return inputError(MsgDateRange, "Min", show(f.MinDate), "Max", show(f.MaxDate))
	case f.MinDate != "":
		return inputError(MsgDateMin, "Min", show(f.MinDate))
	default:
		return inputError(MsgDateMax, "Max", show(f.MaxDate))
	}
}

// DateLayout is how the bot writes a date to users, in every flow and
// language: day and month of two digits, 30/06/2025. Typed dates are read
// with or without the zeros (5/3/2025).
const DateLayout = "02/01/2006"

// formatDate writes a date as the bot writes every date: 30/06/2025.
func formatDate(t time.Time) string { return t.Format(DateLayout) }

// ---- texts ----

var manyBlankLines = regexp.MustCompile(`\n{3,}`)

func (f *Field) parseText(input, lang string) (Value, error) {
	s := bot.NFC(strings.ToValidUTF8(input, "\uFFFD"))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			if f.Type == TypeText || r != '\n' {
				return ' '
			}
			return r
		case unicode.IsControl(r) || r == '\u200b' || r == '\ufeff':
			return -1
		}
		return r
	}, s)
	if f.Type == TypeText {
		s = strings.Join(strings.Fields(s), " ")
	} else {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
		}
		s = manyBlankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return Value{}, f.emptyError()
	}
	if n, max := utf8.RuneCountInString(s), f.maxLength(); n > max {
		return Value{}, inputError(MsgTextTooLong, "Length", FormatCount(n, lang), "Max", FormatCount(max, lang))
	}
	return Value{Type: f.Type, Text: s}, nil
}

// HasWords reports whether a typed text holds a letter or a digit: ".",
// "-", "…" or emoji alone do not.
func HasWords(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
}

func (f *Field) maxLength() int {
	switch {
	case f.MaxLength > 0:
		return f.MaxLength
	case f.Type == TypeLongText:
		return DefaultLongTextMax
	}
	return DefaultTextMax
}

// ---- files ----

// fileKindOf tells a file's kind by its name's extension, or else by its
// MIME type (a photo sent as a photo has no name).
var (
	kindByExt = map[string]FileKind{
		".pdf": FilePDF,
		".doc": FileWord, ".docx": FileWord, ".odt": FileWord,
		".xls": FileExcel, ".xlsx": FileExcel, ".ods": FileExcel,
		".jpg": FileImage, ".jpeg": FileImage, ".png": FileImage, ".webp": FileImage, ".heic": FileImage, ".heif": FileImage,
	}
	kindByMIME = map[string]FileKind{
		"application/pdf":    FilePDF,
		"application/msword": FileWord,
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileWord,
		"application/vnd.oasis.opendocument.text":                                 FileWord,
		"application/vnd.ms-excel":                                                FileExcel,
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       FileExcel,
		"application/vnd.oasis.opendocument.spreadsheet":                          FileExcel,
		"image/jpeg": FileImage, "image/png": FileImage, "image/webp": FileImage, "image/heic": FileImage, "image/heif": FileImage,
	}
	// kindNames are the names the error messages give the kinds: the same
	// in every language.
	kindNames = map[FileKind]string{FilePDF: "PDF", FileWord: "Word", FileExcel: "Excel", FileImage: "JPG, PNG"}
)

// KindOfFile tells the kind of a file from its name's extension; from its
// MIME type only when the name has none (a photo sent as a photo has no
// name; "Báo cáo 30.6.2025" has no extension). "" is no known kind: a
// "report.exe" is refused whatever its MIME type claims.
func KindOfFile(name, mime string) FileKind {
	if ext := strings.ToLower(path.Ext(name)); fileExtRE.MatchString(ext) {
		return kindByExt[ext]
	}
	mime, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(mime)), ";")
	return kindByMIME[mime]
}

var fileExtRE = regexp.MustCompile(`^\.[a-z][a-z0-9]{0,4}$`)

func (f *Field) accepts(k FileKind) bool {
	for _, a := range f.Accept {
		if a == k {
			return true
		}
	}
	return false
}

func (f *Field) kindNames() string {
	names := make([]string, 0, len(f.Accept))
	for _, k := range f.Accept {
		names = append(names, kindNames[k])
	}
	return strings.Join(names, ", ")
}

func (f *Field) maxSizeMB() int {
	if f.MaxSizeMB > 0 {
		return f.MaxSizeMB
	}
	return DefaultFileSizeMB
}

func (f *Field) maxBytes() int64 { return int64(f.maxSizeMB()) << 20 }

func (f *Field) maxFiles() int {
	if f.MaxFiles > 0 {
		return f.MaxFiles
	}
	return DefaultMaxFiles
}

// AcceptedKinds names the kinds of file the field takes, as messages show
// them: "PDF, Word".
func (f *Field) AcceptedKinds() string { return f.kindNames() }

// SizeLimitMB is the largest file the field takes, in MB.
func (f *Field) SizeLimitMB() int { return f.maxSizeMB() }

// SizeLimit is the largest file the field takes, in bytes.
func (f *Field) SizeLimit() int64 { return f.maxBytes() }

// FileLimit is how many files the field takes.
func (f *Field) FileLimit() int { return f.maxFiles() }

// TextLimit is the longest text or long text answer, in characters.
func (f *Field) TextLimit() int { return f.maxLength() }

// Bounds are a number or percentage field's bounds written for lang; max
// is "" when there is none.
func (f *Field) Bounds(lang string) (lo, hi string) {
	l, h := f.bounds()
	lo = formatRat(l, lang)
	if h != nil {
		hi = formatRat(h, lang)
	}
	return lo, hi
}

func megabytes(size int64, lang string) string {
	r := new(big.Rat).SetFrac64(size, 1<<20)
	return formatDecimal(canonicalDecimal(r.FloatString(1)), lang)
}

// CheckFile tells whether the field takes a file, before it is downloaded:
// its kind (from its name or MIME type) must be accepted and its size within
// the limit. It returns the file's kind.
func (f *Field) CheckFile(name, mime string, size int64, lang string) (FileKind, error) {
	if f.Type != TypeFile {
		return "", inputError(MsgFileType, "Kinds", "")
	}
	k := KindOfFile(name, mime)
	if !f.accepts(k) {
		return "", inputError(MsgFileType, "Kinds", f.kindNames())
	}
	if size == 0 {
		return "", inputError(MsgFileEmpty)
	}
	if size > f.maxBytes() {
		return "", inputError(MsgFileTooLarge, "Size", megabytes(size, lang), "Max", f.maxSizeMB())
	}
	return k, nil
}

// ContentMatches tells whether a downloaded file's first bytes are what its
// kind says: a PDF starts %PDF-, Word and Excel files are ZIP (docx, xlsx,
// odt, ods) or OLE (doc, xls) containers, images JPEG, PNG, WebP or HEIC.
func ContentMatches(kind FileKind, head []byte) bool {
	ok := false
	switch kind {
	case FilePDF:
		ok = bytes.HasPrefix(head, []byte("%PDF-"))
	case FileWord, FileExcel:
		ok = bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
	case FileImage:
		ok = bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")) ||
			bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) ||
			len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" ||
			len(head) >= 12 && string(head[4:8]) == "ftyp" && strings.Contains("heic heix hevc heim heis mif1 msf1", string(head[8:12]))
	}
	return ok
}

// CheckContent refuses a downloaded file whose first bytes are not of its
// kind (ContentMatches): a renamed file of another kind.
func (f *Field) CheckContent(kind FileKind, head []byte) error {
	if !f.accepts(kind) || !ContentMatches(kind, head) {
		return inputError(MsgFileType, "Kinds", f.kindNames())
	}
	return nil
}

// AddFile adds a received file to the field's answer so far (zero for the
// first): a file already there (same SHA-256) is not added twice, and no
// more than the field's max_files are kept.
func (f *Field) AddFile(v Value, ref FileRef) (Value, error) {
	if f.Type != TypeFile {
		return v, inputError(MsgFileExpected, "Kinds", f.kindNames())
	}
	if !f.accepts(ref.Kind) {
		return v, inputError(MsgFileType, "Kinds", f.kindNames())
	}
	if v.Type != TypeFile || v.Skipped {
		v = Value{Type: TypeFile}
	}
	for _, r := range v.Files {
		if r.SHA256 == ref.SHA256 {
			return v, nil
		}
	}
	if len(v.Files) >= f.maxFiles() {
		return v, inputError(MsgFileTooMany, "Max", f.maxFiles())
	}
	out := Value{Type: TypeFile, Files: append(append([]FileRef(nil), v.Files...), ref)}
	return out, nil
}
