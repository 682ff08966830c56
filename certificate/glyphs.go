package certificate

import (
	"encoding/binary"
	"slices"
	"sync"
)

// glyphRange is a run of characters a font draws (a cmap format 12 group).
type glyphRange struct{ lo, hi rune }

// coverage lists the characters both embedded fonts draw, sorted.
var coverage = sync.OnceValue(func() []glyphRange {
	regular, bold := cmapRanges(fontRegular), cmapRanges(fontBold)
	var out []glyphRange
	// The intersection of two sorted lists of disjoint ranges.
	for i, j := 0, 0; i < len(regular) && j < len(bold); {
		lo, hi := max(regular[i].lo, bold[j].lo), min(regular[i].hi, bold[j].hi)
		if lo <= hi {
			out = append(out, glyphRange{lo, hi})
		}
		if regular[i].hi < bold[j].hi {
			i++
		} else {
			j++
		}
	}
	return out
})

// Printable reports whether the certificate's fonts have a glyph for r, so
// that it is drawn on the PDF and not as an empty box. DejaVu Sans covers
// Vietnamese and the Latin, Greek and Cyrillic alphabets, but not, for
// instance, the Tai Viet, Thai or Chinese scripts.
func Printable(r rune) bool {
	ranges := coverage()
	_, found := slices.BinarySearchFunc(ranges, r, func(g glyphRange, r rune) int {
		switch {
		case g.hi < r:
			return -1
		case g.lo > r:
			return 1
		}
		return 0
	})
	return found
}

// cmapRanges reads the characters a TrueType font maps to a glyph, from its
// Unicode full-repertoire cmap subtable (platform 3, encoding 10, format
// 12). A font without one covers nothing: the embedded fonts have it, and
// TestPrintable checks they still do.
func cmapRanges(font []byte) []glyphRange {
	be := binary.BigEndian
	in := func(off, n int) bool { return off >= 0 && n >= 0 && off+n <= len(font) }
	if !in(0, 12) {
		return nil
	}
	tables := int(be.Uint16(font[4:]))
	for t := range tables {
		rec := 12 + 16*t
		if !in(rec, 16) || string(font[rec:rec+4]) != "cmap" {
			continue
		}
		cmap := int(be.Uint32(font[rec+8:]))
		if !in(cmap, 4) {
			return nil
		}
		subtables := int(be.Uint16(font[cmap+2:]))
		for s := range subtables {
			e := cmap + 4 + 8*s
			if !in(e, 8) || be.Uint16(font[e:]) != 3 || be.Uint16(font[e+2:]) != 10 {
				continue
			}
			sub := cmap + int(be.Uint32(font[e+4:]))
			if !in(sub, 16) || be.Uint16(font[sub:]) != 12 {
				return nil
			}
			groups := int(be.Uint32(font[sub+12:]))
			if !in(sub+16, groups*12) {
				return nil
			}
			var out []glyphRange
			for g := range groups {
				p := sub + 16 + 12*g
				lo, hi, glyph := rune(be.Uint32(font[p:])), rune(be.Uint32(font[p+4:])), be.Uint32(font[p+8:])
				if glyph == 0 {
					lo++ // glyph 0 is .notdef: the box drawn for a missing character
				}
				if lo <= hi {
					out = append(out, glyphRange{lo, hi})
				}
			}
			slices.SortFunc(out, func(a, b glyphRange) int { return int(a.lo - b.lo) })
			return out
		}
	}
	return nil
}
