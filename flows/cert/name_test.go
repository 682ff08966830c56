package cert_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/certificate"
	"hocvuso/flows/cert"
)

func TestCleanName_AcceptsNamesAsPeopleTypeThem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lò Thị Hương", "Lò Thị Hương"},
		{norm.NFD.String("Cầm Bá Thước"), "Cầm Bá Thước"},
		{"  Quàng   Văn\tMinh \n", "Quàng Văn Minh"},
		{"LÒ THỊ HƯƠNG", "LÒ THỊ HƯƠNG"},
		{"Nguyễn V. A", "Nguyễn V. A"},
		{"Thào A-Lử", "Thào A-Lử"},
		{"Thào A–Lử", "Thào A-Lử"}, // an en dash from autocorrect
		{"O’Brien", "O'Brien"},
		{"Giàng\u00a0A Páo", "Giàng A Páo"}, // no-break space
		{"Ли Мин", "Ли Мин"},
		{"Ελένη Παππά", "Ελένη Παππά"},
		{"Lò", "Lò"},
		{strings.Repeat("a", 60), strings.Repeat("a", 60)},
	} {
		got, problem, bad := cert.CleanName(tc.in)
		if problem != cert.NameOK || got != tc.want || bad != nil {
			t.Errorf("CleanName(%q) = %q, %v, %q; want %q accepted", tc.in, got, problem, bad, tc.want)
		}
	}
}

// A display name with emoji still offers the name in one tap, without
// them; one that is no printable name offers nothing.
func TestSuggestedName_LeavesOutEmoji(t *testing.T) {
	for in, want := range map[string]string{
		"Lò Thị Hương":        "Lò Thị Hương",
		"Quàng Thị Mai 🌸":     "Quàng Thị Mai",
		"❤️ Cầm Bá Thước ❤️":  "Cầm Bá Thước",
		"👨‍👩‍👧 Lò Văn Páo 👍🏽": "Lò Văn Páo",
		"Mai ⭐ Lò":            "Mai Lò",
		"🌸🌸":                  "",
		"Páo 1990":            "",
		"Páo@bản Hìn":         "",
	} {
		if got := cert.SuggestedName(in); got != want {
			t.Errorf("SuggestedName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanName_SaysWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		in      string
		problem cert.NameProblem
		bad     []string
	}{
		{"", cert.NameTooShort, nil},
		{"   ", cert.NameTooShort, nil},
		{"A", cert.NameTooShort, nil},
		{"A.", cert.NameTooShort, nil},
		{"-'.", cert.NameTooShort, nil},
		{strings.Repeat("a", 61), cert.NameTooLong, nil},
		{strings.Repeat("Hương ", 11), cert.NameTooLong, nil},
		{"Lò Thị Hương 2", cert.NameBadChars, []string{"«2»"}},
		{"a@b_c@", cert.NameBadChars, []string{"«@»", "«_»"}},
		{"Hương 😀", cert.NameBadChars, []string{"«😀»"}},
		{"Hương\u200bLò", cert.NameBadChars, []string{"U+200B"}},
		{"Hương\x00", cert.NameBadChars, []string{"U+0000"}},
		{"Hương\xff", cert.NameBadChars, []string{"U+FFFD"}},
		{"<script>", cert.NameBadChars, []string{"«<»", "«>»"}},
		{"1234567", cert.NameBadChars, []string{"«1»", "«2»", "«3»", "«4»", "«5»"}},
	} {
		_, problem, bad := cert.CleanName(tc.in)
		if problem != tc.problem || !slices.Equal(bad, tc.bad) {
			t.Errorf("CleanName(%q) = %v, %q; want %v, %q", tc.in, problem, bad, tc.problem, tc.bad)
		}
	}
}

// A name in a script the certificate's font cannot draw would be printed
// as empty boxes on a certificate that cannot be changed once issued: it is
// refused, with the letters that cannot be printed.
func TestCleanName_RefusesLettersTheCertificateCannotPrint(t *testing.T) {
	for _, tc := range []struct {
		in  string
		bad []string
	}{
		{"\uaa8b\uaab1\uaa99 \uaaa9\uaaae", []string{"«\uaa8b»", "«\uaab1»", "«\uaa99»", "«\uaaa9»", "«\uaaae»"}}, // Tai Viet (chữ Thái)
		{"ลำไย ใจดี", []string{"«ล»", "«ำ»", "«ไ»", "«ย»", "«ใ»"}},                                                // Thai
		{"Lò 李小龙", []string{"«李»", "«小»", "«龙»"}},
	} {
		_, problem, bad := cert.CleanName(tc.in)
		if problem != cert.NameNotPrintable || !slices.Equal(bad, tc.bad) {
			t.Errorf("CleanName(%q) = %v, %q; want %v, %q", tc.in, problem, bad, cert.NameNotPrintable, tc.bad)
		}
	}
}

func TestCapitalized_OffersCapitalsOnlyForANameAllInSmallLetters(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		offer    bool
	}{
		{"lò thị hương", "Lò Thị Hương", true},
		{"đèo văn long", "Đèo Văn Long", true},
		{"thào a-lử", "Thào A-Lử", true},
		{"ưng hoàng phúc", "Ưng Hoàng Phúc", true},
		{"Lò Thị Hương", "Lò Thị Hương", false},
		{"lò Thị hương", "lò Thị hương", false}, // a capital is the user's choice
		{"LÒ THỊ HƯƠNG", "LÒ THỊ HƯƠNG", false},
	} {
		got, offer := cert.Capitalized(tc.in)
		if got != tc.want || offer != tc.offer {
			t.Errorf("Capitalized(%q) = %q, %v; want %q, %v", tc.in, got, offer, tc.want, tc.offer)
		}
	}
}

// FuzzCleanName: a name accepted is NFC, trimmed, 2–60 characters of
// letters, marks, spaces and . - ' that the certificate can print, and
// cleaning it again changes nothing;
// its capitalised form is accepted as it is.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{
		"Lò Thị Hương", norm.NFD.String("Cầm Bá Thước"), "  a  b ", "O’Brien", "A–B", "\u0301a", "a\u0301",
		"ลำไย", "\xff", "😀", strings.Repeat("ễ", 61), "", "'", "Ǆ ǅ", "\u1100\u1161\u11a8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, problem, bad := cert.CleanName(s)
		listed := problem == cert.NameBadChars || problem == cert.NameNotPrintable
		if !listed && bad != nil {
			t.Fatalf("CleanName(%q): problem %v with bad characters %q", s, problem, bad)
		}
		if listed && (len(bad) == 0 || len(bad) > 5) {
			t.Fatalf("CleanName(%q): bad characters %q; want 1 to 5", s, bad)
		}
		if problem != cert.NameOK {
			return
		}
		if !utf8.ValidString(name) || !norm.NFC.IsNormalString(name) {
			t.Fatalf("CleanName(%q) = %q: not valid NFC", s, name)
		}
		if n := utf8.RuneCountInString(name); n < 2 || n > cert.MaxNameLen {
			t.Fatalf("CleanName(%q) = %q: %d characters", s, name, n)
		}
		if name != strings.TrimSpace(name) || strings.Contains(name, "  ") {
			t.Fatalf("CleanName(%q) = %q: spaces not collapsed", s, name)
		}
		letters := 0
		for _, r := range name {
			switch {
			case unicode.IsLetter(r):
				letters++
			case unicode.In(r, unicode.Mn, unicode.Mc), strings.ContainsRune(" .-'", r):
			default:
				t.Fatalf("CleanName(%q) = %q keeps %q", s, name, r)
			}
			if !strings.ContainsRune(" .-'", r) && !certificate.Printable(r) {
				t.Fatalf("CleanName(%q) = %q keeps %q, which the certificate cannot print", s, name, r)
			}
		}
		if letters < cert.MinNameLetters {
			t.Fatalf("CleanName(%q) = %q: %d letters", s, name, letters)
		}
		if again, p, _ := cert.CleanName(name); again != name || p != cert.NameOK {
			t.Fatalf("CleanName not stable on %q: %q, %v", name, again, p)
		}
		if capital, ok := cert.Capitalized(name); ok {
			if again, p, _ := cert.CleanName(capital); again != capital || p != cert.NameOK {
				t.Fatalf("Capitalized(%q) = %q, which CleanName makes %q, %v", name, capital, again, p)
			}
		}
	})
}
