package report_test

import (
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/report/config"
)

// toFiles walks a new plan draft to its file question.
func toFiles(t *testing.T, f *fixture, u *flowtest.User) {
	t.Helper()
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	toFilesFrom(t, u)
}

// toFilesFrom answers a new plan draft from its first question to its file
// question.
func toFilesFrom(t *testing.T, u *flowtest.User) {
	t.Helper()
	for _, in := range []string{"1", "10", "20", "có", "2/6/2025", "1/KH", "Kết quả"} {
		u.Send(in)
	}
	mustContain(t, "the file question", u.Screen().Text, "Câu 8/8")
}

// Attachments: PDF, Word, Excel and images are taken, checked, downloaded
// through the channel and stored with their SHA-256; another type, a file
// over the limit and a file whose content is not its kind are refused with
// the reason, the first two before anything is downloaded.
func TestReport_Attachments(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	toFiles(t, f, u)
	getFiles := func() int { return len(f.fake.Calls("getFile")) }

	// Refused before downloading: the type, the declared size.
	r := f.sendFile(u, "setup.exe", "application/octet-stream", []byte("MZ\x90\x00"), 4)
	mustContain(t, "an .exe", r.Text(), f.T("vi", "report.input.file.type", "Kinds", "PDF, Word, Excel, JPG, PNG"), "Câu 8/8")
	r = f.sendFile(u, "Ảnh hoạt động.zip", "application/zip", []byte("PK\x03\x04"), 4)
	mustContain(t, "a .zip", r.Text(), f.T("vi", "report.input.file.type", "Kinds", "PDF, Word, Excel, JPG, PNG"))
	r = f.sendFile(u, "Biên bản.pdf", "application/pdf", pdfFile, 25<<20)
	mustContain(t, "a 25 MB file", r.Text(), f.T("vi", "report.input.file.too_large", "Size", "25", "Max", 20))
	if n := getFiles(); n != 0 {
		t.Errorf("%d files were downloaded before being refused", n)
	}
	// Refused after downloading: a renamed file.
	r = f.sendFile(u, "Báo cáo.pdf", "application/pdf", []byte("just text, not a PDF"), 19)
	mustContain(t, "a text file named .pdf", r.Text(), f.T("vi", "report.input.file.type", "Kinds", "PDF, Word, Excel, JPG, PNG"))
	if d, _ := f.draft("SNV", "plan"); len(d.Answers["evidence"]) != 0 {
		t.Fatalf("a refused file is in the draft: %s", d.Answers["evidence"])
	}

	// Each allowed kind.
	for _, c := range []struct {
		name, mime string
		data       []byte
		kind       config.FileKind
	}{
		{"Kế hoạch.pdf", "application/pdf", pdfFile, config.FilePDF},
		{"Kế hoạch.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxFile, config.FileWord},
		{"Số liệu.xls", "application/vnd.ms-excel", xlsFile, config.FileExcel},
		{"", "image/jpeg", jpegFile, config.FileImage}, // a photo: no name
		{"Lớp học.png", "image/png", pngFile, config.FileImage},
	} {
		r = f.sendFile(u, c.name, c.mime, c.data, int64(len(c.data)))
		mustContain(t, "a "+string(c.kind), r.Text(), "Đã nhận tệp")
		d, _ := f.draft("SNV", "plan")
		v := values(t, d.Answers["evidence"])
		last := v.Files[len(v.Files)-1]
		if last.Kind != c.kind || last.Size != int64(len(c.data)) || len(last.SHA256) != 64 {
			t.Errorf("%s stored as %+v", c.name, last)
		}
		if len(v.Files) == 2 {
			// The field takes two: the review comes; back to the field,
			// and "skip" starts it over.
			mustContain(t, "two files", r.Text(), "Xem lại báo cáo")
			u.Tap("✏️ 8")
			r = u.Tap("Bỏ qua")
			mustContain(t, "skipped", r.Text(), "8. Tài liệu kèm theo\n(bỏ qua)")
			u.Tap("✏️ 8")
		}
	}
	if n := f.h.Count("report_attachments"); n != 5 {
		t.Errorf("%d attachments stored; want 5", n)
	}
	// The same file again is stored once.
	f.sendFile(u, "Kế hoạch (bản sao).pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	if n := f.h.Count("report_attachments"); n != 5 {
		t.Errorf("%d attachments after the same content again; want 5", n)
	}
}

// A file while another kind of question is asked is not taken.
func TestReport_AFileWhereTextIsAsked(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	u.Tap("Kế hoạch")
	r := f.sendFile(u, "a.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	mustContain(t, "a file for a number", r.Text(), f.T("vi", "report.file.not_here"), "Câu 2/8")
	if n := f.h.Count("report_attachments"); n != 0 {
		t.Errorf("%d attachments stored", n)
	}
}

// Something that is neither text nor a file (a sticker, a location) is
// answered in the terms of the question: a file question asks for a file,
// another for typing or a tap; the question is asked again either way.
func TestReport_NeitherTextNorFileIsExplainedByTheQuestion(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	r := u.Do(u.Update(bot.KindOther))
	mustContain(t, "a sticker at a choice", r.Text(), f.T("vi", "report.input.unsupported"), "Câu 1/8")

	toFilesFrom(t, u)
	r = u.Do(u.Update(bot.KindOther))
	mustContain(t, "a sticker at the file question", r.Text(),
		f.T("vi", "report.input.file.expected", "Kinds", "PDF, Word, Excel, JPG, PNG"), "Câu 8/8")
	if strings.Contains(r.Text(), f.T("vi", "report.input.unsupported")) {
		t.Errorf("the file question is told to type or tap:\n%s", r)
	}
}
