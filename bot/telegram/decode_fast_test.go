package telegram

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fastAgrees reads raw by the fast path and, when it takes it, checks that
// the update is the one encoding/json's path gives (but for Received),
// and that encoding/json reads it too. It reports whether the fast path
// took raw.
func fastAgrees(t *testing.T, raw []byte) bool {
	t.Helper()
	f := new(fastUpdate)
	if !f.read(raw) {
		return false
	}
	got, gotErr := Translate(f.tu)
	want, wantErr := decodeSlow(raw)
	if wantErr != nil && !errors.Is(wantErr, ErrIgnored) {
		t.Fatalf("fast path read %q, which encoding/json rejects: %v", raw, wantErr)
	}
	if gotErr != wantErr && !reflect.DeepEqual(gotErr, wantErr) { // a tap in a group: the same tap to answer
		t.Fatalf("%q: fast path error %v, encoding/json's %v", raw, gotErr, wantErr)
	}
	if got == nil || want == nil {
		if got != want {
			t.Fatalf("%q: fast path %+v, encoding/json's %+v", raw, got, want)
		}
		return true
	}
	g, w := *got, *want
	g.Received = w.Received
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%q: fast path\n%+v\nencoding/json's\n%+v", raw, g, w)
	}
	return true
}

// payloads returns every payload of the test folders, as it is and
// compacted as Telegram sends them, by name.
func payloads(t testing.TB) map[string][]byte {
	all := make(map[string][]byte)
	for _, dir := range []string{"testdata", sharedDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, path := range files {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			name := filepath.Base(path)
			all[name] = raw
			all["compact "+name] = compact.Bytes()
		}
	}
	return all
}

// tricky holds bodies that the fast path must read exactly as
// encoding/json does, or decline.
var tricky = []string{
	// Escapes, surrogates (paired, lone, reversed), invalid UTF-8.
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"\/start a\u00e9\"\\\n\t\ud83d\ude00 \ud800 \ude00\ud83d \u0000"}}`,
	"{\"update_id\":1,\"message\":{\"message_id\":2,\"chat\":{\"id\":3},\"text\":\"/start bad \xff\xfe \xed\xa0\x80 \xc3\"}}",
	"{\"update_id\":1,\"message\":{\"message_id\":2,\"from\":{\"id\":4,\"first_name\":\" L\xf0\x9fo \",\"last_name\":\"\\u0041\\u030a \"},\"chat\":{\"id\":3},\"text\":\"A\\u030a\"}}",
	`{"update_id":1,"callback_query":{"id":"\u0071\/1","from":{"id":4,"first_name":"a"},"data":"quiz|\u00e9|\ud83d\ude00"}}`,
	// Keys in another case would set the field; so would a duplicate.
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"Text":"hi"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","text":"b"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","TEXT":"b"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3,"ID":4},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a"},"Message":{"text":"b"}}`,
	`{"update_id":1,"message":{"message_id":2,"from":{"id":4,"first_name":"A"},"from":{"id":5},"chat":{"id":3},"text":"a"}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4},"message":{"message_id":2,"chat":{"id":3}}},"message":{"chat":{"id":5},"text":"x"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","\u0074ext":"b"}}`,
	"{\"update_id\":1,\"message\":{\"message_id\":2,\"chat\":{\"\xe2\x84\xaa\":3},\"text\":\"a\"}}",
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","caption":"c","document":{"file_id":"d"}}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"photo":[{"file_id":"p"}]}}`,
	`{"update_id":1,"edited_message":{"message_id":2,"chat":{"id":3},"text":"a"},"message":{"message_id":2,"chat":{"id":3},"text":"b"}}`,
	// Keys no field takes are ignored, whatever their value.
	`{"update_id":1,"message":{"message_id":2,"from":{"id":4,"is_premium":null,"type":[1,{"a":"b"}]},"chat":{"id":3},"link_preview_options":{"is_disabled":true},"text":"a"},"message_reaction":null}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","isbot":1,"edit-date":"x","":0}}`,
	// Nulls.
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":null}}`,
	`{"update_id":1,"message":null,"callback_query":{"id":"q","from":{"id":4}}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4},"message":null}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","entities":[null]}}`,
	// Numbers: fractions, exponents, overflow, ids as strings, -0.
	`{"update_id":1.0,"message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3e2},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":-9223372036854775808},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":9223372036854775808},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":999999999999999999},"text":"a"}}`,
	`{"update_id":99999999999999999999,"message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
	`{"update_id":"1","message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
	`{"update_id":-0,"message":{"message_id":-0,"chat":{"id":-0},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"date":1.5,"chat":{"id":3},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","entities":[{"offset":0.5}]}}`,
	// Values of another type than the field's.
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":1}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":[],"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3,"type":1},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":-3,"type":"group"},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3,"type":"private"},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"from":{"id":4,"is_bot":"no"},"chat":{"id":3},"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","entities":{}}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4},"message":{"message_id":2,"chat":{"id":3},"reply_markup":{"inline_keyboard":[[{"text":"A","pay":"yes"}]]}}}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4},"message":{"message_id":2,"chat":{"id":3},"reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a","web_app":{"url":"u"}}],[]]}}}}`,
	`{"update_id":1,"callback_query":{"id":7,"from":{"id":4}}}`,
	// White space, and what is not JSON.
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a"}} `,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3}, "text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a"}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":03},"text":"a"}}`,
	"{\"update_id\":1,\"message\":{\"message_id\":2,\"chat\":{\"id\":3},\"text\":\"a\x01\"}}",
	// Translate's cases: no chat, no user, an inline message, empty text.
	`{"update_id":1,"message":{"message_id":2,"text":"a"}}`,
	`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":""}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4,"first_name":"  ","last_name":"b"},"inline_message_id":"i","data":"d"}}`,
	`{"update_id":1,"callback_query":{"id":"","from":{"id":4}}}`,
	`{"update_id":1,"callback_query":{"id":"q","message":{"message_id":2}}}`,
	`{"update_id":1,"callback_query":{"id":"q","from":{"id":4},"message":{"message_id":2,"date":0}}}`,
	`{"update_id":1}`,
	`{}`,
}

// FuzzDecodeFast checks that what the fast path reads, it reads as
// encoding/json does.
func FuzzDecodeFast(f *testing.F) {
	for _, raw := range payloads(f) {
		f.Add(raw)
	}
	f.Add(benchTap)
	f.Add(benchText)
	f.Add(loadTextUpdate(41, 7, 1000001, "/start Câu \"3\"\\10\n\tb\x01 🙂"))
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fastAgrees(t, raw)
	})
}

// The traffic the fast path is for takes it: the load tool's updates, and
// the payloads of a message with text and of a callback query, compacted.
// The others go to encoding/json.
func TestDecodeFastPathTaken(t *testing.T) {
	for name, raw := range map[string][]byte{
		"tap":     benchTap,
		"text":    benchText,
		"command": loadTextUpdate(41, 7, 1000001, "/start Câu \"3\"\\10\n\tb\x01 🙂"),
		"answer":  loadTapUpdate(42, "q9", 1000002, "quiz|ans|3|1", 77, "Câu \"3\"\\10\n\tb\x01 🙂"),
	} {
		if !fastAgrees(t, raw) {
			t.Errorf("%s update declined: %s", name, raw)
		}
	}
	fast := map[string]bool{
		"message_text.json": true, "message_start_command.json": true, "callback_query_docs_sample.json": true,
		"message_text_4096.json": true, "message_emoji.json": true, "message_text_nfd.json": true,
		"message_start_deeplink.json": true, "message_command_botname.json": true, "message_without_chat.json": true,
		"callback_inline_message.json": true, "callback_with_message.json": true,
		"callback_inaccessible_message.json": true, "callback_without_user_or_message.json": true,
		"message_command_botname_private.json": true, "message_group_text.json": true, "message_group_start.json": true,
		"callback_group_message.json": true,
	}
	all := payloads(t)
	_, sharedErr := os.Stat(sharedDir)
	for name := range fast {
		if _, ok := all["compact "+name]; !ok && sharedErr == nil {
			t.Errorf("no payload %s", name)
		}
	}
	for name, raw := range all {
		compact, ok := bytes.CutPrefix([]byte(name), []byte("compact "))
		want := ok && fast[string(compact)]
		if got := fastAgrees(t, raw); got != want {
			t.Errorf("%s: fast path taken %v, want %v", name, got, want)
		}
	}
}

// Each rule of the fast path, on its own.
func TestDecodeFastDeclines(t *testing.T) {
	const base = `{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a"}}`
	if !fastAgrees(t, []byte(base)) {
		t.Fatalf("declined %s", base)
	}
	for _, raw := range []string{
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"Text":"a"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","text":"a"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":null}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a","caption":"a"}}`,
		`{"update_id":1.0,"message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
		`{"update_id":1e0,"message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":9223372036854775808},"text":"a"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":"3"},"text":"a"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"a"} }`,
		`{"update_id":1,"edited_message":{"message_id":2,"chat":{"id":3},"text":"a"}}`,
	} {
		if fastAgrees(t, []byte(raw)) {
			t.Errorf("fast path took %s", raw)
		}
	}
	// Read as encoding/json does: escapes and invalid UTF-8.
	for _, raw := range tricky[:4] {
		if !fastAgrees(t, []byte(raw)) {
			t.Errorf("declined %s", raw)
		}
	}
}

// The fast path reads the library's types field by field: a type that
// decoded itself would be read otherwise by encoding/json.
func TestDecodeFastTypesDecodePlainly(t *testing.T) {
	for _, v := range []any{tgbotapi.Update{}, tgbotapi.Message{}, tgbotapi.CallbackQuery{}, tgbotapi.User{},
		tgbotapi.Chat{}, tgbotapi.MessageEntity{}, tgbotapi.InlineKeyboardMarkup{}, tgbotapi.InlineKeyboardButton{}} {
		typ := reflect.TypeOf(v)
		for _, tt := range []reflect.Type{typ, reflect.PointerTo(typ)} {
			if tt.Implements(reflect.TypeFor[json.Unmarshaler]()) || tt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
				t.Errorf("%v decodes itself", tt)
			}
		}
	}
}
