package fakeapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FuzzParseLeanForm: whatever the fast path accepts, it reads as
// url.ParseQuery (the general path) does.
func FuzzParseLeanForm(f *testing.F) {
	for _, s := range []string{
		"chat_id=7&text=Xin+ch%C3%A0o&reply_markup=null&entities=null",
		"chat_id=7&message_id=12&text=a%26b%3Dc&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D",
		"callback_query_id=q1&text=&show_alert=false",
		"text=1&text=2&&=&chat_id",
		"chat_id=7;text=x", "a=%zz", "chat%5Fid=1", "inline_message_id=abc+d",
		"callback_query_id=q7&method=answerCallbackQuery&text=%C4%90%C3%BAng", "text=%4", "text=%e1%ba%a1+%",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := parseLeanForm(body)
		if !ok {
			return
		}
		q, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatalf("%q accepted by the fast path, refused by url.ParseQuery: %v", body, err)
		}
		want := leanForm{chatID: q.Get("chat_id"), text: q.Get("text"), markup: q.Get("reply_markup"),
			messageID: q.Get("message_id"), inlineID: q.Get("inline_message_id"), callbackID: q.Get("callback_query_id"),
			method: q.Get("method"), hasMarkup: q.Has("reply_markup")}
		if got != want {
			t.Fatalf("%q: fast path %+v; url.ParseQuery %+v", body, got, want)
		}
	})
}

// FuzzAppendJSONString: the hand-made encoding decodes back to the string.
// FuzzFastKeyboard: whatever the fast reader accepts, encoding/json reads
// the same way.
func FuzzFastKeyboard(f *testing.F) {
	for _, s := range []string{
		`{"inline_keyboard":[[{"text":"A. Đúng","callback_data":"quiz|ans|3|0"},{"text":"B \u0026 \u003cC\u003e","callback_data":"quiz|ans|3|1"}],[{"text":"Dừng","callback_data":"quiz|stop|3|"}]]}`,
		`{"inline_keyboard":[]}`, `{"inline_keyboard":[[]]}`, `{"inline_keyboard":[[{"text":"x","url":"https://a.b"}]]}`,
		`{"inline_keyboard":[[{"text":"\"q\"\\\n","callback_data":"d"}]]}`, `{"inline_keyboard":[[{"text":"a","text":"b"}]]}`,
		`{"inline_keyboard":[[{"TEXT":"a"}]]}`, `{"inline_keyboard":[[{"text":"a"}]]} `, "{\"inline_keyboard\":[[{\"text\":\"\xff\"}]]}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		rows, ok := fastKeyboard(raw)
		if !ok {
			return
		}
		var m struct {
			InlineKeyboard [][]Button `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("%q read by the fast reader as %+v; encoding/json: %v", raw, rows, err)
		}
		if !reflect.DeepEqual(rows, m.InlineKeyboard) {
			t.Fatalf("%q: fast reader %#v; encoding/json %#v", raw, rows, m.InlineKeyboard)
		}
	})
}

// The fast reader takes what go-telegram-bot-api v5.5.1 sends.
func TestFastKeyboardReadsTheLibrarysKeyboards(t *testing.T) {
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A. Đúng & <sai>", "quiz|ans|3|0"),
			tgbotapi.NewInlineKeyboardButtonData(`"B" \ C`, "quiz|ans|3|1")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Xem", "https://example.org/?a=1&b=2")))
	raw, err := json.Marshal(kb)
	if err != nil {
		t.Fatal(err)
	}
	rows, ok := fastKeyboard(string(raw))
	want := [][]Button{
		{{Text: "A. Đúng & <sai>", CallbackData: "quiz|ans|3|0"}, {Text: `"B" \ C`, CallbackData: "quiz|ans|3|1"}},
		{{Text: "Xem", URL: "https://example.org/?a=1&b=2"}},
	}
	if !ok || !reflect.DeepEqual(rows, want) {
		t.Errorf("%s read as %+v, %v; want %+v", raw, rows, ok, want)
	}
}

// FuzzReadLeanRequest: a request the minimal server reads, net/http reads
// the same way (method, target, body), whenever net/http accepts it too.
func FuzzReadLeanRequest(f *testing.F) {
	for _, s := range []string{
		"POST /bot1:x/sendMessage HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nchat_id=",
		"POST /bot1:x/sendDocument HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
		"GET /file/bot1:x/documents/file_1.pdf HTTP/1.0\r\nHost: a\r\n\r\n",
		"POST /bot1:x/getMe HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "GARBAGE\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	s := New("1:x")
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req leanRequest
		if err := s.readLeanRequest(bufio.NewReader(bytes.NewReader(raw)), discardConn{}, &req); err != nil {
			return
		}
		std, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return // net/http is stricter (header names, hosts...)
		}
		body, err := io.ReadAll(std.Body)
		if err != nil {
			return
		}
		if std.Method != req.method || std.RequestURI != req.target || !bytes.Equal(body, req.body) {
			t.Fatalf("%q: lean read %s %s %q; net/http %s %s %q", raw, req.method, req.target, req.body, std.Method, std.RequestURI, body)
		}
	})
}

// discardConn is a net.Conn that takes writes (100 Continue) and nothing else.
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error) { return len(b), nil }
