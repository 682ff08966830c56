package report

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzParseOpenArg: whatever data a forged button carries, it is read
// without panicking, and what is taken is what unitStatus writes.
func FuzzParseOpenArg(f *testing.F) {
	for _, s := range []string{"0:plan-2025", "12:annual-2026", ":x", "1:", "-1:x", "+1:x", "1000:x", "999:x", "1a:x", "٣:x", "0:a:b", "", "00:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		i, period, ok := parseOpenArg(arg)
		if !ok {
			return
		}
		if i < 0 || i >= maxUnits || period == "" {
			t.Fatalf("%q read as %d, %q", arg, i, period)
		}
		if n, _ := strconv.Atoi(strings.SplitN(arg, ":", 2)[0]); n != i || !strings.HasSuffix(arg, ":"+period) {
			t.Fatalf("%q read as %d, %q", arg, i, period)
		}
	})
}

// FuzzParseOption: an option index is taken only within the options.
func FuzzParseOption(f *testing.F) {
	for _, s := range []string{"0", "3", "11", "12", "-1", "+1", "1e1", " 1", "", "007", "٣"} {
		f.Add(s, 12)
	}
	f.Fuzz(func(t *testing.T, arg string, n int) {
		i, ok := parseOption(arg, n)
		if ok && (i < 0 || i >= n || strconv.Itoa(i) != strings.TrimLeft(arg, "0") && !(i == 0 && strings.Trim(arg, "0") == "")) {
			t.Fatalf("%q among %d read as %d", arg, n, i)
		}
	})
}

// FuzzCleanReason: a typed reason comes out as one line of valid NFC text,
// without control characters, with its length counted right; clean text
// stays as it is.
func FuzzCleanReason(f *testing.F) {
	for _, s := range []string{"Sửa số lớp", "  sửa\n\nsố\tlớp  ", "co\u0301", "e\u200b\u0301", "\u200b", "\xff\xfe", "a\x00b", "", strings.Repeat("dài ", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, n := cleanReason(text)
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) || n != utf8.RuneCountInString(got) {
			t.Fatalf("%q cleaned to %q (%d)", text, got, n)
		}
		if strings.ContainsAny(got, "\n\r\t\x00\u200b") || strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("%q cleaned to %q", text, got)
		}
		if again, _ := cleanReason(got); again != got {
			t.Fatalf("cleaning %q again gives %q", got, again)
		}
	})
}
