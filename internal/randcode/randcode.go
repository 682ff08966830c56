// Package randcode draws codes people type (invite codes, link codes) from
// a cryptographic source.
package randcode

import "crypto/rand"

// Draw returns n characters of alphabet (ASCII, 2 to 256 characters), each
// equally likely: bytes at or above the largest multiple of the alphabet's
// length are drawn again, so that none is favoured by the modulo.
func Draw(alphabet string, n int) string {
	if len(alphabet) < 2 || len(alphabet) > 256 {
		panic("randcode: alphabet of " + alphabet)
	}
	limit := 256 - 256%len(alphabet)
	b := make([]byte, 0, n)
	var buf [32]byte
	for len(b) < n {
		_, _ = rand.Read(buf[:])
		for _, x := range buf {
			if int(x) < limit && len(b) < n {
				b = append(b, alphabet[int(x)%len(alphabet)])
			}
		}
	}
	return string(b)
}
