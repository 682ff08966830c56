package certificate_test

import (
	"testing"
	"unicode"

	"hocvuso/certificate"
)

func TestPrintable_VietnameseYesTaiVietThaiChineseNo(t *testing.T) {
	for _, r := range "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵfjwzАЯжΩλ\u0301" {
		for _, l := range []rune{r, unicode.ToUpper(r)} {
			if !certificate.Printable(l) {
				t.Errorf("%q (U+%04X) cannot be printed", l, l)
			}
		}
	}
	for _, r := range "\uaa8b\uaab1\uaa99ลำ李각\x00" {
		if certificate.Printable(r) {
			t.Errorf("%q (U+%04X) has no glyph in DejaVu Sans, yet is printable", r, r)
		}
	}
}
