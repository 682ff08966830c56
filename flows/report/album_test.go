package report_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/report/config"
)

// albumForm has a number, a file question that takes one file, one that
// takes three photos, then a text: the questions an album could spill
// into.
const albumForm = `id: a
version: 1
title: {vi: "Biểu mẫu album", en: "Album form"}
sections:
  - key: s
    title: {vi: "Chung", en: "General"}
    fields:
      - key: classes
        type: number
        required: true
        label: {vi: "Số lớp", en: "Classes"}
      - key: decision
        type: file
        required: true
        accept: [pdf, image]
        label: {vi: "Quyết định đã ký", en: "The signed decision"}
      - key: photos
        type: file
        accept: [image]
        max_files: 3
        label: {vi: "Ảnh hoạt động", en: "Photos of activities"}
      - key: note
        type: text
        label: {vi: "Ghi chú", en: "Note"}
`

const albumPeriods = `periods:
  - id: a
    name: {vi: "Kỳ album", en: "Album period"}
    opens_at: 2025-06-01
    due: 2025-06-30
    kinds: [department, commune]
    form: a
    form_version: 1
`

func albumFixture(t *testing.T) (*fixture, *flowtest.User) {
	t.Helper()
	cfg, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(albumPeriods)},
		config.File{Name: "forms/a.v1.yaml", Data: []byte(albumForm)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	mustContain(t, "the first question", u.Tap("Kỳ album").Text(), "Câu 1/4")
	return f, u
}

// photo is a distinct JPEG.
func photo(i int) []byte {
	return append([]byte(fmt.Sprintf("\xFF\xD8\xFF\xE0%04d", i)), make([]byte, 1000)...)
}

// albumItem is one photo of an album, as Telegram sends it: a message of
// its own, with the album's id.
func (f *fixture) albumItem(u *flowtest.User, group string, data []byte) flowtest.Result {
	f.t.Helper()
	upd := u.Update(bot.KindFile)
	upd.File = &bot.File{ID: f.fake.PutFile("", data), MIME: "image/jpeg", Size: int64(len(data))}
	upd.Group = group
	return u.Do(upd)
}

// fileCount is how many files the draft's answer to key holds.
func (f *fixture) fileCount(key string) (int, bool) {
	f.t.Helper()
	d, _ := f.draft("SNV", "a")
	raw, ok := d.Answers[key]
	if !ok {
		return 0, false
	}
	return len(values(f.t.(*testing.T), raw).Files), true
}

// An album sent to a question that takes one file: the first photo is
// kept, the user is told once that the others were not and how to change
// it, and the next question (a file question too) gets none of them.
// Sending another file to the question later replaces the one kept.
func TestReport_AlbumToAQuestionTakingOneFile(t *testing.T) {
	f, u := albumFixture(t)
	mustContain(t, "the file question", u.Send("12").Text(), "Câu 2/4", "Quyết định đã ký")

	r := f.albumItem(u, "g1", photo(1))
	mustContain(t, "the first photo", r.Text(), "Đã nhận tệp anh-1.jpg", "Câu 3/4")
	notice := f.T("vi", "report.album.one", "N", 2, "Field", "Quyết định đã ký", "Name", "anh-1.jpg")
	r = f.albumItem(u, "g1", photo(2))
	if r.Text() != notice {
		t.Errorf("the second photo: %q; want only %q", r.Text(), notice)
	}
	for i := 3; i <= 4; i++ {
		if r = f.albumItem(u, "g1", photo(i)); len(r.Sent) != 0 {
			t.Errorf("photo %d is answered again: %s", i, r)
		}
	}
	if n, _ := f.fileCount("decision"); n != 1 {
		t.Errorf("the decision has %d files; want 1", n)
	}
	if n, ok := f.fileCount("photos"); ok {
		t.Errorf("the album's photos answered the next question: %d files", n)
	}
	mustContain(t, "the question on screen", u.Screen().Text, "Câu 3/4", "Ảnh hoạt động")

	// Back to it: a PDF replaces the photo.
	r = u.Tap("Quay lại")
	mustContain(t, "back", r.Text(), "Câu 2/4", "Câu trả lời đã lưu: anh-1.jpg", f.T("vi", "report.ask.file_replace"))
	r = f.sendFile(u, "Quyết định.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	mustContain(t, "the PDF", r.Text(), "Đã nhận tệp Quyết định.pdf", "Câu 3/4")
	d, _ := f.draft("SNV", "a")
	if v := values(t, d.Answers["decision"]); len(v.Files) != 1 || v.Files[0].Name != "Quyết định.pdf" {
		t.Errorf("the decision is %+v; want the PDF alone", v.Files)
	}
}

// An album with fewer photos than the question takes: every photo goes to
// it; the question is shown again after the first only, its Done button
// still answering; a later album that overflows it is told once, never
// answers the question after.
func TestReport_AlbumToAQuestionTakingSeveral(t *testing.T) {
	f, u := albumFixture(t)
	u.Send("12")
	f.sendFile(u, "Quyết định.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	mustContain(t, "the photos' question", u.Screen().Text, "Câu 3/4")

	r := f.albumItem(u, "g1", photo(1))
	mustContain(t, "the first photo", r.Text(), "Đã nhận tệp anh-1.jpg", "Câu 3/4", "Câu trả lời đã lưu: anh-1.jpg")
	r = f.albumItem(u, "g1", photo(2))
	if r.Text() != f.T("vi", "report.file.received", "Name", "anh-2.jpg", "Size", "1 kB") {
		t.Errorf("the second photo: %s; want it received, and the question not asked again", r)
	}
	if n, _ := f.fileCount("photos"); n != 2 {
		t.Errorf("%d photos saved; want 2", n)
	}
	mustContain(t, "Done", u.Tap("Xong").Text(), "Câu 4/4")

	// Another album of three, to the question holding two: one is kept.
	u.Tap("Quay lại")
	r = f.albumItem(u, "g2", photo(3))
	mustContain(t, "the album's first", r.Text(), "Đã nhận tệp anh-3.jpg", "Câu 4/4")
	notice := f.T("vi", "report.album.many", "N", 3, "Field", "Ảnh hoạt động", "Max", 3, "Again", f.T("vi", "report.button.files_again"))
	if r = f.albumItem(u, "g2", photo(4)); r.Text() != notice {
		t.Errorf("the album's second: %q; want only %q", r.Text(), notice)
	}
	if r = f.albumItem(u, "g2", photo(5)); len(r.Sent) != 0 {
		t.Errorf("the album's third is answered again: %s", r)
	}
	if n, _ := f.fileCount("photos"); n != 3 {
		t.Errorf("%d photos saved; want 3", n)
	}
	if _, ok := f.fileCount("note"); ok {
		t.Error("the note was answered")
	}

	// The photos are replaced: the new ones take the place of the three.
	u.Tap("Quay lại")
	r = u.Tap("Thay các tệp đã gửi")
	mustContain(t, "replace", r.Text(), f.T("vi", "report.ask.files_again"), "Câu 3/4")
	if _, ok := r.Last().Button("Thay các tệp đã gửi"); ok {
		t.Error("the Replace button is still shown")
	}
	f.albumItem(u, "g3", photo(6))
	f.albumItem(u, "g3", photo(7))
	if n, _ := f.fileCount("photos"); n != 2 {
		t.Errorf("%d photos after the replacement; want 2", n)
	}
}

// An album sent where no file is asked (a number) is answered once.
func TestReport_AlbumWhereNoFileIsAsked(t *testing.T) {
	f, u := albumFixture(t)
	r := f.albumItem(u, "g1", photo(1))
	mustContain(t, "the first photo", r.Text(), f.T("vi", "report.file.not_here"), "Câu 1/4")
	for i := 2; i <= 3; i++ {
		if r = f.albumItem(u, "g1", photo(i)); len(r.Sent) != 0 {
			t.Errorf("photo %d is answered again: %s", i, r)
		}
	}
	if n := f.h.Count("report_attachments"); n != 0 {
		t.Errorf("%d attachments stored", n)
	}
	mustContain(t, "the answer", u.Send("12").Text(), "Câu 2/4")
}

// An album sent to a question opened from the review fills it and goes
// back to the review; its photos left are told once, not taken as text
// typed at the review.
func TestReport_AlbumFromTheReview(t *testing.T) {
	f, u := albumFixture(t)
	u.Send("12")
	f.sendFile(u, "Quyết định.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	u.Tap("Bỏ qua")
	mustContain(t, "the review", u.Tap("Bỏ qua").Text(), "Xem lại báo cáo")
	u.Tap("✏️ 3")
	var all []string
	for i := 1; i <= 5; i++ {
		all = append(all, f.albumItem(u, "g1", photo(i)).Texts()...)
	}
	text := strings.Join(all, "\n")
	if n := strings.Count(text, "Đã nhận tệp"); n != 3 {
		t.Errorf("%d photos received; want 3:\n%s", n, text)
	}
	if n := strings.Count(text, "nhận tối đa 3 tệp"); n != 1 {
		t.Errorf("told %d times that the question takes 3; want once:\n%s", n, text)
	}
	if strings.Contains(text, f.T("vi", "report.review.typed")) {
		t.Errorf("a photo is taken for text typed at the review:\n%s", text)
	}
	mustContain(t, "the review on screen", u.Screen().Text, "Xem lại báo cáo")
}

// A Zalo event may carry several images: one album, all in one update.
// They go to the question asked, are answered together, and what it has
// no room for is told once.
func TestReport_SeveralFilesInOneMessage(t *testing.T) {
	f, u := albumFixture(t)
	u.Send("12")
	f.sendFile(u, "Quyết định.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	upd := u.Update(bot.KindFile)
	upd.Group = upd.ID
	for i := 1; i <= 4; i++ {
		file := &bot.File{ID: f.fake.PutFile("", photo(i)), MIME: "image/jpeg"}
		if i == 1 {
			upd.File = file
		} else {
			upd.More = append(upd.More, file)
		}
	}
	r := u.Do(upd)
	texts := r.Texts()
	if len(texts) != 5 {
		t.Fatalf("%d messages; want 3 received, the notice, the next question:\n%s", len(texts), r)
	}
	// Photos come without a name: each is told, and shown at the review,
	// by a name of its own, not the same one three times.
	for i, text := range texts[:3] {
		mustContain(t, "a photo", text, fmt.Sprintf("Đã nhận tệp anh-%d.jpg", i+1))
	}
	mustContain(t, "the notice", texts[3], "nhận tối đa 3 tệp")
	mustContain(t, "the next question", texts[4], "Câu 4/4")
	if n, _ := f.fileCount("photos"); n != 3 {
		t.Errorf("%d photos saved; want 3", n)
	}
	mustContain(t, "the review", u.Tap("Bỏ qua").Text(), "Xem lại báo cáo", "3. Ảnh hoạt động\nanh-1.jpg, anh-2.jpg, anh-3.jpg")
}

// An amendment changes the file of a question that takes one by sending
// another: the new version holds it alone, the first version its own.
func TestReport_AmendmentReplacesTheFile(t *testing.T) {
	f, u := albumFixture(t)
	u.Send("12")
	f.sendFile(u, "Quyết định.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	u.Tap("Bỏ qua")
	u.Tap("Bỏ qua")
	mustContain(t, "the receipt", u.Tap("Gửi báo cáo").Text(), "Số biên nhận: a-0001.1")

	u.Send("/status")
	u.Tap("1. Kỳ album")
	u.Tap("Sửa đổi báo cáo")
	u.Send("Quyết định có chữ ký mới")
	mustContain(t, "the file question", u.Tap("✏️ 2").Text(), "Câu trả lời đã lưu: Quyết định.pdf", f.T("vi", "report.ask.file_replace"))
	signed := append([]byte("%PDF-1.7\n%signed"), make([]byte, 2000)...)
	mustContain(t, "the new file", f.sendFile(u, "Quyết định ký lại.pdf", "application/pdf", signed, int64(len(signed))).Text(),
		"Đã nhận tệp Quyết định ký lại.pdf", "Xem lại báo cáo", "Quyết định ký lại.pdf")
	mustContain(t, "the second receipt", u.Tap("Gửi báo cáo").Text(), "Số biên nhận: a-0001.2")

	vs := f.versions("SNV", "a")
	if len(vs) != 2 {
		t.Fatalf("%d versions; want 2", len(vs))
	}
	for i, want := range []string{"Quyết định.pdf", "Quyết định ký lại.pdf"} {
		var answers map[string]json.RawMessage
		if err := json.Unmarshal(vs[i].Answers, &answers); err != nil {
			t.Fatal(err)
		}
		if v := values(t, answers["decision"]); len(v.Files) != 1 || v.Files[0].Name != want {
			t.Errorf("version %d's decision is %+v; want %s alone", i+1, v.Files, want)
		}
	}
}

// Text sent with files at a file question (a Telegram caption; on Zalo,
// the text of a message with images) is not saved: the user is told so
// once, for a file sent alone or a whole album, and the files are kept.
func TestReport_TextSentWithFilesIsToldNotSaved(t *testing.T) {
	f, u := albumFixture(t)
	u.Send("12")
	caption := f.T("vi", "report.file.caption")

	// A document with a caption, alone.
	upd := u.Update(bot.KindFile)
	upd.Text = "Quyết định số 12 ngày 2/6"
	upd.File = &bot.File{ID: f.fake.PutFile("Quyết định.pdf", pdfFile), Name: "Quyết định.pdf", MIME: "application/pdf", Size: int64(len(pdfFile))}
	r := u.Do(upd)
	texts := r.Texts()
	if len(texts) != 3 || !strings.Contains(texts[0], "Đã nhận tệp Quyết định.pdf") || texts[1] != caption || !strings.Contains(texts[2], "Câu 3/4") {
		t.Errorf("a document with a caption: want received, %q, the next question:\n%s", caption, r)
	}
	if n, _ := f.fileCount("decision"); n != 1 {
		t.Errorf("the decision has %d files; want 1", n)
	}

	// A Telegram album, its caption on the first photo: told once.
	var all []string
	for i := 1; i <= 2; i++ {
		upd := u.Update(bot.KindFile)
		upd.File = &bot.File{ID: f.fake.PutFile("", photo(i)), MIME: "image/jpeg", Size: int64(len(photo(i)))}
		upd.Group = "g1"
		if i == 1 {
			upd.Text = "Ảnh lớp học ở bản Mòng"
		}
		all = append(all, u.Do(upd).Texts()...)
	}
	if n := strings.Count(strings.Join(all, "\n"), caption); n != 1 {
		t.Errorf("an album with a caption: told %d times; want once:\n%s", n, strings.Join(all, "\n---\n"))
	}

	// Zalo: several images and text in one message.
	u.Tap(f.T("vi", "report.button.back"))
	upd = u.Update(bot.KindFile)
	upd.Group, upd.Text = upd.ID, "ảnh hoạt động"
	upd.File = &bot.File{ID: f.fake.PutFile("", photo(3)), MIME: "image/jpeg"}
	upd.More = []*bot.File{{ID: f.fake.PutFile("", photo(4)), MIME: "image/jpeg"}}
	r = u.Do(upd)
	if n := strings.Count(r.Text(), caption); n != 1 {
		t.Errorf("images with text in one message: told %d times; want once:\n%s", n, r)
	}

	// Without text, nothing is said of it.
	r = f.albumItem(u, "g2", photo(5))
	if strings.Contains(r.Text(), caption) {
		t.Errorf("a photo without a caption is told of its text:\n%s", r)
	}
}
