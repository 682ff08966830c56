package certificate_test

import (
	"strings"
	"testing"

	"hocvuso/certificate"
)

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func isCanonical(code string) bool {
	if len(code) != certificate.CodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !strings.Contains(alphabet, code[i:i+1]) {
			return false
		}
	}
	return true
}

func TestNewCode_IsCanonicalAndNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 20000 {
		c := certificate.NewCode()
		if !isCanonical(c) {
			t.Fatalf("NewCode() = %q: not 12 symbols of Crockford base32", c)
		}
		if seen[c] {
			t.Fatalf("NewCode() repeated %q", c)
		}
		seen[c] = true
		for _, r := range c {
			counts[r]++
		}
	}
	// Every symbol is drawn: 240,000 symbols, 7,500 expected of each.
	for _, r := range alphabet {
		if n := counts[r]; n < 6500 || n > 8500 {
			t.Errorf("symbol %c drawn %d times out of 240000; want about 7500", r, n)
		}
	}
}

func TestFormatCode_GroupsTheCodeAfterThePrefix(t *testing.T) {
	if got := certificate.FormatCode("7K2M9QXD4T2M"); got != "HVS-7K2M-9QXD-4T2M" {
		t.Errorf("FormatCode = %q; want HVS-7K2M-9QXD-4T2M", got)
	}
}

func TestNormalizeCode_ToleratesHowPeopleTypeIt(t *testing.T) {
	for _, in := range []string{
		"HVS-7K2M-9QXD-4T2M",
		"hvs-7k2m-9qxd-4t2m",
		"HVS 7K2M 9QXD 4T2M",
		"  hvs7k2m9qxd4t2m  ",
		"7K2M-9QXD-4T2M",
		"7k2m9qxd4t2m",
		"HVS–7K2M–9QXD–4T2M", // en dashes, as phones autocorrect
		"HVS.7K2M.9QXD.4T2M",
		"ＨＶＳ－７Ｋ２Ｍ－９ＱＸＤ－４Ｔ２Ｍ", // full-width
		"https://bot.example/verify/HVS-7K2M-9QXD-4T2M",
		"https://bot.example/verify/HVS-7K2M-9QXD-4T2M/",
		"bot.example/verify/hvs-7k2m-9qxd-4t2m?utm=x#top",
		// copied with the label before the code: the certificate, its message
		"Mã xác minh: HVS-7K2M-9QXD-4T2M",
		"🎓 Giấy chứng nhận của Lò Văn Páo. Mã xác minh: HVS-7K2M-9QXD-4T2M",
		"Trong Học vụ số, gõ: /verify HVS-7K2M-9QXD-4T2M",
		"Verification code HVS-7K2M-9QXD-4T2M.",
		"mã:hvs 7k2m 9qxd 4t2m",
	} {
		got, ok := certificate.NormalizeCode(in)
		if !ok || got != "7K2M9QXD4T2M" {
			t.Errorf("NormalizeCode(%q) = %q, %v; want 7K2M9QXD4T2M", in, got, ok)
		}
	}
}

func TestNormalizeCode_ReadsLookAlikeLettersAsDigits(t *testing.T) {
	got, ok := certificate.NormalizeCode("HVS-OKIM-9QXD-4TLM")
	if !ok || got != "0K1M9QXD4T1M" {
		t.Errorf("NormalizeCode with O, I, L = %q, %v; want 0K1M9QXD4T1M", got, ok)
	}
}

func TestNormalizeCode_RejectsWhatCannotBeACode(t *testing.T) {
	for _, in := range []string{
		"",
		"HVS",
		"HVS-7K2M-9QXD-4T2",     // one short
		"HVS-7K2M-9QXD-4T2MM",   // one long
		"7K2M-9QXD-4T2MX",       // 13 symbols
		"HVS-7K2M-9QXD-4U2M",    // U is not in the alphabet
		"HVS-7K2M-9QXD-4T2M!",   // punctuation
		"HVS-7K2M-9QXD-ĐT2M",    // a Vietnamese letter
		"XYZ-7K2M-9QXD-4T2M",    // 15 symbols with another prefix
		"HVS-7K2M-9QXD-4T2M 42", // trailing junk
		"Mã: HVS-7K2M-9QXD-4T2M, cấp ngày 27/11/2026", // junk after a labelled code
		"Mã xác minh: HVS-7K2M-9QXD",                  // a labelled code one group short
		"XHVS-7K2M-9QXD-4T2M",                         // HVS within a word
		"https://bot.example/verify/",
		strings.Repeat("7", 1000),
	} {
		if got, ok := certificate.NormalizeCode(in); ok {
			t.Errorf("NormalizeCode(%q) = %q, true; want rejected", in, got)
		}
	}
}

// FuzzNormalizeCode: reading outside input never panics; what it accepts is
// a canonical code, reads back from its printed form in any case, and is
// stable (a canonical code normalises to itself).
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{
		"HVS-7K2M-9QXD-4T2M", "hvs 7k2m 9qxd 4t2m", "7K2M9QXD4T2M", "OOOOIIIILLLL",
		"https://x/verify/HVS-7K2M-9QXD-4T2M", "HVSHVSHVSHVSHVS", "HVS", "", "/", "?", "ＨＶＳ",
		"\u200bHVS-7K2M-9QXD-4T2M\ufeff", "\xff\xfe", "HVS-7K2M-9QXD-4T2M" + strings.Repeat(" ", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := certificate.NormalizeCode(s)
		if !ok {
			if code != "" {
				t.Fatalf("NormalizeCode(%q) rejected it but returned %q", s, code)
			}
			return
		}
		if !isCanonical(code) {
			t.Fatalf("NormalizeCode(%q) = %q: not canonical", s, code)
		}
		for _, form := range []string{code, certificate.FormatCode(code), strings.ToLower(certificate.FormatCode(code))} {
			if again, ok := certificate.NormalizeCode(form); !ok || again != code {
				t.Fatalf("NormalizeCode(%q) = %q, %v; want %q back (from input %q)", form, again, ok, code, s)
			}
		}
	})
}
