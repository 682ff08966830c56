package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
)

const testSecret = "s3cret_Token-1"

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// recorder is a HandleFunc that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	updates []*bot.Update
	err     error
}

func (r *recorder) handle(_ context.Context, u *bot.Update) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
	return r.err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.updates)
}

func payload(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestWebhook(t *testing.T) {
	text := payload(t, "message_emoji.json")
	cases := []struct {
		name     string
		method   string
		secret   *string
		body     string
		handlerE error
		status   int
		handled  bool
	}{
		{name: "no secret", method: "POST", body: text, status: 401},
		{name: "wrong secret", method: "POST", secret: ptr("s3cret_Token-2"), body: text, status: 401},
		{name: "secret prefix", method: "POST", secret: ptr("s3cret"), body: text, status: 401},
		{name: "empty secret", method: "POST", secret: ptr(""), body: text, status: 401},
		{name: "GET", method: "GET", secret: ptr(testSecret), status: 405},
		{name: "right secret", method: "POST", secret: ptr(testSecret), body: text, status: 200, handled: true},
		{name: "handler fails", method: "POST", secret: ptr(testSecret), body: text, handlerE: errors.New("redis down"), status: 500, handled: true},
		{name: "malformed JSON", method: "POST", secret: ptr(testSecret), body: `{"update_id":`, status: 200},
		{name: "ignored kind", method: "POST", secret: ptr(testSecret), body: payload(t, "inline_query.json"), status: 200},
		{name: "too large", method: "POST", secret: ptr(testSecret), body: `{"update_id":1,"message":{"text":"` + strings.Repeat("a", 2<<20) + `"}}`, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.handlerE}
			h, err := NewWebhook(testSecret, rec.handle, discard())
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(tc.method, "/telegram", strings.NewReader(tc.body))
			if tc.secret != nil {
				req.Header.Set(SecretHeader, *tc.secret)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if got := rec.count(); got != map[bool]int{false: 0, true: 1}[tc.handled] {
				t.Fatalf("handler called %d times", got)
			}
			if tc.handled && rec.updates[0].Text != "Chào 👋🏽 gia đình 👨‍👩‍👧 🇻🇳" {
				t.Errorf("handled %+v", rec.updates[0])
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestNewWebhookRefusesBadSecrets(t *testing.T) {
	rec := &recorder{}
	for _, s := range []string{"", "has space", "ümlaut", strings.Repeat("a", 257), "semi;colon"} {
		if _, err := NewWebhook(s, rec.handle, nil); err == nil {
			t.Errorf("secret %q accepted", s)
		}
	}
	if _, err := NewWebhook(strings.Repeat("a", 256), nil, nil); err == nil {
		t.Error("nil handler accepted")
	}
}

// TestWebhookOverHTTP delivers updates as Telegram does, through a real
// listener, with the fake's helper.
func TestWebhookOverHTTP(t *testing.T) {
	rec := &recorder{}
	h, err := NewWebhook(testSecret, rec.handle, discard())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := []byte(payload(t, "callback_with_message.json"))
	fake := fakeapi.New(testToken)

	if status, err := fake.DeliverWebhook(srv.URL, "", body); err != nil || status != http.StatusUnauthorized {
		t.Fatalf("without secret: %d %v", status, err)
	}
	if status, err := fake.DeliverWebhook(srv.URL, testSecret, body); err != nil || status != http.StatusOK {
		t.Fatalf("with secret: %d %v", status, err)
	}
	if rec.count() != 1 || rec.updates[0].Kind != bot.KindCallback || rec.updates[0].MessageID != "901" {
		t.Fatalf("handled %+v", rec.updates)
	}
	// The request's context reaches the handler.
	var ctxErr error
	h2, _ := NewWebhook(testSecret, func(ctx context.Context, _ *bot.Update) error { ctxErr = ctx.Err(); return nil }, discard())
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	req.Header.Set(SecretHeader, testSecret)
	h2.ServeHTTP(httptest.NewRecorder(), req)
	if ctxErr != nil {
		t.Errorf("context: %v", ctxErr)
	}
}

// A tap delivered by webhook is answered in the webhook's response, which
// Telegram runs as a call: one HTTP call fewer per tap. When handling
// fails, Telegram runs nothing from the error response, so the answer goes
// through the API instead: every tap is answered.
func TestWebhookAnswersTapInResponse(t *testing.T) {
	c, fake, _ := newTestClient(t)
	body := []byte(payload(t, "callback_with_message.json"))
	var handleErr error
	h, err := NewWebhook(testSecret, func(ctx context.Context, u *bot.Update) error {
		if err := c.Answer(ctx, u, "Đã ghi"); err != nil {
			return err
		}
		// A second answer to the same tap is not the response's: it is
		// called (Telegram would refuse it; the engine never makes one).
		if err := c.Answer(ctx, u, "again"); err != nil {
			return err
		}
		return handleErr
	}, discard())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	if status, err := fake.DeliverWebhook(srv.URL, testSecret, body); err != nil || status != http.StatusOK {
		t.Fatalf("delivery: %d %v", status, err)
	}
	calls := fake.Calls("answerCallbackQuery")
	if len(calls) != 2 || calls[0].InResponse || calls[0].Params["text"] != "again" ||
		!calls[1].InResponse || calls[1].Params["callback_query_id"] != "77002" || calls[1].Params["text"] != "Đã ghi" ||
		calls[1].Status != http.StatusOK {
		t.Fatalf("answers %+v", calls)
	}

	handleErr = errors.New("redis down")
	if status, err := fake.DeliverWebhook(srv.URL, testSecret, body); err != nil || status != http.StatusInternalServerError {
		t.Fatalf("failed delivery: %d %v", status, err)
	}
	calls = fake.Calls("answerCallbackQuery")[2:]
	if len(calls) != 2 || calls[0].InResponse || calls[1].InResponse || calls[1].Params["text"] != "Đã ghi" {
		t.Fatalf("answers after a failure %+v", calls)
	}

	// Outside a webhook request (long polling), the answer is a call.
	u, err := Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(ctxT(t), u, ""); err != nil {
		t.Fatal(err)
	}
	if calls := fake.Calls("answerCallbackQuery"); len(calls) != 5 || calls[4].InResponse {
		t.Fatalf("polled answer %+v", calls[4:])
	}
}

// A tap on a button in a group is ignored like the rest of the group, but
// answered, with nothing: the user's spinner stops. The answer goes in the
// webhook's response, as any tap's.
func TestWebhookAnswersATapInAGroup(t *testing.T) {
	rec := &recorder{}
	h, err := NewWebhook(testSecret, rec.handle, discard())
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/telegram", strings.NewReader(payload(t, "callback_group_message.json")))
	req.Header.Set(SecretHeader, testSecret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || rec.count() != 0 {
		t.Fatalf("status %d, handled %d times; want 200 and not handled", w.Code, rec.count())
	}
	answer, err := url.ParseQuery(w.Body.String())
	if err != nil {
		t.Fatalf("response %q: %v", w.Body.String(), err)
	}
	if answer.Get("method") != "answerCallbackQuery" || answer.Get("callback_query_id") != "77004" || answer.Get("text") != "" {
		t.Errorf("response %q; want an empty answer to callback query 77004", w.Body.String())
	}

	// Through the fake, which runs it as Telegram does.
	srv := fakeapi.Start(testToken)
	defer srv.Close()
	hs := httptest.NewServer(h)
	defer hs.Close()
	status, err := srv.DeliverWebhook(hs.URL, testSecret, []byte(payload(t, "callback_group_message.json")))
	if err != nil || status != 200 {
		t.Fatalf("status %d, %v", status, err)
	}
	calls := srv.Calls("answerCallbackQuery")
	if len(calls) != 1 || calls[0].Params["callback_query_id"] != "77004" || !calls[0].InResponse || calls[0].Status != 200 {
		t.Errorf("answers %+v", calls)
	}
	if n := len(srv.Calls("sendMessage")); n != 0 {
		t.Errorf("%d messages sent to the group", n)
	}
}
