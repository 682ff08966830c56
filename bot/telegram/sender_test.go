package telegram

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
)

const testToken = "123456:ABC-def_ghIJKlmnoPQRstu"

// sleeps records the waits a client asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ds)
}

func newTestClient(t *testing.T) (*Client, *fakeapi.Server, *sleeps) {
	t.Helper()
	srv := fakeapi.Start(testToken)
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	c, err := New(context.Background(), Config{
		Token: testToken, APIURL: srv.URL, HTTPClient: srv.Client(), Log: discard(), Sleep: sl.sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, sl
}

func target(chat string) bot.Target { return bot.Target{Channel: bot.Telegram, ChatID: chat} }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNew(t *testing.T) {
	c, srv, _ := newTestClient(t)
	if c.Username() != "fake_bot" {
		t.Errorf("username %q", c.Username())
	}
	if len(srv.Calls("getMe")) != 1 {
		t.Errorf("getMe calls: %d", len(srv.Calls("getMe")))
	}
	_, err := New(ctxT(t), Config{Token: "999:wrong", APIURL: srv.URL, HTTPClient: srv.Client(), Log: discard()})
	if err == nil || !strings.Contains(err.Error(), "Unauthorized") || strings.Contains(err.Error(), "999:wrong") {
		t.Errorf("wrong token: %v", err)
	}
}

func TestSendKeyboard(t *testing.T) {
	c, srv, _ := newTestClient(t)
	r := bot.Reply{Text: "Chọn một mục", Buttons: [][]bot.Button{
		{{Label: "Học", Data: "home|learn|1|"}, {Label: "Thi", Data: "home|quiz|1|"}},
		{},
		{{Label: "Báo cáo", Data: "home|report|1|x"}},
	}}
	if err := c.Send(ctxT(t), target("42"), r); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 1 {
		t.Fatalf("%d sendMessage calls", len(calls))
	}
	if calls[0].ChatID() != 42 || calls[0].Params["text"] != "Chọn một mục" {
		t.Errorf("params %v", calls[0].Params)
	}
	var markup struct {
		InlineKeyboard [][]fakeapi.Button `json:"inline_keyboard"`
	}
	if err := calls[0].Decode("reply_markup", &markup); err != nil {
		t.Fatal(err)
	}
	want := [][]fakeapi.Button{
		{{Text: "Học", CallbackData: "home|learn|1|"}, {Text: "Thi", CallbackData: "home|quiz|1|"}},
		{{Text: "Báo cáo", CallbackData: "home|report|1|x"}},
	}
	if !slices.EqualFunc(markup.InlineKeyboard, want, slices.Equal) {
		t.Errorf("keyboard %+v, want %+v", markup.InlineKeyboard, want)
	}
	msgs := srv.MessagesTo(42)
	if len(msgs) != 1 || !slices.EqualFunc(msgs[0].Buttons, want, slices.Equal) {
		t.Errorf("messages %+v", msgs)
	}

	// No buttons: no keyboard at all.
	if err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "ok"}); err != nil {
		t.Fatal(err)
	}
	if p := srv.Calls("sendMessage")[1].Params; p["reply_markup"] != "" {
		t.Errorf("reply_markup %q without buttons", p["reply_markup"])
	}
}

func TestSendEditInPlace(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	kb := [][]bot.Button{{{Label: "A", Data: "quiz|answer|1|a"}}}
	if err := c.Send(ctx, target("42"), bot.Reply{Text: "Câu 1", Buttons: kb}); err != nil {
		t.Fatal(err)
	}
	id := srv.MessagesTo(42)[0].ID
	edit := bot.Target{Channel: bot.Telegram, ChatID: "42", EditMessageID: strconv.Itoa(id)}
	next := [][]bot.Button{{{Label: "Tiếp", Data: "quiz|next|2|"}}}
	if err := c.Send(ctx, edit, bot.Reply{Text: "Đúng!", Buttons: next, Edit: true}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.MessagesTo(42)
	if len(msgs) != 1 || msgs[0].Text != "Đúng!" || msgs[0].Edits != 1 || msgs[0].Buttons[0][0].CallbackData != "quiz|next|2|" {
		t.Fatalf("after edit: %+v", msgs)
	}

	// The same content again: Telegram says "not modified", which is done.
	if err := c.Send(ctx, edit, bot.Reply{Text: "Đúng!", Buttons: next, Edit: true}); err != nil {
		t.Fatalf("not modified: %v", err)
	}
	calls := srv.Calls("editMessageText")
	if len(calls) != 2 || calls[1].Status != http.StatusBadRequest {
		t.Fatalf("edit calls %+v", calls)
	}
	if n := len(srv.MessagesTo(42)); n != 1 {
		t.Errorf("%d messages after a no-op edit", n)
	}
	// An edit without buttons removes the keyboard.
	if err := c.Send(ctx, edit, bot.Reply{Text: "Hết giờ", Edit: true}); err != nil {
		t.Fatal(err)
	}
	if m := srv.MessagesTo(42)[0]; m.Text != "Hết giờ" || len(m.Buttons) != 0 {
		t.Errorf("after keyboard removal: %+v", m)
	}
}

func TestSendEditFallsBackToNewMessage(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	// A message the fake never sent: "message to edit not found".
	err := c.Send(ctx, bot.Target{Channel: bot.Telegram, ChatID: "7", EditMessageID: "999"}, bot.Reply{Text: "mới", Edit: true})
	if err != nil {
		t.Fatal(err)
	}
	// Too old to edit.
	srv.Fail(fakeapi.Fault{Method: "editMessageText", Code: 400, Description: fakeapi.CantBeEdited, Times: 1})
	if err := c.Send(ctx, bot.Target{Channel: bot.Telegram, ChatID: "7", EditMessageID: "1"}, bot.Reply{Text: "mới 2", Edit: true}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.MessagesTo(7)
	if len(msgs) != 2 || msgs[0].Text != "mới" || msgs[1].Text != "mới 2" {
		t.Errorf("messages %+v", msgs)
	}
	// Other edit errors are errors.
	srv.Fail(fakeapi.Fault{Method: "editMessageText", Code: 500, Times: 1})
	if err := c.Send(ctx, bot.Target{Channel: bot.Telegram, ChatID: "7", EditMessageID: "1"}, bot.Reply{Text: "x"}); err == nil {
		t.Error("500 on edit: no error")
	}
}

func TestSendRetriesAfter429(t *testing.T) {
	c, srv, sl := newTestClient(t)
	srv.Fail(fakeapi.Fault{Method: "sendMessage", Code: 429, RetryAfter: 3, Times: 2})
	before := outbound(t, "sendMessage", "429")
	if err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "xin chào"}); err != nil {
		t.Fatal(err)
	}
	if got := sl.all(); !slices.Equal(got, []time.Duration{3 * time.Second, 3 * time.Second}) {
		t.Errorf("waits %v", got)
	}
	if n := len(srv.Calls("sendMessage")); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	if len(srv.MessagesTo(42)) != 1 {
		t.Error("message not delivered once")
	}
	if got := outbound(t, "sendMessage", "429") - before; got != 2 {
		t.Errorf("429s counted: %v", got)
	}
}

func TestSendGivesUpOnLongRetryAfter(t *testing.T) {
	c, srv, sl := newTestClient(t)
	srv.Fail(fakeapi.Fault{Method: "sendMessage", Code: 429, RetryAfter: 31})
	err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "x"})
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 31*time.Second || errors.Is(err, bot.ErrBlocked) {
		t.Fatalf("err %v, want a *bot.RetryAfterError of 31s", err)
	}
	if len(sl.all()) != 0 || len(srv.Calls("sendMessage")) != 1 {
		t.Errorf("waited %v, %d calls", sl.all(), len(srv.Calls("sendMessage")))
	}
	// The wait is cut short by the context.
	srv.ClearFaults()
	srv.Fail(fakeapi.Fault{Method: "sendMessage", Code: 429, RetryAfter: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Send(ctx, target("42"), bot.Reply{Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSendBlocked(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.Fail(fakeapi.Fault{ChatID: 42, Code: 403})
	err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "x"})
	if !errors.Is(err, bot.ErrBlocked) {
		t.Fatalf("err %v, want ErrBlocked", err)
	}
	// Uploads lose the error code in v5.5.1: still recognised.
	err = c.Send(ctxT(t), target("42"), bot.Reply{Document: &bot.Document{Name: "a.csv", Bytes: []byte("a,b")}})
	if !errors.Is(err, bot.ErrBlocked) {
		t.Fatalf("upload err %v, want ErrBlocked", err)
	}
	// Other chats are fine.
	if err := c.Send(ctxT(t), target("43"), bot.Reply{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	// A user who never started the bot cannot be reached either.
	srv.Fail(fakeapi.Fault{ChatID: 44, Code: 400, Description: "Bad Request: chat not found"})
	if err := c.Send(ctxT(t), target("44"), bot.Reply{Text: "x"}); !errors.Is(err, bot.ErrBlocked) {
		t.Errorf("chat not found: %v", err)
	}
	// Server errors are not.
	srv.Fail(fakeapi.Fault{ChatID: 45, Code: 500})
	if err := c.Send(ctxT(t), target("45"), bot.Reply{Text: "x"}); err == nil || errors.Is(err, bot.ErrBlocked) {
		t.Errorf("500: %v", err)
	}
	if err := c.Send(ctxT(t), target("not-a-number"), bot.Reply{Text: "x"}); err == nil {
		t.Error("bad chat id accepted")
	}
}

func TestSendSplitsLongText(t *testing.T) {
	c, srv, _ := newTestClient(t)
	var b strings.Builder
	for i := 0; b.Len() < 20000; i++ {
		b.WriteString("Dòng số ")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": bản tin thời tiết Sơn La hôm nay có mưa rào.\n")
	}
	text := strings.TrimSpace(b.String())
	kb := [][]bot.Button{{{Label: "OK", Data: "home|ok|1|"}}}
	if err := c.Send(ctxT(t), target("42"), bot.Reply{Text: text, Buttons: kb}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.MessagesTo(42)
	if len(msgs) < 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	var parts []string
	for i, m := range msgs {
		if utf16Len(m.Text) > maxText {
			t.Errorf("part %d has %d units", i, utf16Len(m.Text))
		}
		if !strings.HasPrefix(m.Text, "Dòng số ") || !strings.HasSuffix(m.Text, "mưa rào.") {
			t.Errorf("part %d not cut at a line: %q...%q", i, m.Text[:20], m.Text[len(m.Text)-20:])
		}
		if (len(m.Buttons) > 0) != (i == len(msgs)-1) {
			t.Errorf("part %d buttons %v", i, m.Buttons)
		}
		parts = append(parts, m.Text)
	}
	if strings.Join(parts, "\n") != text {
		t.Error("parts do not add up to the text")
	}
}

func TestSplit(t *testing.T) {
	emoji := strings.Repeat("😀", 3000) // 6000 UTF-16 units, 3000 runes
	parts := split(emoji, maxText)
	if len(parts) != 2 || utf16Len(parts[0]) != 4096 || strings.Join(parts, "") != emoji {
		t.Errorf("emoji: %d parts, first %d units", len(parts), utf16Len(parts[0]))
	}
	words := strings.Repeat("chào ", 1000) // spaces, no line breaks
	for _, p := range split(words, 100) {
		if utf16Len(p) > 100 || strings.HasSuffix(p, "ch") || p != strings.TrimSpace(p) {
			t.Errorf("word split: %q", p)
		}
	}
	if got := split("  \n ", maxText); got != nil {
		t.Errorf("blank: %q", got)
	}
	if got := split("ngắn", maxText); !slices.Equal(got, []string{"ngắn"}) {
		t.Errorf("short: %q", got)
	}
	// Invalid UTF-8 does not loop or lose bytes.
	bad := strings.Repeat("a\xff", 100)
	if got := strings.Join(split(bad, 7), ""); got != bad {
		t.Errorf("invalid UTF-8 mangled")
	}
	if got := truncate(strings.Repeat("é", 300), maxNotice); utf8.RuneCountInString(got) != 200 {
		t.Errorf("truncate: %d runes", utf8.RuneCountInString(got))
	}
	if got := truncate("🙂🙂🙂", 5); got != "🙂🙂" {
		t.Errorf("truncate surrogate pair: %q", got)
	}
}

func TestSendDocument(t *testing.T) {
	c, srv, _ := newTestClient(t)
	data := make([]byte, 300<<10)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rnd.IntN(256))
	}
	doc := &bot.Document{Name: "báo-cáo.xlsx", MIME: "application/vnd.ms-excel", Bytes: data, Caption: "Báo cáo quý"}
	kb := [][]bot.Button{{{Label: "Xong", Data: "report|done|2|"}}}
	if err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "Đây là báo cáo:", Document: doc, Buttons: kb}); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("sendDocument")
	if len(calls) != 1 {
		t.Fatalf("%d sendDocument calls", len(calls))
	}
	up, ok := calls[0].Files["document"]
	if !ok || up.Name != "báo-cáo.xlsx" || !bytes.Equal(up.Bytes, data) {
		t.Fatalf("upload %q, %d bytes, intact=%v", up.Name, len(up.Bytes), bytes.Equal(up.Bytes, data))
	}
	if calls[0].Params["caption"] != "Báo cáo quý" || calls[0].ChatID() != 42 {
		t.Errorf("params %v", calls[0].Params)
	}
	msgs := srv.MessagesTo(42)
	if len(msgs) != 2 || msgs[0].Text != "Đây là báo cáo:" || len(msgs[0].Buttons) != 0 ||
		msgs[1].Document == nil || len(msgs[1].Buttons) != 1 {
		t.Errorf("messages %+v", msgs)
	}

	// A 429 on an upload (no error code in v5.5.1) is waited out too, and
	// the bytes are sent again whole.
	srv.Fail(fakeapi.Fault{Method: "sendDocument", Code: 429, RetryAfter: 2, Times: 1})
	c2, _ := New(ctxT(t), Config{Token: testToken, APIURL: srv.URL, HTTPClient: srv.Client(), Log: discard(), Sleep: (&sleeps{}).sleep})
	if err := c2.Send(ctxT(t), target("42"), bot.Reply{Document: doc}); err != nil {
		t.Fatal(err)
	}
	calls = srv.Calls("sendDocument")
	if len(calls) != 3 || !bytes.Equal(calls[2].Files["document"].Bytes, data) {
		t.Errorf("retried upload: %d calls", len(calls))
	}

	// A caption too long for Telegram goes as text before the document.
	long := strings.Repeat("chữ ", 300)
	if err := c.Send(ctxT(t), target("43"), bot.Reply{Document: &bot.Document{Name: "a.txt", Bytes: []byte("x"), Caption: long}}); err != nil {
		t.Fatal(err)
	}
	if m := srv.MessagesTo(43); len(m) != 2 || m[0].Text != strings.TrimSpace(long) || m[1].Caption != "" {
		t.Errorf("long caption: %+v", m)
	}
}

func TestAnswer(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	cb := &bot.Update{Channel: bot.Telegram, Kind: bot.KindCallback, CallbackID: "cb-1", ChatID: "42"}
	if err := c.Answer(ctx, cb, strings.Repeat("đ", 250)); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("answerCallbackQuery")
	if len(calls) != 1 || calls[0].Params["callback_query_id"] != "cb-1" ||
		utf8.RuneCountInString(calls[0].Params["text"]) != maxNotice {
		t.Fatalf("calls %+v", calls)
	}
	if err := c.Answer(ctx, cb, ""); err != nil {
		t.Fatal(err)
	}
	if p := srv.Calls("answerCallbackQuery")[1].Params; p["text"] != "" {
		t.Errorf("empty notice sent as %q", p["text"])
	}
	// Not a callback: nothing to answer.
	if err := c.Answer(ctx, &bot.Update{Kind: bot.KindText, ChatID: "42"}, "x"); err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(ctx, nil, "x"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Calls("answerCallbackQuery")); n != 2 {
		t.Errorf("%d answers", n)
	}
	// Too late is not an error.
	srv.Fail(fakeapi.Fault{Method: "answerCallbackQuery", Code: 400, Description: fakeapi.QueryTooOld, Times: 1})
	if err := c.Answer(ctx, cb, ""); err != nil {
		t.Errorf("too old: %v", err)
	}
	srv.Fail(fakeapi.Fault{Method: "answerCallbackQuery", Code: 500, Times: 1})
	if err := c.Answer(ctx, cb, ""); err == nil {
		t.Error("500: no error")
	}
}

func TestErrorsDoNotLeakToken(t *testing.T) {
	c, srv, _ := newTestClient(t)
	srv.Close() // connection refused from now on
	err := c.Send(ctxT(t), target("42"), bot.Reply{Text: "x"})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "ABC-def") {
		t.Fatalf("token in %q", err)
	}
	if !strings.Contains(err.Error(), "<token>") {
		t.Errorf("expected the redacted URL in %q", err)
	}
	if _, err := c.DownloadFile(ctxT(t), "f", 10); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("download: %v", err)
	}
	// Redaction keeps the cause.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Send(ctx, target("42"), bot.Reply{Text: "x"}); !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), testToken) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNonJSONErrorPage(t *testing.T) {
	// A proxy in front of the API answers with an HTML page.
	fake := fakeapi.New(testToken)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fake.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>502</html>"))
	}))
	defer hs.Close()
	c, err := New(ctxT(t), Config{Token: testToken, APIURL: hs.URL, HTTPClient: hs.Client(), Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Send(ctxT(t), target("42"), bot.Reply{Text: "x"})
	var se *statusError
	if !errors.As(err, &se) || se.Code != http.StatusBadGateway || status(err) != "502" {
		t.Errorf("err %v", err)
	}
}

func TestSetup(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	commands := map[string][]Command{
		"":   {{"start", "Bắt đầu"}, {"help", "Trợ giúp"}},
		"en": {{"start", "Start"}, {"help", "Help"}},
	}
	// An earlier version set its menus in the default scope, which
	// groups show too.
	for _, lang := range []string{"", "en"} {
		params := tgbotapi.Params{"commands": `[{"command":"report","description":"Báo cáo"}]`}
		params.AddNonEmpty("language_code", lang)
		if err := c.request(ctx, "setMyCommands", params); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Setup(ctx, SetupConfig{Commands: commands}); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("setMyCommands")[2:]
	if len(calls) != 2 {
		t.Fatalf("%d setMyCommands", len(calls))
	}
	for _, call := range calls {
		var got []Command
		if err := call.Decode("commands", &got); err != nil {
			t.Fatal(err)
		}
		lang := call.Params["language_code"]
		if !slices.Equal(got, commands[lang]) {
			t.Errorf("language %q: %v", lang, got)
		}
		if scope, err := call.Scope(); err != nil || scope != fakeapi.ScopeAllPrivateChats {
			t.Errorf("language %q set for scope %q (%v), want all private chats", lang, call.Params["scope"], err)
		}
	}
	if calls[0].Params["language_code"] != "" || calls[1].Params["language_code"] != "en" {
		t.Errorf("languages %q %q", calls[0].Params["language_code"], calls[1].Params["language_code"])
	}
	// What users see: private chats the menu of their app's language,
	// groups none.
	shown := func(chat int64, private bool, lang string) []Command {
		var out []Command
		for _, c := range srv.Menu(chat, private, lang) {
			out = append(out, Command{c.Command, c.Description})
		}
		return out
	}
	if got := shown(42, true, "vi"); !slices.Equal(got, commands[""]) {
		t.Errorf("a private chat in Vietnamese shows %v", got)
	}
	if got := shown(42, true, "en-GB"); !slices.Equal(got, commands["en"]) {
		t.Errorf("a private chat in English shows %v", got)
	}
	for _, lang := range []string{"vi", "en", "fr", ""} {
		if got := shown(-100123, false, lang); got != nil {
			t.Errorf("a group in language %q shows %v; want no menu", lang, got)
		}
	}
	if d := srv.Calls("deleteWebhook"); len(d) != 1 || d[0].Params["drop_pending_updates"] != "" {
		t.Errorf("deleteWebhook %+v", d)
	}
	if len(srv.Calls("setWebhook")) != 0 {
		t.Error("webhook set in polling mode")
	}

	err := c.Setup(ctx, SetupConfig{WebhookURL: "https://bot.example.vn/telegram", Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	wh := srv.Calls("setWebhook")
	if len(wh) != 1 {
		t.Fatalf("%d setWebhook", len(wh))
	}
	p := wh[0].Params
	var allowed []string
	if err := wh[0].Decode("allowed_updates", &allowed); err != nil || !slices.Equal(allowed, AllowedUpdates) {
		t.Errorf("allowed_updates %q", p["allowed_updates"])
	}
	if p["url"] != "https://bot.example.vn/telegram" || p["secret_token"] != testSecret || p["max_connections"] != "40" {
		t.Errorf("setWebhook params %v", p)
	}
	if url, secret := srv.Webhook(); url != p["url"] || secret != testSecret {
		t.Errorf("fake webhook %q %q", url, secret)
	}
	if err := c.Setup(ctx, SetupConfig{WebhookURL: "https://x", Secret: "bad secret"}); err == nil {
		t.Error("bad secret accepted")
	}
}

func TestDownloadFile(t *testing.T) {
	c, srv, _ := newTestClient(t)
	data := bytes.Repeat([]byte("PDF\x00"), 1000)
	id := srv.PutFile("bao cao.pdf", data)
	got, err := c.DownloadFile(ctxT(t), id, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download: %d bytes, %v", len(got), err)
	}
	if _, err := c.DownloadFile(ctxT(t), id, 100); !errors.Is(err, ErrFileTooLarge) {
		t.Errorf("limit: %v", err)
	}
	if _, err := c.DownloadFile(ctxT(t), "nope", 100); err == nil {
		t.Error("unknown file downloaded")
	}
}

// outbound reads the counter of Telegram calls for a method and status.
func outbound(t *testing.T, method, status string) float64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "hocvuso_outbound_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["channel"] == "telegram" && labels["method"] == method && labels["status"] == status {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// FuzzSplit checks that splitting never panics, respects the limit and
// loses nothing but the white space at the cuts.
func FuzzSplit(f *testing.F) {
	f.Add("Xin chào\nSơn La", 5)
	f.Add(strings.Repeat("😀 ", 50), 7)
	f.Add("a\xffb\u00a0c\u3000d", 2)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 2 || limit > 5000 {
			return // a surrogate pair needs 2 units
		}
		parts := split(s, limit)
		for _, p := range parts {
			if p == "" || p != strings.TrimSpace(p) || utf16Len(p) > limit {
				t.Fatalf("part %q (%d units, limit %d)", p, utf16Len(p), limit)
			}
		}
		strip := func(x string) string { return strings.Join(strings.Fields(x), "") }
		if strip(strings.Join(parts, " ")) != strip(s) {
			t.Fatalf("content changed: %q -> %q", s, parts)
		}
	})
}

// A chat's own menu is set in the chat's scope, for every language of the
// app, in the words of the language the user chose; no commands give the
// chat back the private chats' menu.
func TestSetMenu(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	if err := c.Setup(ctx, SetupConfig{Commands: map[string][]Command{"": {{"quiz", "Làm bài"}}, "en": {{"quiz", "Take a quiz"}}}}); err != nil {
		t.Fatal(err)
	}
	focal := bot.Menu{Commands: []bot.Command{{Name: "quiz", Description: "Take a quiz"}, {Name: "report", Description: "The unit's report"}}}
	if err := c.SetMenu(ctx, bot.Target{Channel: bot.Telegram, ChatID: "42", Lang: "en"}, focal); err != nil {
		t.Fatal(err)
	}
	call := srv.Calls("setMyCommands")[2]
	if call.Params["scope"] != `{"type":"chat","chat_id":42}` {
		t.Errorf("scope %q", call.Params["scope"])
	}
	if _, ok := call.Params["language_code"]; ok {
		t.Errorf("language_code %q: the menu is for every language of the app", call.Params["language_code"])
	}
	for _, lang := range []string{"vi", "en", ""} {
		got := srv.Menu(42, true, lang)
		if len(got) != 2 || got[1].Command != "report" || got[1].Description != "The unit's report" {
			t.Errorf("chat 42 in an app in %q shows %v", lang, got)
		}
	}
	if got := srv.Menu(43, true, "vi"); len(got) != 1 || got[0].Description != "Làm bài" {
		t.Errorf("another chat shows %v", got)
	}

	if err := c.SetMenu(ctx, bot.Target{Channel: bot.Telegram, ChatID: "42"}, bot.Menu{}); err != nil {
		t.Fatal(err)
	}
	del := srv.Calls("deleteMyCommands")
	if len(del) == 0 || del[len(del)-1].Params["scope"] != `{"type":"chat","chat_id":42}` {
		t.Fatalf("deleteMyCommands %+v", del)
	}
	if got := srv.Menu(42, true, "vi"); len(got) != 1 || got[0].Command != "quiz" {
		t.Errorf("chat 42 back to %v", got)
	}

	if err := c.SetMenu(ctx, bot.Target{Channel: bot.Telegram, ChatID: "x"}, focal); err == nil {
		t.Error("a chat id that is no number accepted")
	}
	srv.Fail(fakeapi.Fault{Method: "setMyCommands", ChatID: 42, Code: 400, Description: "Bad Request: chat not found"})
	err := c.SetMenu(ctx, bot.Target{Channel: bot.Telegram, ChatID: "42"}, focal)
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("a refused menu: %v", err)
	}
}
