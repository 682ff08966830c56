package zalo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/locales"
)

const user = "7001000000000000001"

type fixture struct {
	fake    *fakezalo.Server
	client  *zalo.Client
	choices *zalo.MemoryChoices
	tokens  *zalo.MemoryTokens
	mu      sync.Mutex
	slept   []time.Duration
	log     *bytes.Buffer
}

func (f *fixture) sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

func newFixture(t *testing.T, mod func(*zalo.Config)) *fixture {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{fake: fakezalo.Start(fakezalo.Config{}), choices: &zalo.MemoryChoices{}, tokens: &zalo.MemoryTokens{}, log: &bytes.Buffer{}}
	t.Cleanup(f.fake.Close)
	cfg := f.fake.Config()
	zc := zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: f.fake.URL, OAuthURL: f.fake.URL,
		Tokens: f.tokens, Choices: f.choices, Text: cat, Log: slog.New(slog.NewTextHandler(&syncWriter{w: f.log}, nil)),
		Sleep: func(_ context.Context, d time.Duration) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.slept = append(f.slept, d)
			return nil
		}}
	if mod != nil {
		mod(&zc)
	}
	if f.client, err = zalo.New(zc); err != nil {
		t.Fatal(err)
	}
	if seeded, err := f.client.Seed(context.Background(), f.fake.Grant()); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	return f
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func target(lang string) bot.Target { return bot.Target{Channel: bot.Zalo, ChatID: user, Lang: lang} }

func (f *fixture) send(t *testing.T, r bot.Reply) {
	t.Helper()
	if err := f.client.Send(context.Background(), target("vi"), r); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) list(t *testing.T) []string {
	t.Helper()
	l, err := f.choices.Choices(context.Background(), bot.ChatKey{Channel: bot.Zalo, ChatID: user})
	if err != nil {
		t.Fatal(err)
	}
	return l.Data
}

// turn is the target of the replies to update id of the conversation, on
// screen.
func turn(id string, screen int) bot.Target {
	t := target("vi")
	t.UpdateID, t.Screen = id, screen
	return t
}

func (f *fixture) sendTo(t *testing.T, to bot.Target, r bot.Reply) {
	t.Helper()
	if err := f.client.Send(context.Background(), to, r); err != nil {
		t.Fatal(err)
	}
}

func buttons(labels ...string) [][]bot.Button {
	var rows [][]bot.Button
	for i, l := range labels {
		rows = append(rows, []bot.Button{{Label: l, Data: "home|pick|3|" + string(rune('a'+i))}})
	}
	return rows
}

func TestSendText(t *testing.T) {
	f := newFixture(t, nil)
	f.send(t, bot.Reply{Text: "Xin chào"})
	f.send(t, bot.Reply{Text: "Lần hai"})
	msgs := f.fake.MessagesTo(user)
	if len(msgs) != 2 || msgs[0].Text != "Xin chào" || msgs[1].Text != "Lần hai" || len(msgs[0].Buttons) != 0 {
		t.Fatalf("messages %+v", msgs)
	}
	// The first send obtained the access token; the second reused it.
	if n := f.fake.RefreshCalls(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	// Nothing to send, nothing sent.
	f.send(t, bot.Reply{Text: "  \n "})
	if n := len(f.fake.Calls("message/cs")); n != 2 {
		t.Errorf("%d calls after an empty reply", n)
	}
	if err := f.client.Send(context.Background(), bot.Target{Channel: bot.Zalo}, bot.Reply{Text: "x"}); err == nil {
		t.Error("a reply without user id was accepted")
	}
}

func TestSendSplitsLongTextOnWords(t *testing.T) {
	f := newFixture(t, nil)
	para := strings.Repeat("Bình dân học vụ số giúp mọi người dùng điện thoại an toàn. ", 30) // ~1,770 characters
	text := para + "\n" + para + "\n" + para
	f.send(t, bot.Reply{Text: text, Buttons: buttons("Tiếp", "Dừng")})
	msgs := f.fake.MessagesTo(user)
	if len(msgs) < 3 {
		t.Fatalf("%d messages for %d characters", len(msgs), utf8.RuneCountInString(text))
	}
	var words []string
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Text); n > 2000 || n < 500 {
			t.Errorf("part %d has %d characters", i, n)
		}
		if (len(m.Buttons) > 0) != (i == len(msgs)-1) {
			t.Errorf("part %d has %d buttons; only the last has them", i, len(m.Buttons))
		}
		words = append(words, strings.Fields(m.Text)...)
	}
	// No word was cut or lost.
	if strings.Join(words, " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("the parts do not hold the text's words")
	}

	// A word longer than a message is cut; emoji count twice (UTF-16), so
	// no part can exceed Zalo's 2,000 whichever way it counts.
	f2 := newFixture(t, nil)
	f2.send(t, bot.Reply{Text: strings.Repeat("a", 4500)})
	f2.send(t, bot.Reply{Text: strings.Repeat("👍🏽", 1200)})
	for _, m := range f2.fake.MessagesTo(user) {
		if n := len([]rune(m.Text)); n > 2000 {
			t.Errorf("part of %d characters", n)
		}
	}
	if n := len(f2.fake.MessagesTo(user)); n != 3+3 {
		t.Errorf("%d parts, want 3 for the long word and 3 for the emoji", n)
	}
}

func TestSendButtons(t *testing.T) {
	f := newFixture(t, nil)
	long := strings.Repeat("Rất dài ", 20)
	f.send(t, bot.Reply{Text: "Bạn đồng ý không?", Buttons: [][]bot.Button{
		{{Label: "✅ Tôi đồng ý", Data: "home|agree|1|"}, {Label: "Không", Data: "home|decline|1|"}},
		{{Label: long, Data: "home|lang|1|en"}},
	}})
	m, ok := f.fake.LastWithButtons(user)
	if !ok || len(m.Buttons) != 3 {
		t.Fatalf("message %+v", m)
	}
	want := []fakezalo.Button{
		{Title: "✅ Tôi đồng ý", Type: "oa.query.hide", Payload: "#cb:home|agree|1|"},
		{Title: "Không", Type: "oa.query.hide", Payload: "#cb:home|decline|1|"},
	}
	for i, w := range want {
		if m.Buttons[i] != w {
			t.Errorf("button %d = %+v, want %+v", i, m.Buttons[i], w)
		}
	}
	if n := utf8.RuneCountInString(m.Buttons[2].Title); n != 100 || !strings.HasSuffix(m.Buttons[2].Title, "…") {
		t.Errorf("long title of %d characters: %q", n, m.Buttons[2].Title)
	}
	// Tapping one comes back, through Decode, as the button's data.
	u, err := zalo.Decode(f.fake.TapEvent(user, m.Buttons[0].Payload))
	if err != nil || u.Kind != bot.KindCallback || u.Data != "home|agree|1|" {
		t.Fatalf("tap decoded as %+v, %v", u, err)
	}
	// Edit in place does not exist: a new message.
	f.send(t, bot.Reply{Text: "Đã sửa", Edit: true})
	if n := len(f.fake.MessagesTo(user)); n != 2 {
		t.Errorf("%d messages after an edit, want 2", n)
	}
}

func TestSendMoreThanFiveButtonsAsANumberedList(t *testing.T) {
	f := newFixture(t, nil)
	f.send(t, bot.Reply{Text: "📋 Bạn muốn làm gì?", Buttons: buttons("⚡ Kiểm tra nhanh", "👤 Hồ sơ", "🏆 Bảng xếp hạng", "❓ Trợ giúp", "🌐 Ngôn ngữ", "🔒 Dữ liệu của tôi")})
	msgs := f.fake.MessagesTo(user)
	if len(msgs) != 1 || len(msgs[0].Buttons) != 0 {
		t.Fatalf("messages %+v", msgs)
	}
	want := "📋 Bạn muốn làm gì?\n\n1. ⚡ Kiểm tra nhanh\n2. 👤 Hồ sơ\n3. 🏆 Bảng xếp hạng\n4. ❓ Trợ giúp\n5. 🌐 Ngôn ngữ\n6. 🔒 Dữ liệu của tôi\n\n✍️ Gõ một số từ 1 đến 6 rồi gửi để chọn."
	if msgs[0].Text != want {
		t.Errorf("text\n%s\nwant\n%s", msgs[0].Text, want)
	}
	if l := f.list(t); len(l) != 6 || l[1] != "home|pick|3|b" {
		t.Fatalf("list remembered %v", l)
	}

	// In English for an English conversation.
	if err := f.client.Send(context.Background(), target("en"), bot.Reply{Text: "Menu", Buttons: buttons("a", "b", "c", "d", "e", "f", "g")}); err != nil {
		t.Fatal(err)
	}
	if last := f.fake.Texts(user); !strings.HasSuffix(last[len(last)-1], "type a number from 1 to 7 and send it.") {
		t.Errorf("English list: %q", last[len(last)-1])
	}
}

// The list stands while the conversation stays on its screen: a reply
// there without buttons (a hint about the list) or with real ones keeps
// it. A reply on another screen forgets it, buttons or not: a number
// typed there is text. A message outside the conversation (a notice)
// leaves it alone.
func TestSendTheListStandsWhileItsScreenDoes(t *testing.T) {
	f := newFixture(t, nil)
	menu := buttons("a", "b", "c", "d", "e", "f")
	f.sendTo(t, turn("u1", 4), bot.Reply{Text: "Menu", Buttons: menu})
	f.sendTo(t, turn("u2", 4), bot.Reply{Text: "👆 Bạn hãy chọn một mục ở tin nhắn phía trên."})
	f.sendTo(t, turn("u3", 4), bot.Reply{Text: "Có hay không?", Buttons: buttons("Có", "Không")})
	f.send(t, bot.Reply{Text: "⏰ Nhắc việc", Buttons: buttons("Mở")})
	if l := f.list(t); len(l) != 6 {
		t.Fatalf("list %v, want the menu's still", l)
	}
	f.sendTo(t, turn("u4", 5), bot.Reply{Text: "Gõ tên của bạn"})
	if l := f.list(t); l != nil {
		t.Errorf("list kept after a reply on another screen: %v", l)
	}
	f.sendTo(t, turn("u5", 6), bot.Reply{Text: "Menu", Buttons: menu})
	f.sendTo(t, turn("u6", 7), bot.Reply{Text: "Có hay không?", Buttons: buttons("Có", "Không")})
	if l := f.list(t); l != nil {
		t.Errorf("list kept after real buttons on another screen: %v", l)
	}
	// A list shown again is numbered from 1 again.
	f.sendTo(t, turn("u7", 8), bot.Reply{Text: "Menu", Buttons: menu})
	f.sendTo(t, turn("u8", 8), bot.Reply{Text: "Menu", Buttons: menu})
	if l := f.list(t); len(l) != 6 || !strings.Contains(f.fake.Texts(user)[len(f.fake.Texts(user))-1], "\n1. a\n") {
		t.Errorf("the menu shown again: list %v, text %q", l, f.fake.Texts(user))
	}
}

// The lists of one update's replies (a review in parts) are numbered as
// one: on from part to part, the instruction naming the highest number so
// far, and all remembered. A part sent again (a retry) keeps its numbers.
func TestSendThePartsOfOneUpdateAreNumberedOn(t *testing.T) {
	f := newFixture(t, nil)
	first := [][]bot.Button{{{Label: "✏️ 1", Data: "report|edit|9|a"}, {Label: "✏️ 2", Data: "report|edit|9|b"}, {Label: "✏️ 3", Data: "report|edit|9|c"},
		{Label: "✏️ 4", Data: "report|edit|9|d"}, {Label: "✏️ 5", Data: "report|edit|9|e"}, {Label: "✏️ 6", Data: "report|edit|9|f"}}}
	second := [][]bot.Button{{{Label: "✏️ 7", Data: "report|edit|9|g"}, {Label: "✏️ 8", Data: "report|edit|9|h"}, {Label: "✏️ 9", Data: "report|edit|9|i"},
		{Label: "✏️ 10", Data: "report|edit|9|j"}, {Label: "✏️ 11", Data: "report|edit|9|k"}}, {{Label: "📤 Gửi", Data: "report|submit|9|"}}}
	f.sendTo(t, turn("u1", 9), bot.Reply{Text: "Phần 1", Buttons: first})
	f.sendTo(t, turn("u1", 9), bot.Reply{Text: "Phần 2", Buttons: second})
	f.sendTo(t, turn("u1", 9), bot.Reply{Text: "Phần 2", Buttons: second}) // a retry
	texts := f.fake.Texts(user)
	if want := "Phần 1\n\n1. ✏️ 1\n2. ✏️ 2\n3. ✏️ 3\n4. ✏️ 4\n5. ✏️ 5\n6. ✏️ 6\n\n✍️ Gõ một số từ 1 đến 6 rồi gửi để chọn."; texts[0] != want {
		t.Errorf("first part\n%s\nwant\n%s", texts[0], want)
	}
	want := "Phần 2\n\n7. ✏️ 7\n8. ✏️ 8\n9. ✏️ 9\n10. ✏️ 10\n11. ✏️ 11\n12. 📤 Gửi\n\n✍️ Gõ một số từ 1 đến 12 rồi gửi để chọn."
	if texts[1] != want || texts[2] != want {
		t.Errorf("second part, and sent again\n%s\n%s\nwant\n%s", texts[1], texts[2], want)
	}
	l := f.list(t)
	if len(l) != 12 || l[1] != "report|edit|9|b" || l[11] != "report|submit|9|" {
		t.Errorf("list remembered %v", l)
	}
	// The next update's list starts from 1.
	f.sendTo(t, turn("u2", 9), bot.Reply{Text: "Phần 2", Buttons: second})
	if l := f.list(t); len(l) != 6 || l[0] != "report|edit|9|g" {
		t.Errorf("the next update's list %v", l)
	}
}

// Buttons numbered already (the periods of /report: "1. Kế hoạch năm
// 2025") are listed with the list's number alone: not "1. 1. Kế hoạch…",
// nor, numbered on, "7. 1. …". Other labels stay as they are.
func TestSendNumberedLabelsAreNotNumberedTwice(t *testing.T) {
	f := newFixture(t, nil)
	periods := buttons("1. Kế hoạch năm 2025", "2. Báo cáo năm 2025", "3. Báo cáo năm 2026", "4. Báo cáo năm 2027", "5. Sơ kết 2027", "🏠 Về menu")
	f.sendTo(t, turn("u1", 3), bot.Reply{Text: "🏢 Sở Nội vụ", Buttons: periods})
	commune := buttons("1. Kế hoạch năm 2025", "2. Báo cáo năm 2025", "3. Báo cáo năm 2026", "4. Báo cáo năm 2027", "5. Sơ kết 2027", "6. Báo cáo năm 2028")
	for _, row := range commune {
		row[0].Data = "report|open|1|" + row[0].Label
	}
	f.sendTo(t, turn("u1", 3), bot.Reply{Text: "🏢 UBND xã Chiềng Cơi", Buttons: commune})
	f.sendTo(t, turn("u2", 4), bot.Reply{Text: "Chọn", Buttons: buttons("2025", "1.5 lần", "10.", "3. ", "✏️ 1", "12. 12. Mười hai")})
	texts := f.fake.Texts(user)
	if want := "🏢 Sở Nội vụ\n\n1. Kế hoạch năm 2025\n2. Báo cáo năm 2025\n3. Báo cáo năm 2026\n4. Báo cáo năm 2027\n5. Sơ kết 2027\n6. 🏠 Về menu\n\n✍️ Gõ một số từ 1 đến 6 rồi gửi để chọn."; texts[0] != want {
		t.Errorf("the periods\n%s\nwant\n%s", texts[0], want)
	}
	if want := "🏢 UBND xã Chiềng Cơi\n\n7. Kế hoạch năm 2025\n8. Báo cáo năm 2025\n9. Báo cáo năm 2026\n10. Báo cáo năm 2027\n11. Sơ kết 2027\n12. Báo cáo năm 2028\n\n✍️ Gõ một số từ 1 đến 12 rồi gửi để chọn."; texts[1] != want {
		t.Errorf("the periods numbered on\n%s\nwant\n%s", texts[1], want)
	}
	if want := "Chọn\n\n1. 2025\n2. 1.5 lần\n3. 10.\n4. 3.\n5. ✏️ 1\n6. 12. Mười hai\n\n✍️ Gõ một số từ 1 đến 6 rồi gửi để chọn."; texts[2] != want {
		t.Errorf("other labels\n%s\nwant\n%s", texts[2], want)
	}
}

type failingChoices struct{ zalo.MemoryChoices }

func (*failingChoices) PutChoices(context.Context, bot.ChatKey, zalo.List) error {
	return errors.New("redis down")
}

// The list is remembered before the message leaves; if it cannot be, the
// message is not sent (the engine retries), rather than show a list whose
// numbers would be read as text.
func TestSendListNotRememberedIsNotSent(t *testing.T) {
	f := newFixture(t, func(c *zalo.Config) { c.Choices = &failingChoices{} })
	err := f.client.Send(context.Background(), target("vi"), bot.Reply{Text: "Menu", Buttons: buttons("a", "b", "c", "d", "e", "f")})
	if err == nil || len(f.fake.MessagesTo(user)) != 0 {
		t.Fatalf("err %v, messages %+v", err, f.fake.MessagesTo(user))
	}
}

func TestSendDocument(t *testing.T) {
	f := newFixture(t, nil)
	pdf := []byte("%PDF-1.4 giấy chứng nhận")
	f.send(t, bot.Reply{Text: "🎉 Chúc mừng!", Document: &bot.Document{Name: "chung-nhan.pdf", MIME: "application/pdf", Bytes: pdf, Caption: "Giấy chứng nhận của bạn"},
		Buttons: buttons("⬅️ Về menu")})
	msgs := f.fake.MessagesTo(user)
	if len(msgs) != 3 {
		t.Fatalf("messages %+v", msgs)
	}
	if msgs[0].Text != "🎉 Chúc mừng!" || len(msgs[0].Buttons) != 0 {
		t.Errorf("first %+v", msgs[0])
	}
	if msgs[1].File == nil || msgs[1].File.Name != "chung-nhan.pdf" || !bytes.Equal(msgs[1].File.Bytes, pdf) || msgs[1].File.MIME != "application/pdf" {
		t.Errorf("file %+v", msgs[1].File)
	}
	if msgs[2].Text != "Giấy chứng nhận của bạn" || len(msgs[2].Buttons) != 1 {
		t.Errorf("caption %+v", msgs[2])
	}
	if n := len(f.fake.Calls("upload/file")); n != 1 {
		t.Errorf("%d uploads", n)
	}

	// A photo goes as an image; a document alone with its buttons gets a
	// text to carry them.
	f2 := newFixture(t, nil)
	f2.send(t, bot.Reply{Document: &bot.Document{Name: "anh.png", MIME: "image/png", Bytes: []byte("\x89PNG")}, Buttons: buttons("OK")})
	msgs = f2.fake.MessagesTo(user)
	if len(msgs) != 2 || msgs[0].Image == nil || msgs[1].Text != "anh.png" || len(msgs[1].Buttons) != 1 {
		t.Fatalf("messages %+v", msgs)
	}

	// Over Zalo's 5 MB: refused before anything is sent, its text included.
	before := len(f2.fake.MessagesTo(user))
	err := f2.client.Send(context.Background(), target("vi"), bot.Reply{Text: "Tệp của bạn", Document: &bot.Document{Name: "big.pdf", Bytes: make([]byte, 5<<20+1)}})
	if !errors.Is(err, zalo.ErrFileTooLarge) || !errors.Is(err, bot.ErrDocumentRefused) {
		t.Fatalf("err %v", err)
	}
	if n := len(f2.fake.Calls("upload/file")); n != 0 {
		t.Errorf("%d uploads of a file too large", n)
	}
	// An XLSX workbook: Zalo's upload/file takes PDF, DOC and DOCX only.
	err = f2.client.Send(context.Background(), target("vi"), bot.Reply{Text: "Bảng tổng hợp", Document: &bot.Document{Name: "bao-cao.xlsx",
		MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Bytes: []byte("PK\x03\x04"), Caption: "Kỳ 2025"}})
	if !errors.Is(err, zalo.ErrFileType) || !errors.Is(err, bot.ErrDocumentRefused) {
		t.Fatalf("XLSX: err %v", err)
	}
	if n := len(f2.fake.Calls("upload/file")); n != 0 {
		t.Errorf("%d uploads of an XLSX", n)
	}
	if got := f2.fake.MessagesTo(user)[before:]; len(got) != 0 {
		t.Errorf("parts of refused replies were sent: %+v", got)
	}
}

// CanSendDocument says beforehand what Send would refuse: flows ask it
// and offer a download link instead.
func TestCanSendDocument(t *testing.T) {
	f := newFixture(t, nil)
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	for _, c := range []struct {
		name, mime string
		size       int
		want       bool
	}{
		{"chung-nhan.pdf", "application/pdf", 200 << 10, true},
		{"chung-nhan.pdf", "application/pdf", 5 << 20, true},
		{"chung-nhan.pdf", "application/pdf", 5<<20 + 1, false},
		{"ke-hoach.doc", "application/msword", 10, true},
		{"ke-hoach.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 10, true},
		{"Kế hoạch.DOCX", "", 10, true},                       // no type: by its extension
		{"bao-cao.pdf", "application/octet-stream", 10, true}, // likewise
		{"bao-cao.pdf", "Application/PDF; charset=binary", 10, true},
		{"anh.png", "image/png", 1 << 20, true},
		{"anh.png", "image/png", 1<<20 + 1, false}, // too large for an image, not a file type
		{"anh.jpg", "", 100, true},
		{"bao-cao.xlsx", xlsx, 10, false},
		{"bao-cao.pdf", xlsx, 10, false}, // the type decides, not the name
		{"du-lieu.csv", "text/csv", 10, false},
		{"tep", "", 10, false},
	} {
		d := &bot.Document{Name: c.name, MIME: c.mime, Bytes: make([]byte, c.size)}
		if got := f.client.CanSendDocument(d); got != c.want {
			t.Errorf("%s (%q, %d bytes): %v; want %v", c.name, c.mime, c.size, got, c.want)
		}
		// Send agrees: what it cannot carry is refused, before any upload.
		err := f.client.Send(context.Background(), target("vi"), bot.Reply{Document: d})
		if refused := errors.Is(err, bot.ErrDocumentRefused); refused == c.want {
			t.Errorf("%s (%q, %d bytes): Send err %v", c.name, c.mime, c.size, err)
		}
	}
}

func TestSendErrorsAreClassified(t *testing.T) {
	cases := []struct {
		code    int
		blocked bool
		window  bool
		night   bool
	}{
		{fakezalo.NotFollowing, true, false, false},
		{fakezalo.Banned, true, false, false},
		{fakezalo.WindowClosed, false, true, false},
		{fakezalo.WindowExpired, false, true, false},
		{fakezalo.TooLong, false, false, false},
		{fakezalo.OutOfQuota, false, false, false},
		{fakezalo.NightTime, false, false, true},
	}
	for _, tc := range cases {
		f := newFixture(t, nil)
		f.fake.Fail(fakezalo.Fault{Path: "message/cs", Code: tc.code, Times: 1})
		err := f.client.Send(context.Background(), target("vi"), bot.Reply{Text: "x"})
		var ae *zalo.APIError
		if !errors.As(err, &ae) || ae.Code != tc.code {
			t.Errorf("%d: err %v", tc.code, err)
		}
		if errors.Is(err, bot.ErrBlocked) != tc.blocked || errors.Is(err, zalo.ErrWindowClosed) != tc.window || errors.Is(err, zalo.ErrNight) != tc.night {
			t.Errorf("%d: blocked %v window %v night %v: %v", tc.code, errors.Is(err, bot.ErrBlocked), errors.Is(err, zalo.ErrWindowClosed), errors.Is(err, zalo.ErrNight), err)
		}
		// Not retried: one call.
		if n := len(f.fake.Calls("message/cs")); n != 1 {
			t.Errorf("%d: %d calls", tc.code, n)
		}
	}
}

func TestSendBacksOffWhenRateLimited(t *testing.T) {
	f := newFixture(t, nil)
	f.fake.Fail(fakezalo.Fault{Path: "message/cs", Code: fakezalo.RateLimited, Times: 2})
	f.send(t, bot.Reply{Text: "sau khi chờ"})
	slept := f.sleeps()
	if len(slept) != 2 || slept[0] < time.Second || slept[1] < 2*time.Second || slept[1] > 3*time.Second {
		t.Fatalf("slept %v; want about 1 s then 2 s", slept)
	}
	if texts := f.fake.Texts(user); len(texts) != 1 {
		t.Fatalf("texts %v", texts)
	}
	// Rate limited for longer than MaxRetryWait (8 s): an error, after 1+2+4 s.
	f2 := newFixture(t, nil)
	f2.fake.Fail(fakezalo.Fault{Path: "message/cs", Code: fakezalo.RateLimited})
	err := f2.client.Send(context.Background(), target("vi"), bot.Reply{Text: "x"})
	var ae *zalo.APIError
	if !errors.As(err, &ae) || ae.Code != fakezalo.RateLimited {
		t.Fatalf("err %v", err)
	}
	if n := len(f2.sleeps()); n != 3 {
		t.Errorf("%d waits, want 3", n)
	}
}

// A token rejected mid-conversation is renewed once and the message sent.
func TestSendRenewsARejectedToken(t *testing.T) {
	f := newFixture(t, nil)
	f.send(t, bot.Reply{Text: "một"})
	f.fake.ExpireAccessTokens()
	f.send(t, bot.Reply{Text: "hai"})
	if texts := f.fake.Texts(user); len(texts) != 2 || texts[1] != "hai" {
		t.Fatalf("texts %v", texts)
	}
	if n := f.fake.RefreshCalls(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
	calls := f.fake.Calls("message/cs")
	if len(calls) != 3 || calls[1].Error != fakezalo.TokenInvalid || calls[2].AccessToken == calls[1].AccessToken {
		t.Errorf("calls %+v", calls)
	}

	// -220 too; and a token rejected again right after renewal is an
	// error, not a loop.
	f.fake.Fail(fakezalo.Fault{Path: "message/cs", Code: fakezalo.TokenExpired, Times: 2})
	err := f.client.Send(context.Background(), target("vi"), bot.Reply{Text: "ba"})
	var ae *zalo.APIError
	if !errors.As(err, &ae) || ae.Code != fakezalo.TokenExpired {
		t.Fatalf("err %v", err)
	}
	if n := f.fake.RefreshCalls(); n != 3 {
		t.Errorf("%d refreshes, want 3", n)
	}
}

// Many sends find the token expired at once: one refresh.
func TestConcurrentSendsRefreshOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.send(t, bot.Reply{Text: "khởi động"})
	f.fake.ExpireAccessTokens()
	f.fake.SetRefreshDelay(50 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.client.Send(context.Background(), target("vi"), bot.Reply{Text: "cùng lúc"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.fake.RefreshCalls(); n != 2 {
		t.Errorf("%d refreshes, want 2 (the first token, then one renewal)", n)
	}
}

func TestRefreshRefusedIsReported(t *testing.T) {
	f := newFixture(t, nil)
	f.fake.Fail(fakezalo.Fault{Path: "oauth", Code: fakezalo.OAuthBadGrant, Message: "Invalid refresh token"})
	err := f.client.Send(context.Background(), target("vi"), bot.Reply{Text: "x"})
	if !errors.Is(err, zalo.ErrGrantRefused) {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(f.log.String(), "must grant the app access again") {
		t.Errorf("no clear log line: %s", f.log.String())
	}
	// The stored refresh token is kept: the error may have been Zalo's.
	cur, _, _ := f.tokens.Load(context.Background())
	if cur.Refresh == "" {
		t.Error("refresh token dropped")
	}
}

func TestSeedOnlyWhenEmpty(t *testing.T) {
	fake := fakezalo.Start(fakezalo.Config{})
	defer fake.Close()
	cfg := fake.Config()
	var log bytes.Buffer
	tokens := &zalo.MemoryTokens{}
	c, err := zalo.New(zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: fake.URL, OAuthURL: fake.URL,
		Tokens: tokens, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Ready(ctx); !errors.Is(err, zalo.ErrNoGrant) {
		t.Fatalf("unseeded store: %v", err)
	}
	seed := fake.Grant()
	if seeded, err := c.Seed(ctx, seed); err != nil || !seeded {
		t.Fatalf("first seed: %v %v", seeded, err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	before, _, _ := tokens.Load(ctx)
	if before.Refresh == seed || before.Access == "" || before.SeedHash != zalo.SeedHash(seed) {
		t.Fatalf("after Ready: %+v", before)
	}
	// A restart with the same (now spent) seed: nothing changes, quietly.
	if seeded, err := c.Seed(ctx, seed); err != nil || seeded {
		t.Fatalf("seeded again: %v %v", seeded, err)
	}
	if log.Len() != 0 {
		t.Errorf("a restart logged: %s", log.String())
	}
	// Another seed is not used either, but said.
	if seeded, err := c.Seed(ctx, "RT-another"); err != nil || seeded {
		t.Fatalf("seeded %v, %v", seeded, err)
	}
	if after, _, _ := tokens.Load(ctx); after != before {
		t.Fatal("the stored pair changed")
	}
	if !strings.Contains(log.String(), "ZALO_REFRESH_TOKEN differs") {
		t.Errorf("no warning: %s", log.String())
	}
	if strings.Contains(log.String(), "RT-another") || strings.Contains(log.String(), before.Refresh) {
		t.Error("a token in the log")
	}
}

func TestAnswerShowsTheNoticeAsAMessage(t *testing.T) {
	f := newFixture(t, nil)
	tap := &bot.Update{Channel: bot.Zalo, ChatID: user, UserID: user, Kind: bot.KindCallback, CallbackID: "m1", Data: "x|y|1|"}
	if err := f.client.Answer(context.Background(), tap, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.client.Answer(context.Background(), &bot.Update{Channel: bot.Zalo, ChatID: user, Kind: bot.KindText}, "x"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.fake.Calls("")); n != 0 {
		t.Fatalf("%d calls for nothing to show", n)
	}
	if err := f.client.Answer(context.Background(), tap, "Nút này đã cũ."); err != nil {
		t.Fatal(err)
	}
	if texts := f.fake.Texts(user); len(texts) != 1 || texts[0] != "Nút này đã cũ." {
		t.Fatalf("texts %v", texts)
	}
}

func TestDownloadFile(t *testing.T) {
	f := newFixture(t, nil)
	data := bytes.Repeat([]byte("báo cáo;"), 100)
	u, err := zalo.Decode(f.fake.FileEvent(user, "bao-cao.csv", data))
	if err != nil || u.Kind != bot.KindFile || u.File.Name != "bao-cao.csv" || u.File.Size != int64(len(data)) || u.File.MIME != "text/csv" {
		t.Fatalf("decoded %+v %v", u, err)
	}
	got, err := f.client.DownloadFile(context.Background(), u.File.ID, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download: %v", err)
	}
	if _, err := f.client.DownloadFile(context.Background(), u.File.ID, 10); !errors.Is(err, zalo.ErrFileTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := f.client.DownloadFile(context.Background(), "file:///etc/passwd", 10); err == nil {
		t.Error("a file: URL was fetched")
	}
	if _, err := f.client.DownloadFile(context.Background(), f.fake.URL+"/_fake/files/none", 10); err == nil {
		t.Error("a missing file was fetched")
	}
}

// Answers that are not Zalo's (a proxy's error page) are errors with their
// status; no secret reaches an error text.
func TestSendHTTPErrors(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.client.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v4/oa/access_token" {
			f.fake.ServeHTTP(w, r)
			return
		}
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer proxy.Close()
	cfg := f.fake.Config()
	c, err := zalo.New(zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: proxy.URL, OAuthURL: proxy.URL, Tokens: f.tokens})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Send(context.Background(), target("vi"), bot.Reply{Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), cfg.AppSecret) {
		t.Error("secret in the error")
	}
	if _, err := zalo.New(zalo.Config{AppID: "1", AppSecret: "s", APIURL: "ftp://x", Tokens: f.tokens}); err == nil {
		t.Error("ftp API URL accepted")
	}
}

// A review too long for one Zalo message is cut between its answers,
// never between a question and its answer; and its numbered list comes
// whole, with the instruction to type a number, never cut from it.
func TestSendCutsBetweenAnswersAndKeepsTheListWhole(t *testing.T) {
	f := newFixture(t, nil)
	edits := buttons("✏️ 1", "✏️ 2", "✏️ 3", "✏️ 4", "✏️ 5", "✏️ 6", "📤 Gửi báo cáo")
	list := "1. ✏️ 1\n2. ✏️ 2\n3. ✏️ 3\n4. ✏️ 4\n5. ✏️ 5\n6. ✏️ 6\n7. 📤 Gửi báo cáo\n\n✍️ Gõ một số từ 1 đến 7 rồi gửi để chọn."
	item := regexp.MustCompile(`^[0-9]+\. `)
	for n := 20; n <= 40; n++ {
		for pad := 0; pad < 80; pad += 4 {
			var b strings.Builder
			b.WriteString("📋 Xem lại báo cáo trước khi gửi" + strings.Repeat(".", pad))
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "\n\n%d. Số lớp bồi dưỡng, hướng dẫn kỹ năng số đã tổ chức trong năm\n%d lớp", i, 37*i)
			}
			before := len(f.fake.MessagesTo(user))
			f.send(t, bot.Reply{Text: b.String(), Buttons: edits})
			msgs := f.fake.MessagesTo(user)[before:]
			for i, m := range msgs[1:] {
				if !item.MatchString(m.Text) {
					t.Fatalf("%d answers, pad %d: part %d does not begin with a question:\n%.80s", n, pad, i+2, m.Text)
				}
			}
			if last := msgs[len(msgs)-1].Text; !strings.HasSuffix(last, list) {
				t.Fatalf("%d answers, pad %d: the last part does not end with the whole list:\n%s", n, pad, last)
			}
		}
	}
}
