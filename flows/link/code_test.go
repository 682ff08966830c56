package link

import (
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		c := NewCode()
		if got, ok := Normalize(c); !ok || got != c {
			t.Fatalf("a drawn code %q normalises to %q %v", c, got, ok)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in 2000", c)
		}
		seen[c] = true
		for _, r := range c {
			counts[r]++
		}
	}
	// 16,000 characters over 25: about 640 each; every one is drawn.
	if len(counts) != len(alphabet) {
		t.Errorf("%d characters of %d drawn", len(counts), len(alphabet))
	}
	for r, n := range counts {
		if n < 450 || n > 850 {
			t.Errorf("%q drawn %d times of 16000, want about 640", r, n)
		}
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		typed, want string
	}{
		{"BK74-QX2M", "BK74QX2M"},
		{"bk74qx2m", "BK74QX2M"},
		{"  bk74 qx2m ", "BK74QX2M"},
		{"#BK74–QX2M", "BK74QX2M"},          // en dash
		{"ＢＫ７４－ＱＸ２Ｍ", "BK74QX2M"},           // full width
		{"B.K.7.4_Q X\u00a02M", "BK74QX2M"}, // no-break space
	} {
		if got, ok := Normalize(tc.typed); !ok || got != tc.want {
			t.Errorf("Normalize(%q) = %q %v, want %q", tc.typed, got, ok, tc.want)
		}
	}
	for _, typed := range []string{
		"", "BK74-QX2", "BK74-QX2MM", "BK74-QX2O", "BK74-QX21", "BA74-QX2M", // short, long, O, 1, a vowel
		"BK74-QX2Đ", "BK74-QX2Á", "xin chào", "/link BK74QX2M", strings.Repeat("B", 100), "BK74\x00QX2M",
	} {
		if got, ok := Normalize(typed); ok {
			t.Errorf("Normalize(%q) = %q, want refused", typed, got)
		}
	}
	if Format("BK74QX2M") != "BK74-QX2M" {
		t.Error(Format("BK74QX2M"))
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"BK74-QX2M", "bk74qx2m", "ＢＫ７４－ＱＸ２Ｍ", "B K 7 4 Q X 2 M", "BK74-QX2Á", "", "#", "\u00a0", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		got, ok := Normalize(typed)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", typed, got)
			}
			return
		}
		if len(got) != codeLen {
			t.Fatalf("Normalize(%q) = %q: not %d characters", typed, got, codeLen)
		}
		for _, r := range got {
			if !strings.ContainsRune(alphabet, r) {
				t.Fatalf("Normalize(%q) = %q: %q is not of the alphabet", typed, got, r)
			}
		}
		for _, again := range []string{got, Format(got), strings.ToLower(Format(got)), " " + got + " "} {
			if g, ok := Normalize(again); !ok || g != got {
				t.Fatalf("Normalize(%q) = %q %v, want %q", again, g, ok, got)
			}
		}
	})
}
