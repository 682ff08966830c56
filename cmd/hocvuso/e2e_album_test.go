package main

// End-to-end specs of albums sent to a report's file question through
// `serve`, its webhook and the fake Bot API: Telegram delivers the photos
// or documents of an album as separate updates sharing media_group_id.
// Every item goes to the question the album was sent to; what that
// question cannot take is said once, and never answers a later question.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// albumPhoto is one photo of an album (media_group_id group) sent by the
// user of chat.
func albumPhoto(chat int64, group, fileID string, size int64) map[string]any {
	u := photoUpdate(chat, fileID, size)
	u["message"].(map[string]any)["media_group_id"] = group
	return u
}

// draftButFiles records a period's form and a draft of a department with
// every question answered but its files: /report goes on at the first file
// question.
func draftButFiles(t *testing.T, db *store.DB, period, unit string, by int64) (fm *config.Form, fields []*config.Field) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Period(period)
	fm = cfg.PeriodForm(p)
	if err := db.RecordForm(ctx, store.StoredForm{ID: fm.ID, Version: fm.Version, Hash: fm.Hash, Content: fm.Content, RecordedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	start := store.DraftStart{UnitCode: unit, PeriodID: p.ID, FormID: fm.ID, FormVersion: fm.Version, By: by, At: time.Now()}
	d, _, err := db.OpenDraft(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	fields = fm.FieldsFor("department")
	for _, fl := range fields {
		if fl.Type == config.TypeFile {
			continue
		}
		v, err := fl.Skip()
		if err != nil {
			v, err = answerAny(fl)
		}
		if err != nil {
			t.Fatalf("field %s: %v", fl.Key, err)
		}
		raw, _ := json.Marshal(v)
		if d, err = db.SaveDraftAnswer(ctx, store.DraftAnswer{DraftStart: start, Key: fl.Key, Value: raw, Seen: d.Version}); err != nil {
			t.Fatal(err)
		}
	}
	return fm, fields
}

// answerAny is a valid answer to a required field that is not a file.
func answerAny(fl *config.Field) (config.Value, error) {
	var tries []string
	switch fl.Type {
	case config.TypeChoice:
		tries = []string{fl.Options[0].Label.In("vi")}
	case config.TypeYesNo:
		tries = []string{"có"}
	case config.TypeDate:
		tries = []string{"1/10/2025"}
	default:
		tries = []string{"1", "0", "50", "Không có"}
	}
	var err error
	for _, in := range tries {
		var v config.Value
		if v, err = fl.Parse(in, "vi"); err == nil {
			return v, nil
		}
	}
	return config.Value{}, err
}

// files names the files of a draft's answer to key.
func draftFiles(t *testing.T, db *store.DB, unit, period, key string) []string {
	t.Helper()
	d, ok, err := db.Draft(context.Background(), unit, period)
	if err != nil || !ok {
		t.Fatalf("draft %s/%s: %v %v", unit, period, ok, err)
	}
	var v config.Value
	if raw := d.Answers[key]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, f := range v.Files {
		names = append(names, f.SHA256[:8])
	}
	return names
}

// A focal point sends an album of 7 photos to the signed report, which
// takes 5: the first 5 are kept there, the focal point is told once that
// the other 2 were not, and the next question (the activity photos, a file
// question too) gets none of them.
func TestServeReport_AlbumLargerThanTheQuestionTakes(t *testing.T) {
	t.Parallel()
	s, u, _ := reportServe(t)
	var focal int64
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT user_id FROM accounts WHERE external_id = $1`, fmt.Sprint(u)).Scan(&focal); err != nil {
		t.Fatal(err)
	}
	_, fields := draftButFiles(t, s.db, "annual-2025", "SNV", focal)
	n := len(fields)
	has(t, "/report", s.reply(u, "/report"), "Báo cáo đã ký, đóng dấu", fmt.Sprintf("Câu %d/%d", n-2, n))

	before := len(s.fake.MessagesTo(u))
	for i := range 7 {
		jpeg := append([]byte("\xFF\xD8\xFF\xE0"), byte(i), byte(i>>8))
		jpeg = append(jpeg, make([]byte, 2000)...)
		photo := albumPhoto(u, "13579246801357924", s.fake.PutFile("", jpeg), int64(len(jpeg)))
		if i == 0 {
			// Telegram puts an album's caption on its first item.
			photo["message"].(map[string]any)["caption"] = "Báo cáo năm 2025 của Sở"
		}
		s.send(u, photo)
	}
	r := s.newSince(u, before)

	if got := draftFiles(t, s.db, "SNV", "annual-2025", "signed_report"); len(got) != 5 {
		t.Errorf("the signed report has %d files; want 5", len(got))
	}
	if got := draftFiles(t, s.db, "SNV", "annual-2025", "activity_photos"); len(got) != 0 {
		t.Errorf("the album's last photos answered the next question: activity photos %v", got)
	}
	if c := strings.Count(r, "Đã nhận tệp"); c != 5 {
		t.Errorf("%d files said received; want 5:\n%s", c, r)
	}
	if c := strings.Count(r, "nhận tối đa 5 tệp, nên các tệp khác bạn gửi cùng lúc không được lưu"); c != 1 {
		t.Errorf("told %d times that the question takes 5 files; want once:\n%s", c, r)
	}
	// The text sent with the images is not an answer: said once.
	if c := strings.Count(r, "lời nhắn gửi kèm tệp không được lưu"); c != 1 {
		t.Errorf("told %d times that the text with the images was not saved; want once:\n%s", c, r)
	}
	has(t, "the next question", s.lastWithButtons(u).Text, "Ảnh hoạt động", fmt.Sprintf("Câu %d/%d", n-1, n))

	// Back to the signed report: its photos are replaced by one PDF.
	has(t, "back", s.choose(u, "Quay lại"), fmt.Sprintf("Câu %d/%d", n-2, n), "Câu trả lời đã lưu: anh-1.jpg, anh-2.jpg, anh-3.jpg, anh-4.jpg, anh-5.jpg")
	has(t, "replace", s.choose(u, "Thay các tệp đã gửi"), "chúng sẽ thay các tệp đã lưu")
	pdf := append([]byte("%PDF-1.4\n"), make([]byte, 3000)...)
	r = s.send(u, fileUpdate(u, s.fake.PutFile("Báo cáo.pdf", pdf), "Báo cáo.pdf", "application/pdf", int64(len(pdf))))
	has(t, "the PDF", r, "Đã nhận tệp Báo cáo.pdf", "Câu trả lời đã lưu: Báo cáo.pdf")
	if strings.Contains(r, "anh-1.jpg") {
		t.Errorf("the photos are still there:\n%s", r)
	}
	if got := draftFiles(t, s.db, "SNV", "annual-2025", "signed_report"); len(got) != 1 {
		t.Errorf("the signed report has %d files after the replacement; want 1", len(got))
	}
	// A photo sent now adds to the PDF.
	jpeg := append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, 999)...)
	has(t, "a photo", s.send(u, photoUpdate(u, s.fake.PutFile("", jpeg), int64(len(jpeg)))), "Câu trả lời đã lưu: Báo cáo.pdf, anh-1.jpg")
}

// On Zalo, several images sent at once may come in one event: they all go
// to the question asked, the 2025 plan's signed document, which takes 5;
// the focal point is told once that the others were not kept, and the
// review follows.
func TestServeReport_ZaloImagesInOneMessage(t *testing.T) {
	t.Parallel()
	s := startZaloServe(t, nil, nil)
	const user = "7001000000000000778"
	focal := s.focalOfSNV(user)
	draftButFiles(t, s.db, "plan-2025", "SNV", focal)
	s.send(user, s.fake.TextEvent(user, "/report"), func(m fakezalo.Message) bool { return strings.Contains(m.Text, "Câu 17/17") })

	before := len(s.fake.MessagesTo(user))
	var images [][]byte
	for i := range 7 {
		images = append(images, append([]byte{0xFF, 0xD8, 0xFF, 0xE0, byte(i)}, make([]byte, 3000)...))
	}
	s.send(user, s.fake.ImagesEvent(user, images, "Văn bản triển khai"), func(m fakezalo.Message) bool {
		return strings.Contains(m.Text, "Xem lại báo cáo")
	})
	r := strings.Join(s.fake.Texts(user)[before:], "\n")
	if c := strings.Count(r, "Đã nhận tệp "); c != 5 {
		t.Errorf("%d images said received; want 5:\n%s", c, r)
	}
	// Images come without a name: each is told by a name of its own.
	for i := 1; i <= 5; i++ {
		if c := strings.Count(r, fmt.Sprintf("Đã nhận tệp anh-%d.jpg", i)); c != 1 {
			t.Errorf("anh-%d.jpg said received %d times; want once:\n%s", i, c, r)
		}
	}
	if c := strings.Count(r, "Câu 17 (Văn bản triển khai đã ký) nhận tối đa 5 tệp, nên các tệp khác bạn gửi cùng lúc không được lưu"); c != 1 {
		t.Errorf("told %d times that the question takes 5 files; want once:\n%s", c, r)
	}
	// The text sent with the images is not an answer: said once.
	if c := strings.Count(r, "lời nhắn gửi kèm tệp không được lưu"); c != 1 {
		t.Errorf("told %d times that the text with the images was not saved; want once:\n%s", c, r)
	}
	if got := draftFiles(t, s.db, "SNV", "plan-2025", "signed_document"); len(got) != 5 {
		t.Errorf("the signed document has %d files; want 5", len(got))
	}
}
