package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// captureClient keeps the form of the library's request and answers ok.
type captureClient struct{ form url.Values }

func (c *captureClient) Do(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	c.form, _ = url.ParseQuery(string(b))
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"ok":true,"result":true}`))}, nil
}

// libraryForm returns the form go-telegram-bot-api v5.5.1 sends for c.
func libraryForm(t *testing.T, c tgbotapi.Chattable) url.Values {
	t.Helper()
	cc := &captureClient{}
	api := &tgbotapi.BotAPI{Token: "1:x", Client: cc}
	api.SetAPIEndpoint("http://api.invalid/bot%s/%s")
	if _, err := api.Request(c); err != nil {
		t.Fatal(err)
	}
	return cc.form
}

// sameForm compares our form with the library's, which also sends
// entities=null (a nil slice) that means nothing to the Bot API.
func sameForm(t *testing.T, ours form, lib url.Values) {
	t.Helper()
	got, err := url.ParseQuery(string(ours))
	if err != nil {
		t.Fatal(err)
	}
	if lib.Get("entities") == "null" {
		lib.Del("entities")
	}
	for k := range lib {
		if k == "reply_markup" {
			var a, b any
			_ = json.Unmarshal([]byte(lib.Get(k)), &a)
			_ = json.Unmarshal([]byte(got.Get(k)), &b)
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Errorf("reply_markup %s; the library sends %s", jb, ja)
			}
		} else if got.Get(k) != lib.Get(k) {
			t.Errorf("%s = %q; the library sends %q", k, got.Get(k), lib.Get(k))
		}
	}
	if len(got) != len(lib) {
		t.Errorf("fields %v; the library sends %v", got, lib)
	}
}

// The forms are the ones the library would send: the same values once parsed.
func TestFormAsTheLibrarySendsIt(t *testing.T) {
	text := "Câu 3/10 & \"mật khẩu\" <b>? 100% + 1=2\n🙂"
	rows := [][]bot.Button{{{Label: "A. Đúng", Data: "quiz|ans|3|0"}, {Label: "B & <C>", Data: "quiz|ans|3|1"}}, {}, {{Label: "Dừng", Data: "quiz|stop|3|"}}}

	e := tgbotapi.NewEditMessageText(-1001234, 77, text)
	e.ReplyMarkup = keyboard(rows)
	sameForm(t, form(nil).addInt("chat_id", -1001234).addInt("message_id", 77).add("text", text).addKeyboard(rows), libraryForm(t, e))

	m := tgbotapi.NewMessage(42, text)
	m.ReplyMarkup = *keyboard(rows)
	sameForm(t, form(nil).addInt("chat_id", 42).add("text", text).addKeyboard(rows), libraryForm(t, m))
	sameForm(t, form(nil).addInt("chat_id", 42).add("text", text).addKeyboard(nil), libraryForm(t, tgbotapi.NewMessage(42, text)))

	sameForm(t, form(nil).add("callback_query_id", "cb1").add("text", "Đã lưu"), libraryForm(t, tgbotapi.NewCallback("cb1", "Đã lưu")))
	sameForm(t, form(nil).add("callback_query_id", "cb1"), libraryForm(t, tgbotapi.NewCallback("cb1", "")))

	// No buttons, or only empty rows: no reply_markup at all.
	for _, rows := range [][][]bot.Button{nil, {{}, {}}} {
		if f := form(nil).add("text", "x").addKeyboard(rows); string(f) != "text=x" {
			t.Errorf("rows %v: form %q", rows, f)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzAppendQueryEscape(f *testing.F) {
	for _, s := range []string{"", "a b&c=d%e+f", "Câu 3/10 🙂", "\x00\xff~-_."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQueryEscape(nil, s)), url.QueryEscape(s); got != want {
			t.Fatalf("%q escaped as %q; url.QueryEscape gives %q", s, got, want)
		}
	})
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "Câu 3/10", "\"\\\n\r\t\x00\x1f\x7f\b\f", "\xff\xfe bad", "🙂\u2028\u2029 <&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		want, _ := json.Marshal(s)
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, got, err)
		}
		_ = json.Unmarshal(want, &b)
		if a != b {
			t.Fatalf("%q: %s reads %q; encoding/json's %s reads %q", s, got, a, want, b)
		}
		// Safe in HTML like encoding/json's: no raw <, >, &, U+2028, U+2029.
		if bytes.ContainsAny(got, "<>&\u2028\u2029") {
			t.Fatalf("%q encoded as %s", s, got)
		}
	})
}

// bodyClient answers every request with one body, for the library.
type bodyClient struct {
	status int
	body   []byte
}

func (c bodyClient) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.body))}, nil
}

// FuzzAnswerError: an answer means what it means to the library.
func FuzzAnswerError(f *testing.F) {
	for _, s := range []string{
		`{"ok":true,"result":{"message_id":5,"chat":{"id":1,"type":"private"},"date":1,"text":"x"}}`,
		`{"ok":true,"result":true}`, `{"ok":true}` + "\n" + `garbage`,
		`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
		`{"ok":false,"error_code":400,"description":"Bad Request: message is not modified"}`,
		`{"ok":true,"ok":false}`, `{"ok":"yes"}`, `{"ok":false,"error_code":1.5}`, `[1]`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		api := &tgbotapi.BotAPI{Token: "1:x", Client: bodyClient{200, b}}
		api.SetAPIEndpoint("http://api.invalid/bot%s/%s")
		_, want := api.MakeRequest("sendMessage", nil)
		got := answerError(b)
		if (got == nil) != (want == nil) {
			t.Fatalf("%q: answerError %v; the library %v", b, got, want)
		}
		var ge, we *tgbotapi.Error
		if errors.As(want, &we) {
			if !errors.As(got, &ge) || *ge != *we {
				t.Fatalf("%q: answerError %#v; the library %#v", b, got, want)
			}
		}
	})
}

func TestPostErrors(t *testing.T) {
	c, srv, _ := newTestClient(t)
	ctx := ctxT(t)
	if err := c.post(ctx, "sendMessage", form(nil).add("chat_id", "42").add("text", "xin chào")); err != nil {
		t.Fatal(err)
	}
	if msgs := srv.MessagesTo(42); len(msgs) != 1 || msgs[0].Text != "xin chào" {
		t.Errorf("messages %+v", msgs)
	}
	err := c.post(ctx, "sendMessage", form(nil).add("chat_id", "42").add("text", " "))
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 400 || !strings.Contains(te.Message, "message text is empty") {
		t.Errorf("empty text: %v", err)
	}
}
