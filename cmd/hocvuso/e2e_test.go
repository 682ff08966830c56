package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

const testToken = "123456:TEST-token_e2e"

// served is one `hocvuso serve` running in-process against the fake Bot
// API, its own database and its own Redis prefix.
type served struct {
	t       *testing.T
	fake    *fakeapi.Server
	base    string // http://addr of our server
	hook    string // webhook URL
	secret  string
	redis   storetest.Redis
	db      *store.DB
	stderr  *syncBuffer
	stop    context.CancelFunc
	stopped chan int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs serve in webhook mode (webhook true) or long polling.
func startServe(t *testing.T, webhook bool, extra map[string]string) *served {
	t.Helper()
	s := &served{t: t, fake: fakeapi.Start(testToken), redis: storetest.NewRedis(t), stderr: &syncBuffer{}, stopped: make(chan int, 1)}
	t.Cleanup(s.fake.Close)
	// A restart passes the DATABASE_URL and REDIS_PREFIX of the serve it replaces.
	dbURL := extra["DATABASE_URL"]
	if dbURL == "" {
		dbURL = storetest.NewDatabaseURL(t)
	}
	if p := extra["REDIS_PREFIX"]; p != "" {
		s.redis.Prefix = p
	}
	addr := freeAddr(t)
	s.base = "http://" + addr
	vars := map[string]string{
		"DATABASE_URL":     dbURL,
		"REDIS_URL":        storetest.RedisURL(),
		"REDIS_PREFIX":     s.redis.Prefix,
		"HTTP_ADDR":        addr,
		"TELEGRAM_TOKEN":   testToken,
		"TELEGRAM_API_URL": s.fake.URL,
		"LOG_LEVEL":        "debug",
		// No reminder is planned by the clock: a test plans with remind --at.
		"REMINDER_PLANNER": "off",
	}
	if webhook {
		s.secret = "e2e-Secret_123"
		vars["TELEGRAM_WEBHOOK_URL"] = s.base + "/telegram/webhook"
		vars["TELEGRAM_WEBHOOK_SECRET"] = s.secret
	}
	for k, v := range extra {
		// "{base}" in a value is our server's http://addr, picked here.
		vars[k] = strings.ReplaceAll(v, "{base}", s.base)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		s.stopped <- run(ctx, []string{"serve"}, &env{
			getenv: func(k string) string { return vars[k] },
			stdin:  strings.NewReader(""), stdout: io.Discard, stderr: s.stderr,
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-s.stopped:
			if code != 0 {
				t.Errorf("serve exited with %d; log:\n%s", code, s.stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30 s")
		}
	})
	s.waitReady()
	if webhook {
		s.hook, _ = s.fake.Webhook()
		if s.hook != vars["TELEGRAM_WEBHOOK_URL"] {
			t.Fatalf("setWebhook registered %q, want %q", s.hook, vars["TELEGRAM_WEBHOOK_URL"])
		}
	}
	var err error
	if s.db, err = store.Open(context.Background(), dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.db.Close)
	return s
}

func (s *served) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case code := <-s.stopped:
			s.t.Fatalf("serve exited with %d before ready; log:\n%s", code, s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.t.Fatalf("serve not ready; log:\n%s", s.stderr.String())
}

var nextUpdateID = struct {
	sync.Mutex
	n int64
}{n: 1000}

func updateID() int64 {
	nextUpdateID.Lock()
	defer nextUpdateID.Unlock()
	nextUpdateID.n++
	return nextUpdateID.n
}

// deliver posts an update to the webhook with the right secret.
func (s *served) deliver(update map[string]any) int {
	s.t.Helper()
	if _, ok := update["update_id"]; !ok {
		update["update_id"] = updateID()
	}
	body, err := json.Marshal(update)
	if err != nil {
		s.t.Fatal(err)
	}
	status, err := s.fake.DeliverWebhook(s.hook, s.secret, body)
	if err != nil {
		s.t.Fatal(err)
	}
	return status
}

func from(id int64, lang string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": "Lò Thị", "last_name": "Hương", "language_code": lang}
}

func privateChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "private", "first_name": "Lò Thị"}
}

func textUpdate(chat int64, lang, text string) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": updateID(), "date": time.Now().Unix(), "from": from(chat, lang), "chat": privateChat(chat), "text": text,
	}}
}

func tapUpdate(chat int64, lang string, messageID int, data string) map[string]any {
	return map[string]any{"callback_query": map[string]any{
		"id": fmt.Sprintf("cq%d", updateID()), "from": from(chat, lang), "chat_instance": "e2e", "data": data,
		"message": map[string]any{"message_id": messageID, "date": time.Now().Unix(), "chat": privateChat(chat), "text": "…"},
	}}
}

// lastWithButtons is the latest message to chat that carries buttons.
func (s *served) lastWithButtons(chat int64) fakeapi.Message {
	s.t.Helper()
	msgs := s.fake.MessagesTo(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) > 0 {
			return msgs[i]
		}
	}
	s.t.Fatalf("no message with buttons to %d; messages: %+v", chat, msgs)
	return fakeapi.Message{}
}

// tap taps the button whose label contains label on the latest message with buttons.
func (s *served) tap(chat int64, lang, label string) int {
	s.t.Helper()
	m := s.lastWithButtons(chat)
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return s.deliver(tapUpdate(chat, lang, m.ID, b.CallbackData))
			}
		}
	}
	s.t.Fatalf("no button %q in %+v", label, m.Buttons)
	return 0
}

func (s *served) texts(chat int64) []string {
	var out []string
	for _, m := range s.fake.MessagesTo(chat) {
		out = append(out, m.Text)
	}
	return out
}

func (s *served) countUsers() int {
	s.t.Helper()
	var n int
	if err := s.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func mustContain(t *testing.T, texts []string, want string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, want) {
			return
		}
	}
	t.Fatalf("no message contains %q; messages:\n%s", want, strings.Join(texts, "\n---\n"))
}

func sharedPayload(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "telegram", name))
	if err != nil {
		t.Skipf("shared test data not found beside the repository: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestServe_StartConsentMenuAndLanguage(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7001
	if got := s.deliver(textUpdate(chat, "vi", "/start")); got != 200 {
		t.Fatalf("webhook status %d", got)
	}
	mustContain(t, s.texts(chat), "không phải người thật")
	mustContain(t, s.texts(chat), "91/2025/QH15")
	if n := s.countUsers(); n != 0 {
		t.Fatalf("%d users stored before consent", n)
	}
	s.tap(chat, "vi", "Tôi đồng ý")
	if n := s.countUsers(); n != 1 {
		t.Fatalf("%d users after consent, want 1", n)
	}
	mustContain(t, s.texts(chat), "Bạn muốn làm gì?")
	// The consent message was edited in place, not sent anew.
	if edits := s.fake.Calls("editMessageText"); len(edits) == 0 {
		t.Errorf("no message edited in place")
	}
	if n := len(s.fake.Calls("answerCallbackQuery")); n != 1 {
		t.Errorf("%d callback answers, want 1", n)
	}

	s.deliver(textUpdate(chat, "vi", "/language"))
	s.tap(chat, "vi", "English")
	mustContain(t, s.texts(chat), "What would you like to do?")
	var lang string
	if err := s.db.Pool.QueryRow(context.Background(), "SELECT language FROM users").Scan(&lang); err != nil || lang != "en" {
		t.Fatalf("users.language = %q, %v; want en", lang, err)
	}
	s.deliver(textUpdate(chat, "vi", "/help"))
	mustContain(t, s.texts(chat), "/deleteme")
}

func TestServe_EnglishUserFromRecordedPayload(t *testing.T) {
	s := startServe(t, true, nil)
	p := sharedPayload(t, "message_start_command.json")
	if got := s.deliver(p); got != 200 {
		t.Fatalf("status %d", got)
	}
	mustContain(t, s.texts(714862471), "I am an automated assistant")
}

func TestServe_SpoofedWebhookIsRejected(t *testing.T) {
	s := startServe(t, true, nil)
	body, _ := json.Marshal(textUpdate(7002, "vi", "/start"))
	for _, secret := range []string{"", "wrong-secret", s.secret + "x"} {
		status, err := s.fake.DeliverWebhook(s.hook, secret, body)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, status)
		}
	}
	if msgs := s.fake.MessagesTo(7002); len(msgs) != 0 {
		t.Fatalf("a spoofed update was processed: %+v", msgs)
	}
}

func TestServe_RedeliveredUpdateIsAppliedOnce(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7003
	u := textUpdate(chat, "vi", "/start")
	u["update_id"] = updateID()
	s.deliver(u)
	n := len(s.fake.MessagesTo(chat))
	if n == 0 {
		t.Fatal("no reply")
	}
	if got := s.deliver(u); got != 200 {
		t.Fatalf("redelivery status %d", got)
	}
	if again := len(s.fake.MessagesTo(chat)); again != n {
		t.Fatalf("redelivery sent %d more messages", again-n)
	}
}

// Telegram sends a chat's next update only once the previous one was
// answered, so a chat's updates never race on the webhook; should two arrive
// at once anyway (a redelivery racing a retry), both are applied, one after
// the other, and neither is lost.
func TestServe_ConcurrentUpdatesOfOneChatAreBothApplied(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7004
	s.deliver(textUpdate(chat, "vi", "/start"))
	s.tap(chat, "vi", "Tôi đồng ý")
	before := len(s.fake.MessagesTo(chat))
	first, second := textUpdate(chat, "vi", "/help"), textUpdate(chat, "vi", "/language")
	first["update_id"], second["update_id"] = updateID(), updateID()
	var wg sync.WaitGroup
	for _, u := range []map[string]any{second, first} {
		wg.Add(1)
		go func() { defer wg.Done(); s.deliver(u) }()
	}
	wg.Wait()
	msgs := s.fake.MessagesTo(chat)[before:]
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	help, lang := 0, 0
	for _, m := range msgs {
		if strings.Contains(m.Text, "/deleteme") {
			help++
		}
		if strings.Contains(m.Text, "Bạn muốn dùng ngôn ngữ nào?") {
			lang++
		}
	}
	if help != 1 || lang != 1 {
		t.Fatalf("want the help and the language question once each, got %q and %q", msgs[0].Text, msgs[1].Text)
	}
}

func TestServe_RedisFlushedMidConversation(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7005
	s.deliver(textUpdate(chat, "vi", "/start"))
	s.tap(chat, "vi", "Tôi đồng ý")
	s.redis.Flush(t)
	if got := s.tap(chat, "vi", "Hướng dẫn"); got != 200 {
		t.Fatalf("status %d", got)
	}
	mustContain(t, s.texts(chat), "quên mất chúng ta đang ở đâu")
	if n := s.countUsers(); n != 1 {
		t.Fatalf("%d users after the flush, want 1", n)
	}
}

func TestServe_OddInputsAreAnswered(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7006
	s.deliver(textUpdate(chat, "vi", "/start"))
	s.tap(chat, "vi", "Tôi đồng ý")
	cases := []struct {
		name   string
		update map[string]any
		want   string
	}{
		{"4096 characters", textUpdate(chat, "vi", strings.Repeat("ạ", 4096)), "chưa hiểu"},
		{"emoji", textUpdate(chat, "vi", "👍🏽🇻🇳❤️‍🔥"), "chưa hiểu"},
		{"a greeting among emoji", textUpdate(chat, "vi", "👍🏽🇻🇳 xin chào 🙏"), "Xin chào bạn!"},
		{"edited message", map[string]any{"edited_message": map[string]any{
			"message_id": 5, "date": time.Now().Unix(), "edit_date": time.Now().Unix(),
			"from": from(chat, "vi"), "chat": privateChat(chat), "text": "sửa"}}, "sửa tin nhắn"},
		{"photo where text was expected", map[string]any{"message": map[string]any{
			"message_id": 6, "date": time.Now().Unix(), "from": from(chat, "vi"), "chat": privateChat(chat),
			"photo": []map[string]any{{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 1000}}}}, "chỉ đọc được chữ"},
		{"unknown command", textUpdate(chat, "vi", "/khongco"), "không biết lệnh"},
	}
	for _, tc := range cases {
		before := len(s.fake.MessagesTo(chat))
		if got := s.deliver(tc.update); got != 200 {
			t.Fatalf("%s: status %d", tc.name, got)
		}
		mustContain(t, s.texts(chat)[before:], tc.want)
	}
	// The unknown command, the last, carries the menu's button.
	msgs := s.fake.MessagesTo(chat)
	if last := msgs[len(msgs)-1]; len(last.Buttons) != 1 || len(last.Buttons[0]) != 1 || last.Buttons[0][0].Text != "⬅️ Về menu" {
		t.Fatalf("the unknown command's answer %+v; want the menu's button", last)
	}
	s.tap(chat, "vi", "Về menu") // the menu takes the place of the tapped message
	mustContain(t, s.texts(chat)[len(msgs)-1:], "Bạn muốn làm gì?")
}

func TestServe_RecordedPayloads(t *testing.T) {
	s := startServe(t, true, nil)
	for _, name := range []string{"message_text.json", "message_contact.json", "message_document.json",
		"message_photo_caption.json", "edited_message.json", "callback_query_docs_sample.json", "my_chat_member_kicked.json"} {
		if got := s.deliver(sharedPayload(t, name)); got != 200 {
			t.Errorf("%s: status %d", name, got)
		}
	}
	// Telegram's own callback sample carries no message: it is answered all the same.
	if n := len(s.fake.Calls("answerCallbackQuery")); n != 1 {
		t.Errorf("%d callback answers, want 1", n)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"http server listening"`) {
		t.Errorf("serve does not log JSON")
	}
}

func TestServe_BlockedUserIsMarkedAndUnblocked(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7007
	s.deliver(textUpdate(chat, "vi", "/start"))
	s.tap(chat, "vi", "Tôi đồng ý")
	blocked := func() bool {
		var b bool
		if err := s.db.Pool.QueryRow(context.Background(),
			"SELECT blocked_at IS NOT NULL FROM accounts WHERE external_id = $1", fmt.Sprint(chat)).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	member := func(status string) map[string]any {
		return map[string]any{"my_chat_member": map[string]any{
			"chat": privateChat(chat), "from": from(chat, "vi"), "date": time.Now().Unix(),
			"old_chat_member": map[string]any{"user": map[string]any{"id": 1, "is_bot": true, "first_name": "bot"}, "status": "member"},
			"new_chat_member": map[string]any{"user": map[string]any{"id": 1, "is_bot": true, "first_name": "bot"}, "status": status, "until_date": 0},
		}}
	}
	s.deliver(member("kicked"))
	if !blocked() {
		t.Fatal("kicked update did not mark the account blocked")
	}
	s.deliver(member("member"))
	if blocked() {
		t.Fatal("member update did not unblock")
	}
	// A 403 on a reply marks the account blocked too.
	s.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: chat, Code: 403, Description: fakeapi.Blocked, Times: 1})
	if got := s.deliver(textUpdate(chat, "vi", "/help")); got != 200 {
		t.Fatalf("status %d", got)
	}
	if !blocked() {
		t.Fatal("403 did not mark the account blocked")
	}
}

func TestServe_RetryAfterIsHonoured(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7008
	s.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: chat, Code: 429, RetryAfter: 1, Times: 1})
	start := time.Now()
	if got := s.deliver(textUpdate(chat, "vi", "/start")); got != 200 {
		t.Fatalf("status %d", got)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("answered after %v, before retry_after", waited)
	}
	mustContain(t, s.texts(chat), "không phải người thật")
}

func TestServe_HealthReadyMetrics(t *testing.T) {
	s := startServe(t, true, nil)
	s.deliver(textUpdate(7009, "vi", "/start"))
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "ready",
		"/metrics": `hocvuso_updates_total{channel="telegram",outcome="ok"}`,
	} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
	for _, want := range []string{"hocvuso_update_duration_seconds_bucket", `hocvuso_outbound_requests_total{channel="telegram",method="sendMessage",status="200"}`} {
		resp, _ := http.Get(s.base + "/metrics")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(s.stderr.String(), testToken) || strings.Contains(s.stderr.String(), s.secret) {
		t.Errorf("a secret appears in the log")
	}
}

func TestServe_LongPolling(t *testing.T) {
	s := startServe(t, false, nil)
	const chat = 7010
	s.fake.UserText(chat, "/start")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.fake.WaitFor(ctx, func(calls []fakeapi.Call) bool {
		for _, c := range calls {
			if c.Method == "sendMessage" && c.ChatID() == chat {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no reply by long polling; log:\n%s", s.stderr.String())
	}
	// Every command has a description in both languages in the command menu.
	calls := s.fake.Calls("setMyCommands")
	if len(calls) != 2 {
		t.Fatalf("setMyCommands called %d times, want 2 (vi default, en)", len(calls))
	}
	for _, c := range calls {
		var cmds []struct{ Command, Description string }
		if err := c.Decode("commands", &cmds); err != nil {
			t.Fatal(err)
		}
		if len(cmds) < 10 {
			t.Errorf("only %d commands in the menu", len(cmds))
		}
		for _, cmd := range cmds {
			if cmd.Description == "" || strings.HasPrefix(cmd.Description, "command.") {
				t.Errorf("/%s (language %q) has no description", cmd.Command, c.Params["language_code"])
			}
		}
	}
}

// Telegram posts updates to the URL serve registered with setWebhook, so
// serve answers on that URL's path, whatever path it is.
func TestServe_WebhookAnsweredWhereRegistered(t *testing.T) {
	s := startServe(t, true, map[string]string{"TELEGRAM_WEBHOOK_URL": "{base}/tg/hook-2/?from=telegram"})
	if want := s.base + "/tg/hook-2/?from=telegram"; s.hook != want {
		t.Fatalf("setWebhook registered %q, want %q", s.hook, want)
	}
	// The fake Bot API pushes a queued update to the registered URL, as
	// Telegram does, until it is answered with a 2xx.
	const chat = 7011
	s.fake.UserText(chat, "/start")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.fake.WaitFor(ctx, func([]fakeapi.Call) bool { return s.fake.Pending() == 0 && len(s.fake.MessagesTo(chat)) > 0 }); err != nil {
		t.Fatalf("the update pushed to %s was not answered (%d pending); log:\n%s", s.hook, s.fake.Pending(), s.stderr.String())
	}
	mustContain(t, s.texts(chat), "91/2025/QH15")
}

// A webhook URL without a path is refused before anything is registered:
// Telegram would post to "/", where serve does not answer.
func TestServe_WebhookURLWithoutPathIsRefused(t *testing.T) {
	fake := fakeapi.Start(testToken)
	defer fake.Close()
	vars := map[string]string{
		"DATABASE_URL": storetest.NewDatabaseURL(t), "REDIS_URL": storetest.RedisURL(), "HTTP_ADDR": freeAddr(t),
		"TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": fake.URL, "TELEGRAM_WEBHOOK_SECRET": "e2e-Secret_123",
	}
	vars["TELEGRAM_WEBHOOK_URL"] = "http://" + vars["HTTP_ADDR"]
	// A serve that took the URL would run until stopped.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	code := run(ctx, []string{"serve"}, &env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
	})
	if code == 0 || !strings.Contains(stderr.String(), "TELEGRAM_WEBHOOK_URL") || !strings.Contains(stderr.String(), vars["TELEGRAM_WEBHOOK_URL"]+"/telegram/webhook") {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
	if hook, _ := fake.Webhook(); hook != "" || len(fake.Calls("setWebhook")) != 0 {
		t.Errorf("setWebhook registered %q", hook)
	}
}

func TestServe_BadConfigurationStopsWithTheVariableNamed(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, &env{
		getenv: func(k string) string {
			if k == "TELEGRAM_WEBHOOK_URL" {
				return "https://bot.example/hook"
			}
			if k == "TELEGRAM_TOKEN" {
				return testToken
			}
			return ""
		},
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
	})
	if code == 0 || !strings.Contains(stderr.String(), "TELEGRAM_WEBHOOK_SECRET") {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
	if strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Errorf("more than one line: %q", stderr.String())
	}
}
