package telegram

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
)

// sharedDir holds the payloads collected from public sources. CI checks the
// shared folder out beside the clone; the repository root is two levels up.
var sharedDir = filepath.Join("..", "..", "..", "shared", "testdata", "telegram")

// want is what a payload must translate to; Received is not compared.
type want struct {
	ignored bool
	// tap is, for an ignored tap in a group, the callback query still to
	// answer.
	tap string
	u   bot.Update
}

var sharedWant = map[string]want{
	"message_text.json": {u: bot.Update{ID: "174114370", Seq: 174114370, ChatID: "3527065", UserID: "3527065",
		Kind: bot.KindText, Text: "Hello World", MessageID: "41", DisplayName: "Nic Pottier"}},
	"message_start_command.json": {u: bot.Update{ID: "633291228", Seq: 633291228, ChatID: "714862471", UserID: "714862471",
		Kind: bot.KindCommand, Text: "/start", Command: "start", MessageID: "119", LanguageCode: "en", DisplayName: "Chris"}},
	"edited_message.json": {u: bot.Update{ID: "633291230", Seq: 633291230, ChatID: "714862471", UserID: "714862471",
		Kind: bot.KindEdited, Text: "/start", MessageID: "121", LanguageCode: "en", DisplayName: "Chris"}},
	"my_chat_member_kicked.json": {u: bot.Update{ID: "0", Seq: 0, ChatID: "0", UserID: "0",
		Kind: bot.KindBlocked, DisplayName: "FN LN"}},
	// Telegram's own sample: an inline message, no "message", no chat.
	"callback_query_docs_sample.json": {u: bot.Update{ID: "10000", Seq: 10000, ChatID: "1111111", UserID: "1111111",
		Kind: bot.KindCallback, CallbackID: "4382bfdwdsb323b2d9", Data: "Data from button callback",
		DisplayName: "Test Firstname Test Lastname"}},
	"message_document.json": {u: bot.Update{ID: "900946532", Seq: 900946532, ChatID: "3527065", UserID: "3527065",
		Kind: bot.KindFile, MessageID: "92", DisplayName: "Nic Pottier",
		File: &bot.File{ID: "BQADAQADCgADgtFRRPrv9GQ95f8eAg", Name: "TabFig2015prel.xls", MIME: "application/vnd.ms-excel", Size: 4540928}}},
	"message_photo_caption.json": {u: bot.Update{ID: "900946525", Seq: 900946525, ChatID: "3527065", UserID: "3527065",
		Kind: bot.KindFile, Text: "Photo Caption", MessageID: "85", DisplayName: "Nic Pottier",
		File: &bot.File{ID: "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC", MIME: "image/jpeg", Size: 104737}}},
	"message_contact.json": {u: bot.Update{ID: "900946536", Seq: 900946536, ChatID: "3527065", UserID: "3527065",
		Kind: bot.KindOther, MessageID: "96", DisplayName: "Nic Pottier"}},
}

// text4096 is the text of message_text_4096.json: 4096 characters.
var text4096 = string([]rune(strings.Repeat("Tỉnh Sơn La có 12 đơn vị hành chính cấp huyện. ", 200))[:4096])

var ownWant = map[string]want{
	"message_text_4096.json": {u: bot.Update{ID: "500001", Seq: 500001, ChatID: "42", UserID: "42", Kind: bot.KindText,
		Text:      text4096,
		MessageID: "1", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"message_emoji.json": {u: bot.Update{ID: "500002", Seq: 500002, ChatID: "42", UserID: "42", Kind: bot.KindText,
		Text: "Chào 👋🏽 gia đình 👨‍👩‍👧 🇻🇳", MessageID: "2", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"message_text_nfd.json": {u: bot.Update{ID: "500003", Seq: 500003, ChatID: "42", UserID: "42", Kind: bot.KindText,
		Text: "Xin chào, tôi ở Thuận Châu, Sơn La", MessageID: "3", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"message_photo_no_caption.json": {u: bot.Update{ID: "500004", Seq: 500004, ChatID: "42", UserID: "42", Kind: bot.KindFile,
		MessageID: "4", LanguageCode: "vi", DisplayName: "Lò Văn Páo",
		File: &bot.File{ID: "PH-large", MIME: "image/jpeg", Size: 98000}}},
	"callback_inline_message.json": {u: bot.Update{ID: "500005", Seq: 500005, ChatID: "42", UserID: "42", Kind: bot.KindCallback,
		CallbackID: "77001", Data: "home|open|3|", LanguageCode: "vi", DisplayName: "Test"}},
	"callback_with_message.json": {u: bot.Update{ID: "500006", Seq: 500006, ChatID: "42", UserID: "42", Kind: bot.KindCallback,
		CallbackID: "77002", Data: "quiz|answer|7|b", MessageID: "901", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"callback_inaccessible_message.json": {u: bot.Update{ID: "500007", Seq: 500007, ChatID: "42", UserID: "42", Kind: bot.KindCallback,
		CallbackID: "77003", Data: "home|open|1|", MessageID: "12", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"callback_without_user_or_message.json": {ignored: true},
	"message_start_deeplink.json": {u: bot.Update{ID: "500009", Seq: 500009, ChatID: "42", UserID: "42", Kind: bot.KindCommand,
		Text: "/start unit_ML-07", Command: "start", Args: "unit_ML-07", MessageID: "5", LanguageCode: "en-GB", DisplayName: "Anna Smith"}},
	"message_command_botname_private.json": {u: bot.Update{ID: "500024", Seq: 500024, ChatID: "42", UserID: "42", Kind: bot.KindCommand,
		Text: "/Help@hocvuso_bot  bài 2 ", Command: "help", Args: "bài 2", MessageID: "6", LanguageCode: "vi", DisplayName: "Ẩn"}},
	// Nothing from a group chat the bot was added to is handled, so
	// nothing is ever answered there (typed, a command, an edit, a
	// sticker, a tap on a button the bot once posted there); a tap is
	// answered all the same, with nothing, so that its spinner stops.
	"message_command_botname.json": {ignored: true},
	"message_group_text.json":      {ignored: true},
	"message_group_start.json":     {ignored: true},
	"message_group_sticker.json":   {ignored: true},
	"edited_message_group.json":    {ignored: true},
	"callback_group_message.json":  {ignored: true, tap: "77004"},
	// A live location is edited again and again: an edit of what has no
	// text nor file is not answered. An edited caption is.
	"edited_message_live_location.json": {ignored: true},
	// Service messages of a private chat: nothing the user wrote.
	"message_pinned.json":            {ignored: true},
	"message_auto_delete_timer.json": {ignored: true},
	"edited_message_voice_caption.json": {u: bot.Update{ID: "500026", Seq: 500026, ChatID: "42", UserID: "42", Kind: bot.KindEdited,
		Text: "Số hộ nghèo là 12", MessageID: "13", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"my_chat_member_member.json": {u: bot.Update{ID: "500011", Seq: 500011, ChatID: "42", UserID: "42", Kind: bot.KindUnblocked,
		LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"my_chat_member_group_added.json": {ignored: true},
	"inline_query.json":               {ignored: true},
	"message_sticker.json": {u: bot.Update{ID: "500014", Seq: 500014, ChatID: "42", UserID: "42", Kind: bot.KindOther,
		MessageID: "7", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"edited_message_caption.json": {u: bot.Update{ID: "500015", Seq: 500015, ChatID: "42", UserID: "42", Kind: bot.KindEdited,
		Text: "Báo cáo tháng 10", MessageID: "8", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	"message_without_chat.json": {ignored: true},
	"channel_post.json":         {ignored: true},
	"message_location.json": {u: bot.Update{ID: "500018", Seq: 500018, ChatID: "42", UserID: "42", Kind: bot.KindOther,
		MessageID: "11", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
	// The photos or documents of an album: a message each, naming the
	// album. An edit of one is an edit, in no album.
	"message_album_photo.json": {u: bot.Update{ID: "500029", Seq: 500029, ChatID: "42", UserID: "42", Kind: bot.KindFile,
		Text: "Biên bản trang 1", MessageID: "14", LanguageCode: "vi", DisplayName: "Lò Văn Páo", Group: "13801528357891234",
		File: &bot.File{ID: "AL-large", MIME: "image/jpeg", Size: 152000}}},
	"message_album_document.json": {u: bot.Update{ID: "500030", Seq: 500030, ChatID: "42", UserID: "42", Kind: bot.KindFile,
		MessageID: "16", LanguageCode: "vi", DisplayName: "Lò Văn Páo", Group: "13801528357895678",
		File: &bot.File{ID: "DOC-album-2", Name: "Kế hoạch số 25.pdf", MIME: "application/pdf", Size: 48213}}},
	"edited_message_album_caption.json": {u: bot.Update{ID: "500031", Seq: 500031, ChatID: "42", UserID: "42", Kind: bot.KindEdited,
		Text: "Biên bản trang 1 và 2", MessageID: "14", LanguageCode: "vi", DisplayName: "Lò Văn Páo"}},
}

func TestDecodeSharedPayloads(t *testing.T) {
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("shared payloads not found at %s (CI checks /work/shared out beside the clone as ../shared): %v", sharedDir, err)
	}
	checkPayloads(t, sharedDir, sharedWant)
}

func TestDecodeOwnPayloads(t *testing.T) {
	checkPayloads(t, "testdata", ownWant)
}

// checkPayloads decodes every payload of dir: each must have an expectation,
// so a new payload cannot go untested.
func checkPayloads(t *testing.T, dir string, wants map[string]want) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no payloads in %s: %v", dir, err)
	}
	seen := make(map[string]bool)
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			w, ok := wants[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			before := time.Now()
			got, err := Decode(raw)
			if w.ignored {
				if !errors.Is(err, ErrIgnored) || got != nil {
					t.Fatalf("Decode = %+v, %v; want ErrIgnored", got, err)
				}
				if tap, ok := tapToAnswer(err); tap != w.tap || ok != (w.tap != "") {
					t.Errorf("tap to answer %q %v, want %q", tap, ok, w.tap)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Received.Before(before) || time.Since(got.Received) > time.Minute {
				t.Errorf("Received = %v, want about now", got.Received)
			}
			want := w.u
			// Telegram delivers a chat's updates one at a time, in order.
			want.Channel, want.InOrder = bot.Telegram, true
			gotCopy := *got
			gotCopy.Received = time.Time{}
			if !reflect.DeepEqual(gotCopy, want) {
				t.Errorf("Decode =\n%+v\nwant\n%+v", gotCopy, want)
				if gotCopy.File != nil {
					t.Errorf("file %+v", *gotCopy.File)
				}
			}
		})
	}
	for name := range wants {
		if !seen[name] {
			t.Errorf("expectation for missing payload %s", name)
		}
	}
}

func TestDecodeNormalisesNFD(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "message_text_nfd.json"))
	if err != nil {
		t.Fatal(err)
	}
	if norm.NFC.IsNormal(raw) {
		t.Fatal("payload should hold decomposed (NFD) text")
	}
	u, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !norm.NFC.IsNormalString(u.Text) || !norm.NFC.IsNormalString(u.DisplayName) {
		t.Errorf("not NFC: %q %q", u.Text, u.DisplayName)
	}
	if n := len([]rune(u.Text)); n != len([]rune("Xin chào, tôi ở Thuận Châu, Sơn La")) {
		t.Errorf("NFC text has %d runes", n)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, raw := range []string{``, `{`, `[]`, `"x"`, `{"update_id":"1"}`, `{"update_id":1,"message":[]}`} {
		if u, err := Decode([]byte(raw)); err == nil || errors.Is(err, ErrIgnored) || u != nil {
			t.Errorf("Decode(%q) = %v, %v; want a decoding error", raw, u, err)
		}
	}
	// No update field at all: nothing to do, acknowledge it.
	if _, err := Decode([]byte(`{"update_id":5}`)); !errors.Is(err, ErrIgnored) {
		t.Errorf("empty update: %v, want ErrIgnored", err)
	}
}

// FuzzDecode checks that no body, however odd, panics the decoder, and that
// what it accepts is usable: a chat to answer in, NFC text, a known kind.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"testdata", sharedDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, path := range files {
			if raw, err := os.ReadFile(path); err == nil {
				f.Add(raw)
			}
		}
	}
	f.Add([]byte(`{"update_id":1,"callback_query":{"id":"x","message":{"message_id":1}}}`))
	f.Add([]byte(`{"update_id":1,"message":{"chat":{"id":1},"photo":[]}}`))
	f.Add([]byte(`{"update_id":1,"my_chat_member":{"chat":{"id":1,"type":"private"},"new_chat_member":{"status":"kicked"}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := Decode(raw)
		if err != nil {
			if u != nil {
				t.Fatalf("update with error %v", err)
			}
			return
		}
		if u.Channel != bot.Telegram || u.ChatID == "" || u.ID != strconv.FormatInt(u.Seq, 10) {
			t.Fatalf("bad update %+v", u)
		}
		if u.Kind < bot.KindText || u.Kind > bot.KindOther {
			t.Fatalf("bad kind %d", u.Kind)
		}
		if !norm.NFC.IsNormalString(u.Text) || !norm.NFC.IsNormalString(u.DisplayName) {
			t.Fatalf("text not NFC: %q", u.Text)
		}
		if (u.Kind == bot.KindCommand) != (u.Command != "") {
			t.Fatalf("command %q with kind %v", u.Command, u.Kind)
		}
		if u.Kind == bot.KindCallback && u.CallbackID == "" {
			t.Fatal("callback without id")
		}
		if u.Kind == bot.KindFile && u.File == nil {
			t.Fatal("file update without file")
		}
	})
}
