package fakeapi

import (
	"encoding/json"
	"net/url"
	"testing"
	"unicode/utf8"
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
			hasMarkup: q.Has("reply_markup")}
		if got != want {
			t.Fatalf("%q: fast path %+v; url.ParseQuery %+v", body, got, want)
		}
	})
}

// FuzzAppendJSONString: the hand-made encoding decodes back to the string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "Câu 3/10", "\"quoted\" \\ back\n\t\r\x00\x1f", "🙂 <b>&amp;</b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // checkText lets only valid UTF-8 through
		}
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil || back != s {
			t.Fatalf("%q encoded as %s: %q, %v", s, appendJSONString(nil, s), back, err)
		}
	})
}
