package randcode

import (
	"strings"
	"testing"
)

// Every character drawn is of the alphabet, the length is the one asked,
// and over many draws every character turns up about equally often (the
// modulo favours none: 27 does not divide 256).
func TestDrawIsUniformOverTheAlphabet(t *testing.T) {
	const alphabet = "0123456789BCFGHJKMNPQRSTVXZ"
	counts := make(map[rune]int)
	const draws, n = 20000, 12
	for range draws {
		s := Draw(alphabet, n)
		if len(s) != n {
			t.Fatalf("Draw gave %q: %d characters, want %d", s, len(s), n)
		}
		for _, r := range s {
			if !strings.ContainsRune(alphabet, r) {
				t.Fatalf("Draw gave %q: %q is not of the alphabet", s, r)
			}
			counts[r]++
		}
	}
	want := float64(draws*n) / float64(len(alphabet)) // about 8,889
	for _, r := range alphabet {
		// 5% either side is more than 10 standard deviations (about 92).
		if got := float64(counts[r]); got < want*0.95 || got > want*1.05 {
			t.Errorf("%q drawn %v times; want about %.0f", r, got, want)
		}
	}
}
