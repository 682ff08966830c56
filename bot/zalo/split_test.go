package zalo

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

func TestSplit(t *testing.T) {
	cases := []struct {
		text  string
		limit int
		want  []string
	}{
		{"", 10, nil},
		{"  \n ", 10, nil},
		{"ngắn", 10, []string{"ngắn"}},
		{"một hai ba bốn năm", 10, []string{"một hai ba", "bốn năm"}},
		{"một hai ba bốn năm", 9, []string{"một hai", "ba bốn", "năm"}},
		// A line break in the second half wins over a later space.
		{"một hai\nba bốn năm sáu", 12, []string{"một hai", "ba bốn năm", "sáu"}},
		// The window ends with a whole word: cut there.
		{"aaaa bbbb cccc", 9, []string{"aaaa bbbb", "cccc"}},
		// A word longer than a message is cut.
		{"aaaaaaaaaaaaaaa", 6, []string{"aaaaaa", "aaaaaa", "aaa"}},
		// Emoji count two units each.
		{"👍👍👍👍", 4, []string{"👍👍", "👍👍"}},
	}
	for _, tc := range cases {
		got := split(tc.text, tc.limit)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("split(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
		}
	}
}

// FuzzSplit checks that no text is lost or reordered, every part fits, and
// no part is cut inside a word unless the word is longer than a message.
func FuzzSplit(f *testing.F) {
	f.Add("Bình dân học vụ số giúp mọi người dùng điện thoại an toàn.\nXin chào", 12)
	f.Add("👍🏽👍🏽 ạ ạ ạ", 3)
	f.Add("a\u00a0b\u2003c d", 2)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 2 || limit > 4000 || !utf8.ValidString(text) {
			return
		}
		parts := split(text, limit)
		longest := 0
		for _, w := range strings.Fields(text) {
			longest = max(longest, units(w))
		}
		for _, p := range parts {
			if p == "" || p != strings.TrimSpace(p) {
				t.Fatalf("part %q is blank or untrimmed", p)
			}
			if units(p) > limit {
				t.Fatalf("part %q has %d units, limit %d", p, units(p), limit)
			}
		}
		joined := strings.Join(parts, "")
		squash := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		if squash(joined) != squash(text) {
			t.Fatalf("text changed: %q -> %q", text, parts)
		}
		if longest < limit/2-1 && strings.Join(strings.Fields(strings.Join(parts, " ")), " ") != strings.Join(strings.Fields(text), " ") {
			t.Fatalf("a word was cut: %q -> %q", text, parts)
		}
	})
}
