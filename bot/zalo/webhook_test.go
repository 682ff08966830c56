package zalo

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
)

const (
	testAppID = "2553928453557884079"
	testOAKey = "oa-Secret-key_123"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// recorder is a HandleFunc that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	updates []*bot.Update
	ctxErrs []error
	err     error
	delay   time.Duration
}

func (r *recorder) handle(ctx context.Context, u *bot.Update) error {
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
	r.ctxErrs = append(r.ctxErrs, ctx.Err())
	return r.err
}

func (r *recorder) got() []*bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*bot.Update(nil), r.updates...)
}

// event is a user_send_text body sent now, compact like Zalo's.
func textEvent(user, msgID, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"app_id": testAppID, "sender": map[string]string{"id": user}, "recipient": map[string]string{"id": "3662729599332560487"},
		"event_name": "user_send_text", "message": map[string]string{"text": text, "msg_id": msgID},
		"timestamp": fmt.Sprint(time.Now().UnixMilli()), "user_id_by_app": "1",
	})
	return b
}

func sign(body []byte) string {
	var s signed
	_ = json.Unmarshal(body, &s)
	return Sign(testAppID, body, string(s.Timestamp), testOAKey)
}

func post(h http.Handler, body []byte, signature string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/zalo/webhook", bytes.NewReader(body))
	if signature != "" {
		req.Header.Set(SignatureHeader, signature)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func newWebhook(t *testing.T, rec *recorder, mod func(*WebhookConfig)) *Webhook {
	t.Helper()
	cfg := WebhookConfig{AppID: testAppID, OASecretKey: testOAKey, Handle: rec.handle, Log: discard()}
	if mod != nil {
		mod(&cfg)
	}
	h, err := NewWebhook(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Wait)
	return h
}

// The signature is sha256 of app id, raw body, timestamp and OA secret key,
// concatenated: a vector computed outside Go.
func TestSignKnownVector(t *testing.T) {
	body := []byte(`{"app_id":"1","event_name":"user_send_text","timestamp":"1699003881354","sender":{"id":"42"},"message":{"text":"Chào","msg_id":"m1"}}`)
	const want = "mac=0910185051c37bb19f56eb68b81f29671771b4989baaa9c1dc9ae8291d0d833c"
	if got := Sign("1", body, "1699003881354", "oa-secret"); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if ok, byOA := Verify("1", "oa-secret", body, want); !ok || byOA {
		t.Fatalf("Verify = %v %v", ok, byOA)
	}
	if ok, _ := Verify("1", "oa-secret", body, strings.ToUpper(want)); !ok {
		t.Error("upper-case hex refused")
	}
}

func TestWebhookSignature(t *testing.T) {
	body := textEvent(me, "m-sig", "Xin chào")
	var s signed
	_ = json.Unmarshal(body, &s)
	ts := string(s.Timestamp)
	mac := hmac.New(sha256.New, []byte(testOAKey))
	mac.Write([]byte(testAppID + string(body) + ts))
	var indented bytes.Buffer
	_ = json.Indent(&indented, body, "", " ")

	cases := []struct {
		name      string
		body      []byte
		signature string
		status    int
	}{
		{"none", body, "", 401},
		{"right", body, sign(body), 200},
		{"without mac=", body, strings.TrimPrefix(sign(body), "mac="), 401},
		{"another key", body, Sign(testAppID, body, ts, "other"), 401},
		{"another app", body, Sign("1", body, ts, testOAKey), 401},
		{"another timestamp", body, Sign(testAppID, body, "1", testOAKey), 401},
		{"HMAC instead of sha256", body, "mac=" + hex.EncodeToString(mac.Sum(nil)), 401},
		// Signed as sent compactly, delivered re-serialised: the raw bytes count.
		{"re-serialised body", indented.Bytes(), sign(body), 401},
		{"truncated signature", body, sign(body)[:40], 401},
		{"OA id as first term", body, Sign("3662729599332560487", body, ts, testOAKey), 200},
		{"body without timestamp", []byte(`{"event_name":"user_send_text"}`), Sign(testAppID, []byte(`{"event_name":"user_send_text"}`), "", testOAKey), 401},
		{"not JSON", []byte(`not json`), Sign(testAppID, []byte(`not json`), "", testOAKey), 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			h := newWebhook(t, rec, nil)
			w := post(h, tc.body, tc.signature)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			h.Wait()
			handled := len(rec.got())
			if want := map[bool]int{true: 1, false: 0}[tc.status == 200]; handled != want {
				t.Fatalf("handled %d times, want %d", handled, want)
			}
		})
	}
}

func TestWebhookAnswers(t *testing.T) {
	old := []byte(`{"app_id":"` + testAppID + `","sender":{"id":"1"},"event_name":"user_send_text","message":{"text":"a","msg_id":"x"},"timestamp":"1699003881354"}`)
	receipt := []byte(`{"app_id":"` + testAppID + `","sender":{"id":"oa"},"recipient":{"id":"1"},"event_name":"user_seen_message","message":{"msg_ids":["x"]},"timestamp":"1"}`)
	undecodable := []byte(`{"app_id":"` + testAppID + `","sender":"1","event_name":"user_send_text","timestamp":"1764000000000"}`)
	cases := []struct {
		name     string
		method   string
		body     []byte
		handlerE error
		status   int
		handled  bool
	}{
		{name: "GET", method: "GET", body: nil, status: 405},
		{name: "handled", method: "POST", body: textEvent(me, "m1", "Xin chào"), status: 200, handled: true},
		{name: "handler fails", method: "POST", body: textEvent(me, "m2", "Xin chào"), handlerE: errors.New("redis down"), status: 500, handled: true},
		{name: "receipt", method: "POST", body: receipt, status: 200},
		{name: "undecodable", method: "POST", body: undecodable, status: 200},
		{name: "older than a day", method: "POST", body: old, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.handlerE}
			h := newWebhook(t, rec, nil)
			req := httptest.NewRequest(tc.method, "/", bytes.NewReader(tc.body))
			req.Header.Set(SignatureHeader, sign(tc.body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			h.Wait()
			if got := len(rec.got()); got != map[bool]int{false: 0, true: 1}[tc.handled] {
				t.Fatalf("handler called %d times", got)
			}
			if tc.handled && rec.got()[0].Text != "Xin chào" {
				t.Errorf("handled %+v", rec.got()[0])
			}
		})
	}
}

func TestWebhookTooLarge(t *testing.T) {
	rec := &recorder{}
	h := newWebhook(t, rec, nil)
	body := textEvent(me, "big", strings.Repeat("a", maxBody))
	if w := post(h, body, sign(body)); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", w.Code)
	}
	if len(rec.got()) != 0 {
		t.Fatal("handled")
	}
}

// Zalo wants an answer within 2 s. A slow handling is answered 503 in time
// (never 200 before it is done), goes on detached from the request, and
// its redelivery is answered 200 once the engine has it done.
func TestWebhookAnswersInTimeAndNeverAcksEarly(t *testing.T) {
	rec := &recorder{delay: 300 * time.Millisecond}
	h := newWebhook(t, rec, func(c *WebhookConfig) { c.AckWithin = 50 * time.Millisecond })
	body := textEvent(me, "slow", "Xin chào")
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("POST", "/", bytes.NewReader(body)).WithContext(ctx)
	req.Header.Set(SignatureHeader, sign(body))
	w := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(w, req)
	cancel() // Zalo hung up
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Fatalf("answered after %v", took)
	}
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503 (not acknowledged before the handling is done)", w.Code)
	}
	h.Wait()
	got := rec.got()
	if len(got) != 1 || rec.ctxErrs[0] != nil {
		t.Fatalf("handling %d, context %v: want it finished with a live context", len(got), rec.ctxErrs)
	}

	// A fast handler within the budget is answered 200.
	rec2 := &recorder{delay: 10 * time.Millisecond}
	h2 := newWebhook(t, rec2, func(c *WebhookConfig) { c.AckWithin = time.Second })
	if w := post(h2, body, sign(body)); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	// The default budget keeps well inside Zalo's 2 s.
	h3, _ := NewWebhook(WebhookConfig{AppID: "1", OASecretKey: "k", Handle: rec.handle})
	if h3.cfg.AckWithin <= 0 || h3.cfg.AckWithin > 1800*time.Millisecond {
		t.Errorf("default AckWithin %v", h3.cfg.AckWithin)
	}
}

func TestWebhookHandleTimeout(t *testing.T) {
	var deadline time.Time
	var mu sync.Mutex
	h := newWebhook(t, &recorder{}, func(c *WebhookConfig) {
		c.HandleTimeout = 3 * time.Second
		c.Handle = func(ctx context.Context, _ *bot.Update) error {
			mu.Lock()
			defer mu.Unlock()
			deadline, _ = ctx.Deadline()
			return nil
		}
	})
	body := textEvent(me, "dl", "x")
	post(h, body, sign(body))
	h.Wait()
	mu.Lock()
	defer mu.Unlock()
	if left := time.Until(deadline); left < 2*time.Second || left > 3*time.Second {
		t.Fatalf("handling deadline in %v, want about 3 s", left)
	}
}

// A redelivered event reaches the handler with the same id, which is what
// the engine deduplicates on.
func TestWebhookRedeliveryKeepsTheID(t *testing.T) {
	rec := &recorder{}
	h := newWebhook(t, rec, nil)
	body := []byte(`{"app_id":"` + testAppID + `","oa_id":"3662729599332560487","follower":{"id":"8890635404729405962"},"event_name":"follow","source":"zalo","timestamp":"` +
		fmt.Sprint(time.Now().UnixMilli()) + `"}`)
	for range 2 {
		if w := post(h, body, sign(body)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	got := rec.got()
	if len(got) != 2 || got[0].ID != got[1].ID || got[0].Kind != bot.KindCommand || got[0].Command != "start" {
		t.Fatalf("updates %+v", got)
	}
}

func TestWebhookTypedNumberTapsTheList(t *testing.T) {
	rec := &recorder{}
	choices := &MemoryChoices{}
	h := newWebhook(t, rec, func(c *WebhookConfig) { c.Choices = choices })
	chat := bot.ChatKey{Channel: bot.Zalo, ChatID: me}
	if err := choices.PutChoices(context.Background(), chat, List{Data: []string{"quiz|start|4|", "profile|open|4|", "home|help|4|"}}); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"2", " 3. ", "4", "0", "2 xã", "Xin chào"} {
		body := textEvent(me, fmt.Sprintf("n%d", i), text)
		if w := post(h, body, sign(body)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	// Another chat has no list.
	body := textEvent("other", "n9", "1")
	post(h, body, sign(body))
	got := rec.got()
	want := []struct {
		kind bot.Kind
		data string
	}{{bot.KindCallback, "profile|open|4|"}, {bot.KindCallback, "home|help|4|"}, {bot.KindText, ""}, {bot.KindText, ""},
		{bot.KindText, ""}, {bot.KindText, ""}, {bot.KindText, ""}}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].Data != w.data {
			t.Errorf("update %d (%q): %v %q, want %v %q", i, got[i].Text, got[i].Kind, got[i].Data, w.kind, w.data)
		}
		if got[i].Kind == bot.KindCallback && got[i].CallbackID == "" {
			t.Errorf("update %d without callback id", i)
		}
	}
}

type failingChoices struct{ MemoryChoices }

func (*failingChoices) Choices(context.Context, bot.ChatKey) (List, error) {
	return List{}, errors.New("redis down")
}

func TestWebhookChoicesUnavailableIsRetried(t *testing.T) {
	rec := &recorder{}
	h := newWebhook(t, rec, func(c *WebhookConfig) { c.Choices = &failingChoices{} })
	body := textEvent(me, "r1", "1")
	if w := post(h, body, sign(body)); w.Code != 500 {
		t.Fatalf("status %d, want 500", w.Code)
	}
	// Text that is no number never needs the list.
	body = textEvent(me, "r2", "chào")
	if w := post(h, body, sign(body)); w.Code != 200 || len(rec.got()) != 1 {
		t.Fatalf("status %d, handled %d", w.Code, len(rec.got()))
	}
}

// The recorded payloads, signed as Zalo would sign them with their own
// app id, go through the webhook (their timestamps are old: no age limit).
func TestWebhookSharedPayloads(t *testing.T) {
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("shared payloads not found at %s: %v", sharedDir, err)
	}
	for name, w := range sharedWant {
		raw, err := os.ReadFile(filepath.Join(sharedDir, name))
		if err != nil {
			t.Fatal(err)
		}
		var s signed
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		h := newWebhook(t, rec, func(c *WebhookConfig) { c.AppID = string(s.AppID); c.MaxAge = -1 })
		if got := post(h, raw, Sign(string(s.AppID), raw, string(s.Timestamp), testOAKey)); got.Code != 200 {
			t.Fatalf("%s: status %d", name, got.Code)
		}
		if got := post(h, raw, Sign(string(s.AppID), raw, string(s.Timestamp), "wrong")); got.Code != 401 {
			t.Fatalf("%s forged: status %d", name, got.Code)
		}
		h.Wait()
		if got := rec.got(); len(got) != 1 || got[0].ID != w.u.ID || got[0].Kind != w.u.Kind {
			t.Errorf("%s: handled %+v", name, got)
		}
	}
}

func TestNewWebhookRefusesIncompleteConfig(t *testing.T) {
	rec := &recorder{}
	for _, c := range []WebhookConfig{
		{OASecretKey: "k", Handle: rec.handle},
		{AppID: "1", Handle: rec.handle},
		{AppID: "1", OASecretKey: "k"},
	} {
		if _, err := NewWebhook(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
