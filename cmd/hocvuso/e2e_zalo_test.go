package main

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/locales"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// zserved is one `hocvuso serve` running in-process with the Zalo channel
// against the fake Zalo platform, its own database and Redis prefix.
type zserved struct {
	t      *testing.T
	fake   *fakezalo.Server
	base   string
	vars   map[string]string
	redis  storetest.Redis
	db     *store.DB
	stderr *syncBuffer
}

// startZaloServe runs serve with Zalo only (extra adds or overrides
// variables; a restart passes the DATABASE_URL and REDIS_PREFIX of the
// serve it replaces, and the same fake).
func startZaloServe(t *testing.T, fake *fakezalo.Server, extra map[string]string) *zserved {
	t.Helper()
	if fake == nil {
		fake = fakezalo.Start(fakezalo.Config{})
		t.Cleanup(fake.Close)
	}
	s := &zserved{t: t, fake: fake, redis: storetest.NewRedis(t), stderr: &syncBuffer{}}
	cfg := fake.Config()
	s.vars = map[string]string{
		"REDIS_URL":          storetest.RedisURL(),
		"REDIS_PREFIX":       s.redis.Prefix,
		"HTTP_ADDR":          freeAddr(t),
		"ZALO_APP_ID":        cfg.AppID,
		"ZALO_APP_SECRET":    cfg.AppSecret,
		"ZALO_OA_SECRET_KEY": cfg.OASecretKey,
		"ZALO_REFRESH_TOKEN": fake.Grant(),
		"ZALO_API_URL":       fake.URL,
		"ZALO_OAUTH_URL":     fake.URL,
		"LOG_LEVEL":          "debug",
		// No reminder is planned by the clock: the tests' data stays quiet.
		"REMINDER_PLANNER": "off",
	}
	maps.Copy(s.vars, extra)
	if s.vars["DATABASE_URL"] == "" {
		s.vars["DATABASE_URL"] = storetest.NewDatabaseURL(t)
	}
	s.base = "http://" + s.vars["HTTP_ADDR"]
	if p := s.vars["REDIS_PREFIX"]; p != s.redis.Prefix {
		s.redis.Prefix = p
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan int, 1)
	go func() {
		stopped <- run(ctx, []string{"serve"}, &env{
			getenv: func(k string) string { return s.vars[k] },
			stdin:  strings.NewReader(""), stdout: io.Discard, stderr: s.stderr,
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-stopped:
			if code != 0 {
				t.Errorf("serve exited with %d; log:\n%s", code, s.stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30 s")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-stopped:
			stopped <- code
			t.Fatalf("serve exited with %d before ready; log:\n%s", code, s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready; log:\n%s", s.stderr.String())
		}
	}
	path := s.vars["ZALO_WEBHOOK_PATH"]
	if path == "" {
		path = "/zalo/webhook"
	}
	fake.SetWebhook(s.base + path)
	var err error
	if s.db, err = store.Open(context.Background(), s.vars["DATABASE_URL"]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.db.Close)
	return s
}

// deliver posts an event signed like Zalo's and expects 200.
func (s *zserved) deliver(ev []byte) {
	s.t.Helper()
	status, err := s.fake.Deliver(ev)
	if err != nil || status != http.StatusOK {
		s.t.Fatalf("webhook: %d %v; log:\n%s", status, err, s.stderr.String())
	}
}

func (s *zserved) tap(user, label string) {
	s.t.Helper()
	if status, err := s.fake.Tap(user, label); err != nil || status != 200 {
		s.t.Fatalf("tap %q: %d %v; messages:\n%s", label, status, err, strings.Join(s.fake.Texts(user), "\n---\n"))
	}
}

func (s *zserved) choose(user, label string) {
	s.t.Helper()
	if status, err := s.fake.Choose(user, label); err != nil || status != 200 {
		s.t.Fatalf("choose %q: %d %v; messages:\n%s", label, status, err, strings.Join(s.fake.Texts(user), "\n---\n"))
	}
}

func (s *zserved) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// onboard follows the OA and agrees to the privacy notice.
func (s *zserved) onboard(user string) {
	s.t.Helper()
	s.deliver(s.fake.FollowEvent(user))
	s.tap(user, "Tôi đồng ý")
}

func TestZalo_OnboardingFromFollowAndConsentByButton(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "8890635404729405962"
	s.deliver(s.fake.FollowEvent(user))
	texts := s.fake.Texts(user)
	mustContain(t, texts, "không phải người thật")
	mustContain(t, texts, "91/2025/QH15")
	if n := s.count("SELECT count(*) FROM users"); n != 0 {
		t.Fatalf("%d users stored before consent", n)
	}
	// The consent is a real Zalo button (3 buttons fit), its payload prefixed.
	m, ok := s.fake.LastWithButtons(user)
	if !ok || len(m.Buttons) != 3 || !strings.HasPrefix(m.Buttons[0].Payload, zalo.CallbackPrefix) || m.Buttons[0].Type != "oa.query.hide" {
		t.Fatalf("consent message %+v", m)
	}
	// Typing the payload's text by hand is not a tap: only our prefix is.
	s.deliver(s.fake.TextEvent(user, strings.TrimPrefix(m.Buttons[0].Payload, zalo.CallbackPrefix)))
	if n := s.count("SELECT count(*) FROM users"); n != 0 {
		t.Fatalf("typed text taken for the consent button")
	}
	s.tap(user, "Tôi đồng ý")
	if n := s.count("SELECT count(*) FROM accounts WHERE channel = 'zalo' AND external_id = $1", user); n != 1 {
		t.Fatalf("%d Zalo accounts after consent, want 1", n)
	}
	// The menu has more than 5 items: a numbered list, answered by typing.
	mustContain(t, s.fake.Texts(user), "Bạn muốn làm gì?")
	mustContain(t, s.fake.Texts(user), "Gõ một số từ 1 đến")
	before := len(s.fake.MessagesTo(user))
	s.choose(user, "Hướng dẫn")
	mustContain(t, s.fake.Texts(user)[before:], "/deleteme")
	// The help has a single button (back to the menu): a real one again,
	// and the list is forgotten, so a typed number is text.
	before = len(s.fake.MessagesTo(user))
	s.deliver(s.fake.TextEvent(user, "3"))
	if texts := s.fake.Texts(user)[before:]; len(texts) == 0 || strings.Contains(strings.Join(texts, "\n"), "/deleteme") {
		t.Fatalf("after the list was gone, 3 did: %q", texts)
	}
}

func TestZalo_RecordedFollowPayload(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "zalo", "follow.json"))
	if err != nil {
		t.Skipf("shared test data not found beside the repository: %v", err)
	}
	// The recorded event names its own app: the fake plays that app, and
	// the event is given a fresh timestamp (a day-old event is dropped).
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	fake := fakezalo.Start(fakezalo.Config{AppID: ev["app_id"].(string), OAID: ev["oa_id"].(string)})
	defer fake.Close()
	s := startZaloServe(t, fake, nil)
	fresh := strings.Replace(string(raw), `"`+ev["timestamp"].(string)+`"`, `"`+strconv.FormatInt(time.Now().UnixMilli(), 10)+`"`, 1)
	s.deliver([]byte(fresh))
	mustContain(t, fake.Texts("8890635404729405962"), "không phải người thật")
}

func TestZalo_ForgedSignatureIsRejected(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7002"
	ev := s.fake.FollowEvent(user)
	for name, sig := range map[string]string{"none": "", "forged": s.fake.Forge(ev), "of another body": s.fake.Signature(s.fake.TextEvent(user, "x"))} {
		status, err := s.fake.DeliverSigned(ev, sig)
		if err != nil || status != http.StatusUnauthorized {
			t.Errorf("%s: status %d %v, want 401", name, status, err)
		}
	}
	if msgs := s.fake.MessagesTo(user); len(msgs) != 0 {
		t.Fatalf("a forged event was processed: %+v", msgs)
	}
	if n := s.count("SELECT count(*) FROM users"); n != 0 {
		t.Fatalf("%d users", n)
	}
	if strings.Contains(s.stderr.String(), s.fake.Config().OASecretKey) || strings.Contains(s.stderr.String(), s.fake.Config().AppSecret) {
		t.Error("a secret appears in the log")
	}
}

func TestZalo_ReplayedEventIsAppliedOnce(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7003"
	follow := s.fake.FollowEvent(user)
	s.deliver(follow)
	n := len(s.fake.MessagesTo(user))
	s.deliver(follow)
	if again := len(s.fake.MessagesTo(user)); again != n {
		t.Fatalf("the replayed follow sent %d more messages", again-n)
	}
	m, _ := s.fake.LastWithButtons(user)
	tap := s.fake.TapEvent(user, m.Buttons[0].Payload)
	s.deliver(tap)
	n = len(s.fake.MessagesTo(user))
	s.deliver(tap)
	if again := len(s.fake.MessagesTo(user)); again != n {
		t.Fatalf("the replayed tap sent %d more messages", again-n)
	}
	if c := s.count("SELECT count(*) FROM users"); c != 1 {
		t.Fatalf("%d users after a replayed consent", c)
	}
}

func TestZalo_LanguageSwitch(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7004"
	s.onboard(user)
	s.deliver(s.fake.TextEvent(user, "/language"))
	s.tap(user, "English")
	texts := s.fake.Texts(user)
	mustContain(t, texts, "What would you like to do?")
	// The channel's own instruction follows the language too.
	mustContain(t, texts, "type a number from 1 to")
	var lang string
	if err := s.db.Pool.QueryRow(context.Background(), "SELECT language FROM users").Scan(&lang); err != nil || lang != "en" {
		t.Fatalf("users.language = %q, %v; want en", lang, err)
	}
	before := len(s.fake.MessagesTo(user))
	s.choose(user, "Help")
	mustContain(t, s.fake.Texts(user)[before:], "/deleteme")
}

// The longest text Zalo lets a user send (2,000 characters) is read and
// answered; replies over Zalo's limit are split (specified in
// bot/zalo: no flow writes one yet).
func TestZalo_LongText(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7005"
	s.onboard(user)
	before := len(s.fake.MessagesTo(user))
	long := strings.Repeat("Tôi muốn hỏi về chuyển đổi số ở Sơn La. ", 60)[:2000]
	s.deliver(s.fake.TextEvent(user, long))
	after := s.fake.Texts(user)[before:]
	mustContain(t, after, "chưa hiểu")
	for _, m := range s.fake.MessagesTo(user) {
		if n := len([]rune(m.Text)); n > 2000 {
			t.Errorf("a message of %d characters", n)
		}
	}
}

// The access token expires mid-conversation: Zalo answers -216, the bot
// renews the pair once and the user notices nothing.
func TestZalo_TokenExpiresMidConversation(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7006"
	s.deliver(s.fake.FollowEvent(user))
	s.fake.ExpireAccessTokens()
	s.tap(user, "Tôi đồng ý")
	mustContain(t, s.fake.Texts(user), "Bạn muốn làm gì?")
	if n := s.fake.RefreshCalls(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
}

// A restart keeps the stored pair: the spent ZALO_REFRESH_TOKEN of the
// environment is not used again.
func TestZalo_RestartKeepsTheRotatedPair(t *testing.T) {
	fake := fakezalo.Start(fakezalo.Config{})
	defer fake.Close()
	first := startZaloServe(t, fake, nil)
	first.onboard("7007")
	vars := maps.Clone(first.vars)
	vars["HTTP_ADDR"] = freeAddr(t)
	fake.ExpireAccessTokens() // the new replica must refresh, with the stored token
	second := startZaloServe(t, fake, vars)
	second.deliver(fake.TextEvent("7007", "/help"))
	mustContain(t, fake.Texts("7007"), "/deleteme")
	for _, c := range fake.Calls("oauth") {
		if c.Error != 0 {
			t.Fatalf("a refresh was refused (%d): the spent seed was used again", c.Error)
		}
	}
	if n := fake.RefreshCalls(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
}

func TestZalo_UnfollowAndFollowAgain(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7008"
	s.onboard(user)
	blocked := func() bool {
		var b bool
		if err := s.db.Pool.QueryRow(context.Background(),
			"SELECT blocked_at IS NOT NULL FROM accounts WHERE channel = 'zalo' AND external_id = $1", user).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	n := len(s.fake.MessagesTo(user))
	s.deliver(s.fake.UnfollowEvent(user))
	if !blocked() || len(s.fake.MessagesTo(user)) != n {
		t.Fatalf("unfollow: blocked %v, %d new messages", blocked(), len(s.fake.MessagesTo(user))-n)
	}
	s.deliver(s.fake.FollowEvent(user))
	if blocked() {
		t.Fatal("follow did not unblock")
	}
	mustContain(t, s.fake.Texts(user)[n:], "Bạn muốn làm gì?")
}

func TestZalo_OddInputsAreAnswered(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7009"
	s.onboard(user)
	for _, tc := range []struct {
		name string
		ev   []byte
		want string
	}{
		{"sticker", s.fake.Event("user_send_sticker", user, map[string]any{"attachments": []any{map[string]any{"type": "sticker", "payload": map[string]string{"id": "1"}}}}), "chỉ đọc được chữ"},
		{"photo", s.fake.ImageEvent(user, []byte("jpeg"), ""), "chỉ đọc được chữ"},
		{"unknown command", s.fake.TextEvent(user, "/khongco"), "không biết lệnh"},
		{"emoji", s.fake.TextEvent(user, "👍🏽🇻🇳❤️‍🔥"), "chưa hiểu"},
		{"a greeting among emoji", s.fake.TextEvent(user, "👍🏽🇻🇳 xin chào 🙏"), "Xin chào bạn!"},
		{"thanks", s.fake.TextEvent(user, "cám ơn ạ"), "Không có gì ạ!"},
	} {
		before := len(s.fake.MessagesTo(user))
		s.deliver(tc.ev)
		if got := s.fake.Texts(user)[before:]; len(got) == 0 {
			t.Fatalf("%s: no answer", tc.name)
		}
		mustContain(t, s.fake.Texts(user)[before:], tc.want)
	}
	// An unknown command carries the menu's button, a real Zalo button.
	s.deliver(s.fake.TextEvent(user, "/khongco"))
	msgs := s.fake.MessagesTo(user)
	if last := msgs[len(msgs)-1]; len(last.Buttons) != 1 || last.Buttons[0].Title != "⬅️ Về menu" || last.Buttons[0].Type != "oa.query.hide" {
		t.Fatalf("the unknown command's answer %+v; want the menu's button", last)
	}
	s.tap(user, "Về menu")
	mustContain(t, s.fake.Texts(user)[len(msgs):], "Bạn muốn làm gì?")
	// Receipts and the OA's own echoes are acknowledged, not answered.
	before := len(s.fake.MessagesTo(user))
	s.deliver(s.fake.Event("user_seen_message", user, map[string]any{"msg_ids": []string{"x"}}))
	if len(s.fake.MessagesTo(user)) != before {
		t.Error("a receipt was answered")
	}
}

// Telegram and Zalo in one serve: each user is answered on their channel.
func TestZalo_WithTelegramInOneServe(t *testing.T) {
	tg := fakeapi.Start(testToken)
	defer tg.Close()
	s := startZaloServe(t, nil, map[string]string{"TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": tg.URL})
	s.deliver(s.fake.FollowEvent("7010"))
	mustContain(t, s.fake.Texts("7010"), "không phải người thật")
	tg.UserText(7010, "/start")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := tg.WaitFor(ctx, func(calls []fakeapi.Call) bool {
		for _, c := range calls {
			if c.Method == "sendMessage" && c.ChatID() == 7010 {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("Telegram got no reply; log:\n%s", s.stderr.String())
	}
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`hocvuso_updates_total{channel="zalo",outcome="ok"}`,
		`hocvuso_outbound_requests_total{channel="zalo",method="message/cs",status="200"}`,
		`hocvuso_outbound_requests_total{channel="zalo",method="oauth/access_token",status="200"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestZalo_BadConfigurationStopsWithTheVariableNamed(t *testing.T) {
	var stderr syncBuffer
	code := run(context.Background(), []string{"serve"}, &env{
		getenv: func(k string) string {
			return map[string]string{"ZALO_APP_ID": "123", "ZALO_APP_SECRET": "s"}[k]
		},
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
	})
	if code == 0 || !strings.Contains(stderr.String(), "ZALO_OA_SECRET_KEY") || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
}

// Without ZALO_REFRESH_TOKEN and with nothing stored, serve stops and says
// which variable seeds the store.
func TestZalo_EmptyTokenStoreNeedsTheRefreshToken(t *testing.T) {
	fake := fakezalo.Start(fakezalo.Config{})
	defer fake.Close()
	cfg := fake.Config()
	var stderr syncBuffer
	vars := map[string]string{
		"DATABASE_URL": storetest.NewDatabaseURL(t), "REDIS_URL": storetest.RedisURL(), "REDIS_PREFIX": storetest.Name("test:") + ":",
		"HTTP_ADDR": freeAddr(t), "ZALO_APP_ID": cfg.AppID, "ZALO_APP_SECRET": cfg.AppSecret, "ZALO_OA_SECRET_KEY": cfg.OASecretKey,
		"ZALO_API_URL": fake.URL, "ZALO_OAUTH_URL": fake.URL,
	}
	code := run(context.Background(), []string{"serve"}, &env{getenv: func(k string) string { return vars[k] },
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr})
	if code == 0 || !strings.Contains(stderr.String(), "hocvuso: config: ZALO_REFRESH_TOKEN:") {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
}

// A whole quick test on Zalo: the choice of test is a numbered list (more
// than 5 options), answered by typing its number; the questions carry
// their options as real buttons (A–D), answered by tapping, then a second
// attempt answered by typing. PostgreSQL keeps both attempts whole.
func TestZalo_QuizByButtonsAndByTyping(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7011"
	s.onboard(user)
	for attempt, answer := range []func(){
		func() { s.tap(user, "A") },
		func() { s.deliver(s.fake.TextEvent(user, "2")) },
	} {
		s.deliver(s.fake.TextEvent(user, "/quiz"))
		mustContain(t, s.fake.Texts(user), "Gõ một số từ 1 đến")
		s.choose(user, "Kiểm tra nhanh")
		for i := range 10 {
			m, ok := s.fake.LastWithButtons(user)
			if !ok || !strings.Contains(m.Text, "Câu "+strconv.Itoa(i+1)+"/10") || len(m.Buttons) < 3 || len(m.Buttons) > 5 {
				t.Fatalf("attempt %d, question %d: %+v", attempt+1, i+1, m)
			}
			answer()
		}
		mustContain(t, s.fake.Texts(user), "🏁 Xong!")
		if n := s.count(`SELECT count(*) FROM quiz_attempts WHERE finished_at IS NOT NULL`); n != attempt+1 {
			t.Fatalf("%d finished attempts, want %d", n, attempt+1)
		}
	}
	if n := s.count(`SELECT count(*) FROM quiz_answers`); n != 20 {
		t.Fatalf("%d answers recorded, want 20", n)
	}
	// The second attempt was typed "2": option B every time.
	if n := s.count(`SELECT count(DISTINCT position) FROM quiz_answers a JOIN quiz_attempts q ON q.id = a.attempt_id
		WHERE q.id = (SELECT max(id) FROM quiz_attempts) AND a.chosen = (q.option_orders->a.position->>1)::int`); n != 10 {
		t.Errorf("%d of the typed answers were option B, want 10", n)
	}
}

// tapWords are instructions to tap, press or click: on a numbered list
// there is nothing to tap.
var tapWords = map[string]*regexp.Regexp{
	"vi": regexp.MustCompile(`(?i)\b(bấm|nhấn|chạm)\b`),
	"en": regexp.MustCompile(`(?i)\b(tap|press|click)\b`),
}

// On Zalo more than 5 options are a numbered list to type from, with the
// zalo.choose instruction, and the menu always has more. What is said
// there, or beside it, asks to choose, never to tap: the menu; text not
// understood and a sticker, outside any flow; the profile's commune
// question (16 first letters and Skip), its refusals and a search's names.
// Likewise the result of a test once every area is passed, before the
// certificate is issued, which offers it: 4 real buttons today, but the quiz does not bound them
// (a hook adds a row). In Vietnamese and English.
func TestZalo_NumberedScreensSayNoTap(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	b := theBank(t)
	for _, c := range []struct{ lang, user string }{{"vi", "7012"}, {"en", "7013"}} {
		lang, user := c.lang, c.user
		T := func(id string) string { return cat.Text(lang, id, nil) }
		// seen checks what Zalo got since the last call: nothing says to
		// tap, and the last message is a numbered list (no buttons, the
		// items, zalo.choose) or not.
		sent := len(s.fake.MessagesTo(user))
		seen := func(what string, numbered bool) {
			t.Helper()
			msgs := s.fake.MessagesTo(user)[sent:]
			sent += len(msgs)
			if len(msgs) == 0 {
				t.Fatalf("%s, %s: nothing sent", lang, what)
			}
			var texts []string
			for _, m := range msgs {
				texts = append(texts, m.Text)
				if w := tapWords[lang].FindString(m.Text); w != "" {
					t.Errorf("%s, %s: says %q:\n%s", lang, what, w, m.Text)
				}
			}
			last := msgs[len(msgs)-1]
			choose := strings.SplitN(cat.Text(lang, "zalo.choose", map[string]any{"Max": 0}), " 0 ", 2)[0]
			if got := len(last.Buttons) == 0 && strings.Contains(last.Text, choose) && strings.Contains(last.Text, "\n1. "); got != numbered {
				t.Errorf("%s, %s: numbered %v, want %v:\n%s", lang, what, got, numbered, strings.Join(texts, "\n---\n"))
			}
		}
		say := func(text string) { s.deliver(s.fake.TextEvent(user, text)) }
		sticker := func() {
			s.deliver(s.fake.Event("user_send_sticker", user, map[string]any{"attachments": []any{map[string]any{"type": "sticker", "payload": map[string]string{"id": "1"}}}}))
		}

		s.onboard(user)
		if lang == "en" {
			sent = len(s.fake.MessagesTo(user))
			say("/language")
			s.tap(user, "English")
		}
		seen("the menu", true)
		say("bao giờ thi?")
		seen("text not understood, and the menu", true)
		say("xin chào")
		seen("a greeting, with the menu's button", false)
		sticker()
		seen("a sticker", false)

		say("/profile")
		s.tap(user, T("profile.change.commune"))
		seen("the commune question", true)
		sticker()
		seen("a sticker at the commune question", true)
		say("xyzxyz")
		seen("a name not found", true)
		say("🙂🙂")
		seen("no letters", true)
		say(strings.Repeat("Chiềng Cơi ", 200))
		seen("too long", true)
		say("phieng")
		seen("four names found", true)

		var id int64
		if err := s.db.Pool.QueryRow(context.Background(),
			`SELECT user_id FROM accounts WHERE channel = 'zalo' AND external_id = $1`, user).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for i, area := range b.AreaIDs() {
			at := time.Date(2026, 11, 2+i, 9, 0, 0, 0, time.UTC)
			if _, err := s.db.Pool.Exec(context.Background(), `INSERT INTO quiz_attempts
				(user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
				VALUES ($1, $2, $3, '{}', '[]', 10, 9, true, $4, $4)`, id, b.Version, area, at); err != nil {
				t.Fatal(err)
			}
		}
		say("/quiz")
		s.choose(user, T("quiz.quick.name"))
		for range 9 {
			s.tap(user, "A")
		}
		before := len(s.fake.MessagesTo(user))
		s.tap(user, "A")
		// The result's head (the questions missed may say "bấm" of a link:
		// the bank's words, not the bot's), with 4 buttons; then the
		// profile's offer, the commune question.
		all := cat.Text(lang, "quiz.result.all", map[string]any{"N": len(b.Areas)})
		found := false
		for _, m := range s.fake.MessagesTo(user)[before:] {
			if head, _, _ := strings.Cut(m.Text, "\n\n"); strings.Contains(head, all) {
				found = true
				if w := tapWords[lang].FindString(head); w != "" {
					t.Errorf("%s, the result with every area passed: says %q:\n%s", lang, w, head)
				}
			}
		}
		if !found {
			t.Errorf("%s: no result says %q:\n%s", lang, all, strings.Join(s.fake.Texts(user)[before:], "\n---\n"))
		}
		sent = len(s.fake.MessagesTo(user)) - 1
		seen("the profile's offer after the test", true)
	}
}

// focalOfSNV onboards a Zalo user and makes them the focal point of Sở Nội
// vụ (unit SNV, created here), as an invite would; it returns their user id.
func (s *zserved) focalOfSNV(user string) int64 {
	s.t.Helper()
	ctx := context.Background()
	if _, _, err := s.db.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", time.Now()); err != nil {
		s.t.Fatal(err)
	}
	s.onboard(user)
	var focal int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT user_id FROM accounts WHERE channel = 'zalo' AND external_id = $1`, user).Scan(&focal); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.db.GrantRole(ctx, focal, store.RoleFocal, "SNV", "admin", time.Now()); err != nil {
		s.t.Fatal(err)
	}
	return focal
}
