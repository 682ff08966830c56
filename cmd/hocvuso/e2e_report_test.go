package main

// End-to-end specs of the focal points' report conversation (issue 4)
// through `serve`, its webhook and the fake Bot API: the embedded plan-2025
// form filled in with every type of field, a wrong value of each, a skip,
// back, a Redis flush, attachments downloaded from the fake Bot API through
// the configured API URL, the review, a change, submit and receipt; the
// official told; an amendment and the version history; two focal points of
// one unit at once. The flow's details are specified in flows/report.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// fileUpdate is a document sent by the user of chat.
func fileUpdate(chat int64, fileID, name, mime string, size int64) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": updateID(), "date": time.Now().Unix(), "from": from(chat, "vi"), "chat": privateChat(chat),
		"document": map[string]any{"file_id": fileID, "file_unique_id": "u" + fileID, "file_name": name, "mime_type": mime, "file_size": size},
	}}
}

// photoUpdate is a photo sent by the user of chat, in two sizes.
func photoUpdate(chat int64, fileID string, size int64) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": updateID(), "date": time.Now().Unix(), "from": from(chat, "vi"), "chat": privateChat(chat),
		"photo": []map[string]any{
			{"file_id": "thumb" + fileID, "file_unique_id": "t" + fileID, "width": 90, "height": 60, "file_size": 900},
			{"file_id": fileID, "file_unique_id": "u" + fileID, "width": 1280, "height": 853, "file_size": size},
		},
	}}
}

// reply says text in chat and returns every message sent in answer.
func (s *served) reply(chat int64, text string) string {
	s.t.Helper()
	before := len(s.fake.MessagesTo(chat))
	s.say(chat, text)
	return s.newSince(chat, before)
}

// choose taps the button containing label on the latest message with
// buttons and returns every message sent in answer (edits included).
func (s *served) choose(chat int64, label string) string {
	s.t.Helper()
	before := len(s.fake.MessagesTo(chat))
	edits := s.fake.Calls("editMessageText")
	s.press(chat, s.lastWithButtons(chat), label)
	out := s.newSince(chat, before)
	for _, c := range s.fake.Calls("editMessageText")[len(edits):] {
		out += "\n" + c.Params["text"]
	}
	return out
}

// send delivers an update and returns every message sent in answer.
func (s *served) send(chat int64, update map[string]any) string {
	s.t.Helper()
	before := len(s.fake.MessagesTo(chat))
	if status := s.deliver(update); status != 200 {
		s.t.Fatalf("webhook status %d; log:\n%s", status, s.stderr.String())
	}
	return s.newSince(chat, before)
}

func (s *served) newSince(chat int64, before int) string {
	var out []string
	for _, m := range s.fake.MessagesTo(chat)[before:] {
		out = append(out, m.Text)
	}
	return strings.Join(out, "\n")
}

// told waits for the message that reaches chat after its first before
// ones unasked (an official's notice, which serve's scheduler sends) and
// returns it; a second one fails the test.
func (s *served) told(chat int64, before int) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(s.fake.MessagesTo(chat)) <= before {
		if time.Now().After(deadline) {
			s.t.Fatalf("nothing reached %d within 20 s; log:\n%s", chat, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	msgs := s.fake.MessagesTo(chat)[before:]
	if len(msgs) != 1 {
		s.t.Errorf("%d messages reached %d; want 1", len(msgs), chat)
	}
	return msgs[0].Text
}

func has(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Fatalf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// reportServe is serve with two units, a focal point of the department and
// an official who reads English.
func reportServe(t *testing.T) (s *served, focal, official int64) {
	t.Helper()
	// Rules without quiet hours: the officials' notices go at any hour.
	s = startServe(t, true, map[string]string{"REMINDER_RULES": rulesFile(t)})
	ctx := context.Background()
	if _, _, err := s.db.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	focal, official = 8101, 8102
	if _, err := s.db.GrantRole(ctx, s.join(focal), store.RoleFocal, "SNV", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	oid := s.join(official)
	if err := s.db.SetLanguage(ctx, oid, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.GrantRole(ctx, oid, store.RoleOfficial, "", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	return s, focal, official
}

// planLate is how many days after the plan's due date for departments a
// report sent now is.
func planLate() int {
	return store.DaysLate(time.Date(2025, 6, 30, 0, 0, 0, 0, config.Location), time.Now())
}

func TestServeReport_FullReportAmendAndOfficial(t *testing.T) {
	t.Parallel()
	s, u, official := reportServe(t)
	pdf := append([]byte("%PDF-1.4\n"), make([]byte, 3000)...)
	docx := append([]byte("PK\x03\x04"), make([]byte, 2000)...)
	jpeg := append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, 5000)...)
	xlsx := append([]byte("PK\x03\x04"), make([]byte, 1000)...)

	has(t, "/report", s.reply(u, "/report"), "Sở Nội vụ", planName, "Hạn: 30/06/2025", "quá hạn")
	r := s.choose(u, planName)
	has(t, "the first question", r, "Có 17 câu hỏi", "Câu 1/17", "Loại văn bản triển khai")

	// choice
	has(t, "a wrong choice", s.reply(u, "9"), "gõ số thứ tự từ 1 đến 4", "Câu 1/17")
	has(t, "the text question", s.choose(u, "Kế hoạch"), "Câu 2/17")
	// text
	has(t, "too long a number", s.reply(u, strings.Repeat("KH-", 20)), "Câu trả lời dài 60 ký tự")
	has(t, "the date question", s.reply(u, "25/KH-SNV"), "Câu 3/17")
	// date
	has(t, "30 February", s.reply(u, "30/2/2025"), "Không có ngày này")
	has(t, "the optional text", s.reply(u, "27/6/2025"), "Câu 4/17", "(không bắt buộc)")
	// skip
	has(t, "the yes/no question", s.choose(u, "Bỏ qua"), "Câu 5/17")
	// yes/no
	has(t, "neither", s.reply(u, "chắc vậy"), "Có hoặc Không")
	has(t, "the launch date", s.choose(u, "Có"), "Câu 6/17")
	// back, and keep
	has(t, "back", s.choose(u, "Quay lại"), "Câu 5/17", "Câu trả lời đã lưu: Có")
	has(t, "kept", s.choose(u, "Giữ nguyên"), "Câu 6/17")
	s.reply(u, "1/7/2025")

	// Redis is flushed: /report goes on at the first unanswered field.
	s.redis.Flush(t)
	has(t, "after the flush", s.reply(u, "/report"), "Tiếp tục bản nháp", "Câu 7/17")
	// number
	has(t, "a negative number", s.reply(u, "-5"), "từ 0 đến 1.000.000")
	has(t, "the first long text", s.reply(u, "1.250 lượt"), "Câu 8/17")
	// long text
	has(t, "too long a text", s.reply(u, strings.Repeat("Tuyên truyền. ", 120)), "tối đa 1.500 ký tự")
	has(t, "the percentage", s.reply(u, "Tuyên truyền trên cổng thông tin.\nHọp toàn cơ quan."), "Câu 9/17")
	// percent
	has(t, "over 100%", s.reply(u, "120%"), "từ 0 đến 100")
	s.reply(u, "85,5")
	for range 7 { // b to g: optional
		s.choose(u, "Bỏ qua")
	}
	has(t, "the file question", s.lastWithButtons(u).Text, "Câu 17/17", "PDF, Word, JPG, PNG")

	// file: text, a type the field does not take, a file too large, then
	// a PDF, a Word file and a photo.
	has(t, "text for a file", s.reply(u, "đã gửi"), "Câu này cần một tệp")
	getFiles := len(s.fake.Calls("getFile"))
	has(t, "an Excel file", s.send(u, fileUpdate(u, s.fake.PutFile("Số liệu.xlsx", xlsx), "Số liệu.xlsx",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", int64(len(xlsx)))), "Tôi không nhận loại tệp này")
	has(t, "a 30 MB file", s.send(u, fileUpdate(u, s.fake.PutFile("Kế hoạch.pdf", pdf), "Kế hoạch.pdf", "application/pdf", 30<<20)),
		"Tệp này nặng 30 MB")
	if n := len(s.fake.Calls("getFile")) - getFiles; n != 0 {
		t.Errorf("%d refused files were fetched", n)
	}
	has(t, "a PDF", s.send(u, fileUpdate(u, s.fake.PutFile("Kế hoạch 25.pdf", pdf), "Kế hoạch 25.pdf", "application/pdf", int64(len(pdf)))),
		"Đã nhận tệp Kế hoạch 25.pdf")
	has(t, "a Word file", s.send(u, fileUpdate(u, s.fake.PutFile("Kế hoạch 25.docx", docx), "Kế hoạch 25.docx",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", int64(len(docx)))), "Đã nhận tệp Kế hoạch 25.docx")
	has(t, "a photo", s.send(u, photoUpdate(u, s.fake.PutFile("", jpeg), int64(len(jpeg)))), "Đã nhận tệp anh-1.jpg")
	if n := len(s.fake.Calls("getFile")) - getFiles; n != 3 {
		t.Errorf("%d files fetched; want 3", n)
	}

	// The review, a change, submit.
	r = s.choose(u, "Xong")
	has(t, "the review", r, "Xem lại báo cáo", "1. Loại văn bản triển khai\nKế hoạch", "2. Số, ký hiệu văn bản\n25/KH-SNV",
		"\n(bỏ qua)", "27/06/2025", "1.250 lượt", "85,5%", "Kế hoạch 25.pdf, Kế hoạch 25.docx, anh-1.jpg")
	has(t, "a change", s.choose(u, "✏️ 2"), "Câu 2/17", "Câu trả lời đã lưu: 25/KH-SNV")
	has(t, "back to the review", s.reply(u, "26/KH-SNV"), "Xem lại báo cáo", "26/KH-SNV")
	late := planLate()
	before := len(s.fake.MessagesTo(official))
	r = s.choose(u, "Gửi báo cáo")
	has(t, "the receipt", r, "Đã nhận báo cáo", "Số biên nhận: plan-2025-0001.1", fmt.Sprintf("Trễ %d ngày so với hạn.", late))
	has(t, "the official's message", s.told(official, before), "New report", "Sở Nội vụ", "2025 implementation plan", "plan-2025-0001.1",
		fmt.Sprintf("%d days after the due date.", late))

	var stored int
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM report_attachments WHERE size > 0`).Scan(&stored); err != nil || stored != 3 {
		t.Errorf("%d attachments stored (%v); want 3", stored, err)
	}

	// Amend from /status: a reason, a change, a new version.
	has(t, "/status", s.reply(u, "/status"), "đã gửi trễ", "plan-2025-0001.1")
	has(t, "the report", s.choose(u, planName), "Phiên bản 1 · biên nhận plan-2025-0001.1")
	has(t, "the reason", s.choose(u, "Sửa đổi báo cáo"), "Vì sao bạn sửa đổi báo cáo?")
	has(t, "the amendment", s.reply(u, "Sửa số văn bản"), "Sửa đổi phiên bản 1. Lý do: Sửa số văn bản", "26/KH-SNV")
	s.choose(u, "✏️ 2")
	s.reply(u, "27/KH-SNV")
	before = len(s.fake.MessagesTo(official))
	// How late the report is, is the first submission's.
	has(t, "the amendment's receipt", s.choose(u, "Gửi báo cáo"), "plan-2025-0001.2", "phiên bản 2. Lý do: Sửa số văn bản",
		fmt.Sprintf("Lần gửi đầu trễ %d ngày so với hạn.", late))
	has(t, "the official's second message", s.told(official, before), "Report amended (version 2)", "Reason: Sửa số văn bản", "plan-2025-0001.2",
		fmt.Sprintf("First sent %d days after the due date.", late))
	// The scheduler marks a delivery sent after Telegram answered, so the
	// row may lag the message the official already has.
	waitUntil(t, 10*time.Second, "both notices marked sent", func() bool {
		return s.count(`SELECT count(*) FROM deliveries WHERE kind = 'report' AND state = 'sent'`) == 2
	})
	versions, err := s.db.ReportVersions(context.Background(), "SNV", "plan-2025")
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions %+v, %v", versions, err)
	}
	if !strings.Contains(string(versions[0].Answers), "26/KH-SNV") || !strings.Contains(string(versions[1].Answers), "27/KH-SNV") {
		t.Errorf("version answers: %s / %s", versions[0].Answers, versions[1].Answers)
	}
	has(t, "the history", s.reply(u, "/status")+s.choose(u, planName), "đã sửa đổi (phiên bản 2)",
		"Phiên bản 1 · biên nhận plan-2025-0001.1", "Phiên bản 2 · biên nhận plan-2025-0001.2", "Lý do sửa đổi: Sửa số văn bản")
	// What was sent: version 2's answers, files by name, then Amend.
	sent := s.choose(u, "Xem nội dung đã gửi")
	has(t, "what was sent", sent, "Nội dung báo cáo đã gửi", "Phiên bản 2 · biên nhận plan-2025-0001.2",
		"Lý do sửa đổi: Sửa số văn bản", "2. Số, ký hiệu văn bản\n27/KH-SNV", "\n(bỏ qua)", "1.250 lượt",
		"Kế hoạch 25.pdf, Kế hoạch 25.docx, anh-1.jpg")
	if strings.Contains(sent, "26/KH-SNV") {
		t.Errorf("what was sent shows version 1:\n%s", sent)
	}
	has(t, "Amend after what was sent", s.choose(u, "Sửa đổi báo cáo"), "Vì sao bạn sửa đổi báo cáo?")
}

// Two focal points of one unit answer the same question at once: one is
// saved, the other is shown it and chooses.
func TestServeReport_TwoFocalPointsAtOnce(t *testing.T) {
	t.Parallel()
	s, a, _ := reportServe(t)
	const b = 8103
	if _, err := s.db.GrantRole(context.Background(), s.join(b), store.RoleFocal, "SNV", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	s.reply(a, "/report")
	s.choose(a, planName)
	has(t, "B joins", s.reply(b, "/report"), "Tiếp tục bản nháp", "Câu 1/17")
	s.choose(a, "Quyết định")
	r := s.choose(b, "Công văn")
	has(t, "B's conflict", r, "vừa trả lời câu này trước bạn", "Câu trả lời đã lưu: Quyết định", "Câu trả lời của bạn: Công văn")
	has(t, "B's own", s.choose(b, "Thay bằng câu trả lời của tôi"), "Câu 2/17")
	d, ok, err := s.db.Draft(context.Background(), "SNV", "plan-2025")
	if err != nil || !ok || !strings.Contains(string(d.Answers["doc_kind"]), "letter") {
		t.Fatalf("draft %+v %v %v", d.Answers, ok, err)
	}
}

// A focal point on Zalo sends a report with a file and a photo fetched from
// Zalo's file URLs; the official, on Telegram, is told through the Bot API
// by serve's scheduler.
func TestServeReport_ZaloFocalPointTelegramOfficial(t *testing.T) {
	t.Parallel()
	tg := fakeapi.Start(testToken)
	t.Cleanup(tg.Close)
	s := startZaloServe(t, nil, map[string]string{"TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": tg.URL, "REMINDER_RULES": rulesFile(t)})
	ctx := context.Background()
	const user = "7001000000000000777"
	s.focalOfSNV(user)
	official, err := s.db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: "8201", ChatID: "8201",
		DisplayName: "Quàng Văn Minh", Language: "vi", ConsentVersion: "test", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.GrantRole(ctx, official, store.RoleOfficial, "", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	say := func(text string) { s.deliver(s.fake.TextEvent(user, text)) }
	lastZ := func() string { texts := s.fake.Texts(user); return texts[len(texts)-1] }

	say("/report")
	s.tap(user, planName)
	s.tap(user, "Kế hoạch")
	say("25/KH-SNV")
	say("27/6/2025")
	s.tap(user, "Bỏ qua")
	s.tap(user, "Có")
	say("1/7/2025")
	say("12")
	say("Tuyên truyền trên cổng thông tin.")
	say("80")
	for range 7 {
		s.tap(user, "Bỏ qua")
	}
	has(t, "the file question on Zalo", lastZ(), "Câu 17/17")
	pdf := append([]byte("%PDF-1.4\n"), make([]byte, 3000)...)
	s.deliver(s.fake.FileEvent(user, "Kế hoạch 25.pdf", pdf))
	has(t, "the PDF", strings.Join(s.fake.Texts(user), "\n"), "Đã nhận tệp Kế hoạch 25.pdf")
	s.deliver(s.fake.ImageEvent(user, append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, 4000)...), "Ảnh lễ phát động"))
	has(t, "the photo", strings.Join(s.fake.Texts(user), "\n"), "Đã nhận tệp anh-1.jpg")
	s.tap(user, "Xong")
	s.choose(user, "Gửi báo cáo")
	has(t, "the receipt on Zalo", strings.Join(s.fake.Texts(user), "\n"), "Số biên nhận: plan-2025-0001.1")

	ctxW, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := tg.WaitFor(ctxW, func(calls []fakeapi.Call) bool {
		for _, c := range calls {
			// Status is set once the fake has kept the message.
			if c.Method == "sendMessage" && c.ChatID() == 8201 && c.Status == http.StatusOK {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the official on Telegram was not told: %v", err)
	}
	msgs := tg.MessagesTo(8201)
	has(t, "the official's message on Telegram", msgs[len(msgs)-1].Text, "Báo cáo mới", "Sở Nội vụ", "plan-2025-0001.1")
	var files int
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM report_attachments`).Scan(&files); err != nil || files != 2 {
		t.Errorf("%d attachments stored (%v); want 2", files, err)
	}
}
