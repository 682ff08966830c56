package console_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/console"
	"hocvuso/flows/flowtest"
)

var menu = bot.Reply{Text: "Bạn muốn làm gì?", Buttons: [][]bot.Button{
	{{Label: "✅ Tôi đồng ý", Data: "home|agree|1|"}, {Label: "Không đồng ý", Data: "home|decline|1|"}},
	{{Label: "🌐 Ngôn ngữ / Language", Data: "home|language|1|"}},
}}

func shown(t *testing.T, c *console.Console, r bot.Reply) {
	t.Helper()
	if err := c.Send(context.Background(), bot.Target{Channel: bot.Console, ChatID: "lan"}, r); err != nil {
		t.Fatal(err)
	}
}

// A typed line is a tap when it is the number or the label of a button on
// screen; otherwise a command or text.
func TestTranslate(t *testing.T) {
	c := console.New(strings.NewReader(""), io.Discard, "lan", "vi-VN")
	if u := c.Translate("1"); u.Kind != bot.KindText || u.Text != "1" {
		t.Errorf("\"1\" with no buttons on screen = %s %q, want text", u.Kind, u.Text)
	}
	shown(t, c, menu)
	for line, data := range map[string]string{
		"1":                                  "home|agree|1|",
		"2":                                  "home|decline|1|",
		"3":                                  "home|language|1|",
		"✅ Tôi đồng ý":                       "home|agree|1|",
		"Tôi đồng ý":                         "home|agree|1|",
		"toi dong y":                         "home|agree|1|",
		"TÔI ĐỒNG Ý":                         "home|agree|1|",
		"  không   đồng ý ":                  "home|decline|1|",
		"ngon ngu language":                  "home|language|1|",
		"Ngôn ngữ / Language":                "home|language|1|",
		"To\u0302i đo\u0302\u0300ng y\u0301": "home|agree|1|", // typed decomposed (NFD)
	} {
		u := c.Translate(line)
		if u.Kind != bot.KindCallback || u.Data != data {
			t.Errorf("%q = %s %q, want a tap on %q", line, u.Kind, u.Data, data)
			continue
		}
		if u.MessageID == "" || u.CallbackID == "" {
			t.Errorf("%q: a tap names its message and callback: %+v", line, u)
		}
	}
	for _, line := range []string{"0", "4", "-1", "đồng", "tôi", "/start x", "xin chào"} {
		if u := c.Translate(line); u.Kind == bot.KindCallback {
			t.Errorf("%q tapped %q", line, u.Data)
		}
	}

	u := c.Translate("/start x")
	if u.Kind != bot.KindCommand || u.Command != "start" || u.Args != "x" || u.Text != "/start x" {
		t.Errorf("/start x = %+v", u)
	}
	u = c.Translate("Xin cha\u0300o")
	if u.Kind != bot.KindText || u.Text != "Xin chào" {
		t.Errorf("text is not NFC: %+v", u)
	}
	if u.Channel != bot.Console || u.ChatID != "lan" || u.UserID != "lan" || u.DisplayName != "lan" || u.LanguageCode != "vi-VN" {
		t.Errorf("who and where: %+v", u)
	}

	// Updates are ordered and never repeat an id, even across consoles
	// (the engine remembers update ids for a day).
	a, b := c.Translate("a"), c.Translate("b")
	if b.Seq <= a.Seq || a.ID == b.ID {
		t.Errorf("ids %s %s, seqs %d %d", a.ID, b.ID, a.Seq, b.Seq)
	}
	time.Sleep(time.Millisecond)
	other := console.New(strings.NewReader(""), io.Discard, "lan", "vi").Translate("a")
	if other.ID == a.ID || other.Seq <= b.Seq {
		t.Errorf("a later console reuses ids: %s/%d after %s/%d", other.ID, other.Seq, b.ID, b.Seq)
	}

	// A reply without buttons leaves the last ones tappable; new buttons replace them.
	shown(t, c, bot.Reply{Text: "Cảm ơn"})
	if u := c.Translate("2"); u.Data != "home|decline|1|" {
		t.Errorf("after a text-only reply, \"2\" = %q", u.Data)
	}
	shown(t, c, bot.Reply{Text: "Menu", Buttons: [][]bot.Button{{{Label: "❓ Hướng dẫn", Data: "home|help|2|"}}}})
	if u := c.Translate("2"); u.Kind == bot.KindCallback {
		t.Errorf("a button of the older message is still tappable: %q", u.Data)
	}
	if u := c.Translate("huong dan"); u.Data != "home|help|2|" {
		t.Errorf("\"huong dan\" = %q", u.Data)
	}
}

// Where the screen asks for a typed number (a report's number or
// percentage), a typed number is the answer, not a tap: "1" classes would
// else go back a question. Its buttons are shown and tapped by label.
func TestTypedNumberScreen(t *testing.T) {
	var out strings.Builder
	c := console.New(strings.NewReader(""), &out, "lan", "vi")
	shown(t, c, bot.Reply{Text: "Số lớp đã mở", Number: true, Buttons: [][]bot.Button{
		{{Label: "⏭ Bỏ qua", Data: "report|skip|1|"}},
		{{Label: "⬅️ Quay lại", Data: "report|back|1|"}, {Label: "⏸ Tạm dừng", Data: "report|pause|1|"}},
	}})
	if want := "\nSố lớp đã mở\n  [⏭ Bỏ qua]\n  [⬅️ Quay lại]\n  [⏸ Tạm dừng]\n"; out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, line := range []string{"1", "2", "3"} {
		if u := c.Translate(line); u.Kind != bot.KindText || u.Text != line {
			t.Errorf("%q on a number screen = %s %q, want text", line, u.Kind, u.Data)
		}
	}
	if u := c.Translate("quay lai"); u.Kind != bot.KindCallback || u.Data != "report|back|1|" {
		t.Errorf("\"quay lai\" on a number screen = %s %q, want a tap", u.Kind, u.Data)
	}
	// The next screen's numbers tap again.
	shown(t, c, menu)
	if u := c.Translate("1"); u.Kind != bot.KindCallback || u.Data != "home|agree|1|" {
		t.Errorf("\"1\" after the number screen = %s %q, want a tap", u.Kind, u.Data)
	}
}

func TestSendAndAnswerPrint(t *testing.T) {
	var out strings.Builder
	c := console.New(strings.NewReader(""), &out, "lan", "vi")
	shown(t, c, menu)
	shown(t, c, bot.Reply{Text: "Chứng nhận", Document: &bot.Document{Name: "cert.pdf", Bytes: []byte("%PDF"), Caption: "của bạn"}})
	if err := c.Answer(context.Background(), &bot.Update{}, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(context.Background(), &bot.Update{}, "Nút này đã cũ."); err != nil {
		t.Fatal(err)
	}
	want := "\nBạn muốn làm gì?\n  [1] ✅ Tôi đồng ý\n  [2] Không đồng ý\n  [3] 🌐 Ngôn ngữ / Language\n" +
		"\nChứng nhận\n📎 cert.pdf (4 B)\ncủa bạn\n" +
		"(Nút này đã cũ.)\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// A document the bot sends is saved in the console's directory, never over
// a file already there nor outside the directory, and its path is printed:
// an official's /export is a file they can open.
func TestDocumentsAreSavedWhereTheirPathSays(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	c := console.New(strings.NewReader(""), &out, "lan", "vi")
	c.SaveIn(dir)
	xlsx := []byte("PK\x03\x04 bảng")
	for _, d := range []bot.Document{
		{Name: "bao-cao-annual-2025.xlsx", Bytes: xlsx, Caption: "Báo cáo năm 2025: 4/13 đơn vị đã gửi."},
		{Name: "bao-cao-annual-2025.xlsx", Bytes: []byte("second")},
		{Name: "../../evil.pdf", Bytes: []byte("%PDF")},
	} {
		shown(t, c, bot.Reply{Document: &d})
	}
	first, second, third := filepath.Join(dir, "bao-cao-annual-2025.xlsx"), filepath.Join(dir, "bao-cao-annual-2025-2.xlsx"), filepath.Join(dir, "evil.pdf")
	want := "\n📎 " + first + " (" + strconv.Itoa(len(xlsx)) + " B)\nBáo cáo năm 2025: 4/13 đơn vị đã gửi.\n" +
		"\n📎 " + second + " (6 B)\n" +
		"\n📎 " + third + " (4 B)\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
	for path, bytes := range map[string]string{first: string(xlsx), second: "second", third: "%PDF"} {
		if got, err := os.ReadFile(path); err != nil || string(got) != bytes {
			t.Errorf("%s holds %q (%v), want %q", path, got, err, bytes)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("%d files in the directory, want 3", len(entries))
	}

	// A directory that cannot be written: the name and why, nothing lost silently.
	out.Reset()
	c.SaveIn(filepath.Join(dir, "missing"))
	shown(t, c, bot.Reply{Document: &bot.Document{Name: "cert.pdf", Bytes: []byte("%PDF")}})
	if got := out.String(); !strings.HasPrefix(got, "\n📎 cert.pdf: open ") || !strings.Contains(got, "no such file or directory") {
		t.Errorf("printed %q, want the name and why it was not saved", got)
	}
}

// Run reads lines until /quit: blank lines are skipped, a number taps, and
// handling errors are printed without stopping the chat.
func TestRunScriptedSession(t *testing.T) {
	in := strings.NewReader("/start\n\n   \n2\nxin chào\nfail\n/quit\nafter quit\n")
	var out syncBuffer
	c := console.New(in, &out, "lan", "vi")
	var got []*bot.Update
	handle := func(ctx context.Context, u *bot.Update) error {
		got = append(got, u)
		switch {
		case u.Kind == bot.KindCommand:
			return c.Send(ctx, bot.Target{}, menu)
		case u.Kind == bot.KindCallback:
			if err := c.Answer(ctx, u, ""); err != nil {
				return err
			}
			return c.Send(ctx, bot.Target{}, bot.Reply{Text: "tapped " + u.Data})
		case u.Text == "fail":
			return context.DeadlineExceeded
		}
		return c.Send(ctx, bot.Target{}, bot.Reply{Text: "you said " + u.Text})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Run(ctx, handle); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("handled %d updates, want /start, 2, xin chào, fail", len(got))
	}
	if got[0].Kind != bot.KindCommand || got[1].Kind != bot.KindCallback || got[1].Data != "home|decline|1|" || got[2].Text != "xin chào" {
		t.Errorf("updates: %+v %+v %+v", got[0], got[1], got[2])
	}
	s := out.String()
	for _, want := range []string{"  [1] ✅ Tôi đồng ý\n", "  [2] Không đồng ý\n", "  [3] 🌐 Ngôn ngữ / Language\n",
		"tapped home|decline|1|", "you said xin chào", "! context deadline exceeded"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "after quit") {
		t.Errorf("a line after /quit was handled")
	}
}

// After /quit nothing of Run is left running, though input remains.
func TestRunLeavesNoReaderBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := console.New(strings.NewReader("a\n/quit\nb\nc\n"), io.Discard, "lan", "vi")
		if err := c.Run(context.Background(), func(context.Context, *bot.Update) error { return nil }); err != nil {
			t.Fatal(err)
		}
		// synctest.Test fails if a goroutine of the bubble is still blocked.
	})
}

// Run ends at the end of the input, and when its context ends.
func TestRunEnds(t *testing.T) {
	c := console.New(strings.NewReader("a\nb"), io.Discard, "lan", "vi")
	n := 0
	if err := c.Run(context.Background(), func(context.Context, *bot.Update) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("at EOF: err %v after %d lines, want nil after 2", err, n)
	}

	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	c = console.New(pr, io.Discard, "lan", "vi")
	go func() { done <- c.Run(ctx, func(context.Context, *bot.Update) error { return nil }) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("cancelled: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run does not return when its context ends")
	}
}

// The console is a full channel: the real engine, flows and stores behind it.
func TestConsoleWithTheEngine(t *testing.T) {
	h := flowtest.New(t)
	in := strings.NewReader("/start\ni agree\n/mydata\n1\nngon ngu language\ntieng viet\n/quit\n")
	var out syncBuffer
	c := console.New(in, &out, "lan", "en_US.UTF-8")
	h.Engine.SetSender(bot.Console, c)
	if err := c.Run(context.Background(), h.Engine.Handle); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		h.T("en", "welcome"), h.T("en", "privacy.notice"),
		"  [1] " + h.T("en", "privacy.agree") + "\n",
		"  [3] " + h.T("en", "language.vi") + "\n",
		h.T("en", "privacy.thanks"),
		"Console account: lan",
		"  [1] " + h.T("en", "menu.back") + "\n",
		"  [2] " + h.T("en", "menu.language") + "\n",
		h.T("vi", "language.set"),
		"  [3] " + h.T("vi", "menu.mydata") + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\n! ") {
		t.Errorf("an update failed:\n%s", s)
	}
	var lang string
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT u.language FROM users u JOIN accounts a ON a.user_id = u.id
		WHERE a.channel = 'console' AND a.external_id = 'lan'`).Scan(&lang); err != nil || lang != "vi" {
		t.Errorf("the console user: language %q, %v", lang, err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Most of a label from its start taps the button when only one fits; a
// short piece stays typed text.
func TestTranslateTapsByMostOfALabel(t *testing.T) {
	c := console.New(strings.NewReader(""), io.Discard, "dev", "vi")
	if err := c.Send(context.Background(), bot.Target{}, bot.Reply{Text: "?", Buttons: [][]bot.Button{
		{{Label: "⚡ Kiểm tra nhanh (10 câu)", Data: "quiz|go|1|q"}},
		{{Label: "Lò Thị Hương", Data: "cert|name|1|"}},
	}}); err != nil {
		t.Fatal(err)
	}
	if u := c.Translate("kiem tra nhanh"); u.Kind != bot.KindCallback || u.Data != "quiz|go|1|q" {
		t.Errorf("kiem tra nhanh: %v %q, want a tap on the quick test", u.Kind, u.Data)
	}
	if u := c.Translate("Lò Thị"); u.Kind != bot.KindText {
		t.Errorf("Lò Thị: %v, want typed text", u.Kind)
	}
}

// "/file PATH" sends a file of this computer, as a chat app attaches one:
// an update of kind file named by its path, read by ReadFile within a
// limit. A path that is no file is printed as an error and sends nothing.
func TestRunSendsAFile(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "Báo cáo đã ký.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := strings.NewReader("/file " + pdf + "\n/file " + filepath.Join(dir, "none.pdf") + "\n/file " + dir + "\n/file\nxong\n")
	var out syncBuffer
	c := console.New(in, &out, "lan", "vi")
	var got []*bot.Update
	err := c.Run(context.Background(), func(_ context.Context, u *bot.Update) error { got = append(got, u); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Kind != bot.KindText || got[1].Text != "xong" {
		t.Fatalf("handled %d updates, want the file then \"xong\": %+v", len(got), got)
	}
	f := got[0]
	if f.Kind != bot.KindFile || f.File == nil || f.Channel != bot.Console || f.ChatID != "lan" || f.ID == got[1].ID {
		t.Fatalf("the file's update: %+v", f)
	}
	if *f.File != (bot.File{ID: pdf, Name: "Báo cáo đã ký.pdf", MIME: "application/pdf", Size: 9}) {
		t.Errorf("the file: %+v", *f.File)
	}
	if n := strings.Count(out.String(), "> ! "); n != 3 {
		t.Errorf("%d errors printed, want 3 (no such file, a directory, no path):\n%s", n, out.String())
	}

	data, err := console.ReadFile(f.File.ID, 9)
	if err != nil || string(data) != "%PDF-1.7\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := console.ReadFile(f.File.ID, 8); !errors.Is(err, console.ErrFileTooLarge) {
		t.Errorf("ReadFile over the limit: %v, want ErrFileTooLarge", err)
	}
}

// catalogue is a Translator that shows what it was asked.
type catalogue struct{}

func (catalogue) Text(lang, id string, data map[string]any) string {
	if p, ok := data["Path"]; ok {
		return fmt.Sprintf("%s:%s %v", lang, id, p)
	}
	return lang + ":" + id
}

// What the console says itself of a /file it cannot send is a message of
// the catalogue in the conversation's language: the one it was given,
// then the one of the conversation's last reply (/language changes it).
// The system's other errors are said as they are.
func TestFileErrorsInTheConversationsLanguage(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "none.pdf")
	in := strings.NewReader("/file\n/file " + none + "\n/file " + dir + "\nenglish\n/file\n")
	var out syncBuffer
	c := console.New(in, &out, "lan", "vi")
	c.SetText(catalogue{}, "vi")
	err := c.Run(context.Background(), func(ctx context.Context, u *bot.Update) error {
		// The reply of another chat says nothing of this conversation's language.
		if err := c.Send(ctx, bot.Target{Channel: bot.Console, ChatID: "other", Lang: "vi"}, bot.Reply{Text: "to someone else"}); err != nil {
			return err
		}
		return c.Send(ctx, bot.Target{Channel: bot.Console, ChatID: "lan", Lang: "en", UpdateID: u.ID}, bot.Reply{Text: "switched"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, line := range strings.Split(out.String(), "\n") {
		if _, e, ok := strings.Cut(line, "> ! "); ok {
			said = append(said, e)
		}
	}
	want := []string{"vi:console.file.path", "vi:console.file.none " + none, "vi:console.file.notfile " + dir, "en:console.file.path"}
	if !slices.Equal(said, want) {
		t.Errorf("said %q, want %q:\n%s", said, want, out.String())
	}
}
