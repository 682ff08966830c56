package enrol_test

import (
	"strings"
	"testing"

	"hocvuso/flows/enrol"
	"hocvuso/store"
)

func TestFindCode(t *testing.T) {
	for in, want := range map[string]string{
		"ABCD-EFGH-JKMN":                   "ABCDEFGHJKMN",
		"abcd efgh jkmn":                   "ABCDEFGHJKMN",
		"  abcdefghjkmn\n":                 "ABCDEFGHJKMN",
		"Mã: ABCD-EFGH-JKMN.":              "ABCDEFGHJKMN",
		"mã của tôi là (abcd-efgh-jkmn)":   "ABCDEFGHJKMN",
		"0OIL-0OIL-0OIL":                   "001100110011", // look-alikes read as digits
		"ABCD-EFGH-JKMN và ABCD-EFGH-JKMP": "",             // two codes: which one?
		"ABCD-EFGH-JKMN ABCD-EFGH-JKMN":    "ABCDEFGHJKMN",
		"ABCD-EFGH-JKM":                    "",
		"ABCD-EFGH-JKMU":                   "", // U is not in the alphabet
		"xin chào":                         "",
		"":                                 "",
		"ÀBCD-EFGH-JKMN":                   "",
		"Mã: abcd–efgh–jkmn.":              "ABCDEFGHJKMN", // en dashes, as a phone or Word writes -
		"ABCD\u00a0EFGH\u00a0JKMN ":        "ABCDEFGHJKMN", // copied with no-break spaces
	} {
		if got := enrol.FindCode(in); got != want {
			t.Errorf("FindCode(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestPasted(t *testing.T) {
	for in, want := range map[string]bool{
		"ABCD-EFGH-JKMN": true,
		"abcd efgh jkmn": true,
		"7k3m9pqrstvw":   true, // a digit: no grouping needed
		"Ａ７ＣＤ－ＥＦＧＨ－ＪＫＭＮ":          true,
		"ABCD–EFGH–JKMN.":         true,
		"ABCD-EFGH-JKM":           true, // mistyped, in a code's shape
		"join ABCD-EFGH-JKMN":     true,
		"Join: abcdefghjkmn":      true,
		"tham gia abcd efgh jkmn": true,
		"Tham gia A7CD-EFGH-JKM":  true,
		"ABCDEFGHJKMN":            false, // a word, for all we know
		"photographer":            false,
		"join the quiz":           false,
		"tham gia cuộc thi":       false,
		"joinABCD-EFGH-JKMN":      false,
		"0123 4567 8901":          false, // a 12-digit ID number
		"0123-4567-8901":          true,  // digits only, as the invite prints them
		"27-11-2026":              false,
		"B":                       false,
		"":                        false,
		"Mã: ABCD-EFGH-JKMN":      false, // /join finds it, the menu does not guess
	} {
		if _, got := enrol.Pasted(in); got != want {
			t.Errorf("Pasted(%q) claimed %v; want %v", in, got, want)
		}
	}
}

// FuzzFindCode: whatever is typed, FindCode gives "" or a valid code, and a
// code in any grouping and case, alone or among words, is found.
func FuzzFindCode(f *testing.F) {
	for _, s := range []string{"Mã: ABCD-EFGH-JKMN.", "abcd efgh jkmn", "\u00a0ABCD\u2011EFGH", "ǅ", "ABCD-EFGH-JKMN, ABCD-EFGH-JKMP", "\xff"} {
		f.Add(s, "7K3M9PQRSTVW")
	}
	f.Fuzz(func(t *testing.T, text, code string) {
		got := enrol.FindCode(text)
		if got != "" && store.NormalizeInviteCode(got) != got {
			t.Fatalf("FindCode(%q) = %q, not a normalised code", text, got)
		}
		code = store.NormalizeInviteCode(code)
		if code == "" {
			return
		}
		for _, typed := range []string{code, strings.ToLower(store.FormatInviteCode(code)), "Mã: " + store.FormatInviteCode(code) + "."} {
			if got := enrol.FindCode(typed); got != code {
				t.Fatalf("FindCode(%q) = %q; want %q", typed, got, code)
			}
		}
		// Pasted at the menu, alone or after "join", it is claimed whole.
		for _, typed := range []string{store.FormatInviteCode(code), strings.ToLower(store.FormatInviteCode(code)), "join " + code, "Tham gia: " + store.FormatInviteCode(code)} {
			rest, ok := enrol.Pasted(typed)
			if !ok || enrol.FindCode(rest) != code {
				t.Fatalf("Pasted(%q) = %q, %v; want the code %q", typed, rest, ok, code)
			}
		}
	})
}
