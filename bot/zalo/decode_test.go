package zalo

import (
	"encoding/json"
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
var sharedDir = filepath.Join("..", "..", "..", "shared", "testdata", "zalo")

// want is what a payload must translate to; Received is not compared.
type want struct {
	ignored   bool
	malformed bool
	u         bot.Update
}

var sharedWant = map[string]want{
	// The user id is masked in the source ("xxxxxxxx"): it is a string,
	// kept as it is.
	"user_send_text.json": {u: bot.Update{ID: "cb31dff1c39642cc1b83", Seq: 1699003881354,
		ChatID: "6142494823xxxxxxxx", UserID: "6142494823xxxxxxxx", Kind: bot.KindText, Text: "Chào A4B"}},
	// Captured in production: no sender, no msg_id.
	"follow.json": {u: bot.Update{ID: "follow:1752295684665:8890635404729405962", Seq: 1752295684665,
		ChatID: "8890635404729405962", UserID: "8890635404729405962", Kind: bot.KindCommand, Text: "/start", Command: "start"}},
}

const me = "7001000000000000001"

// text2000 is the text of user_send_text_2000.json: 2,000 characters.
var text2000 = string([]rune(strings.Repeat("Tỉnh Sơn La có 75 xã, phường. ", 80))[:2000])

var ownWant = map[string]want{
	"user_send_text_nfd.json": {u: bot.Update{ID: "a1b2c3d4e5f6a7b8c9d0", Seq: 1764000000001, ChatID: me, UserID: me,
		Kind: bot.KindText, Text: "Xin chào, tôi ở Thuận Châu, Sơn La"}},
	"user_send_button.json": {u: bot.Update{ID: "b1b2c3d4e5f6a7b8c9d0", Seq: 1764000000002, ChatID: me, UserID: me,
		Kind: bot.KindCallback, Text: "#cb:home|agree|1|", Data: "home|agree|1|", CallbackID: "b1b2c3d4e5f6a7b8c9d0"}},
	"user_send_command.json": {u: bot.Update{ID: "c1b2c3d4e5f6a7b8c9d0", Seq: 1764000000003, ChatID: me, UserID: me,
		Kind: bot.KindCommand, Text: "/Help  bài 2 ", Command: "help", Args: "bài 2"}},
	// Numbers where strings are expected: every digit kept, no float64.
	"user_send_text_numeric_ids.json": {u: bot.Update{ID: "d1b2c3d4e5f6a7b8c9d0", Seq: 1764000000004,
		ChatID: "7001000000000000099", UserID: "7001000000000000099", Kind: bot.KindText, Text: "số"}},
	"follow_oa_profile.json": {u: bot.Update{ID: "follow:1764000000005:7001000000000000002", Seq: 1764000000005,
		ChatID: "7001000000000000002", UserID: "7001000000000000002", Kind: bot.KindCommand, Text: "/start", Command: "start"}},
	"unfollow.json": {u: bot.Update{ID: "unfollow:1764000000006:7001000000000000002", Seq: 1764000000006,
		ChatID: "7001000000000000002", UserID: "7001000000000000002", Kind: bot.KindBlocked}},
	"user_send_file.json": {u: bot.Update{ID: "e1b2c3d4e5f6a7b8c9d0", Seq: 1764000000007, ChatID: me, UserID: me, Kind: bot.KindFile,
		File: &bot.File{ID: "https://f21-zpc.zdn.vn/1234/bao-cao.xlsx", Name: "Báo cáo tháng 10.xlsx",
			MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Size: 24576}}},
	"user_send_image.json": {u: bot.Update{ID: "f1b2c3d4e5f6a7b8c9d0", Seq: 1764000000008, ChatID: me, UserID: me, Kind: bot.KindFile,
		Text: "Ảnh lớp học", File: &bot.File{ID: "https://photo-stal.zdn.vn/1", MIME: "image/jpeg"}}},
	// Several images in one event: one album, named by the message.
	"user_send_image_several.json": {u: bot.Update{ID: "2ab2c3d4e5f6a7b8c9d0", Seq: 1764000000017, ChatID: me, UserID: me, Kind: bot.KindFile,
		Text: "Ảnh hoạt động", Group: "2ab2c3d4e5f6a7b8c9d0", File: &bot.File{ID: "https://photo-stal.zdn.vn/11", MIME: "image/jpeg"},
		More: []*bot.File{{ID: "https://photo-stal.zdn.vn/12", MIME: "image/jpeg"}, {ID: "https://photo-stal.zdn.vn/13.png", MIME: "image/png"}}}},
	// Nothing to fetch: answered like a sticker.
	"user_send_image_without_url.json": {u: bot.Update{ID: "f2b2c3d4e5f6a7b8c9d0", Seq: 1764000000009, ChatID: me, UserID: me,
		Kind: bot.KindOther}},
	"user_send_sticker.json": {u: bot.Update{ID: "0ab2c3d4e5f6a7b8c9d0", Seq: 1764000000010, ChatID: me, UserID: me, Kind: bot.KindOther}},
	"user_send_location.json": {u: bot.Update{ID: "1ab2c3d4e5f6a7b8c9d0", Seq: 1764000000011, ChatID: me, UserID: me,
		Kind: bot.KindOther}},
	"user_seen_message.json":             {ignored: true},
	"oa_send_text.json":                  {ignored: true},
	"user_send_text_without_sender.json": {malformed: true},
	"user_send_text_without_msg_id.json": {u: bot.Update{ID: "user_send_text:1764000000015:" + me, Seq: 1764000000015, ChatID: me, UserID: me,
		Kind: bot.KindText, Text: "không có mã"}},
	"user_send_text_2000.json": {u: bot.Update{ID: "5ab2c3d4e5f6a7b8c9d0", Seq: 1764000000016, ChatID: me, UserID: me,
		Kind: bot.KindText, Text: text2000}},
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
			switch {
			case w.ignored:
				if !errors.Is(err, ErrIgnored) || got != nil {
					t.Fatalf("Decode = %+v, %v; want ErrIgnored", got, err)
				}
				return
			case w.malformed:
				if err == nil || errors.Is(err, ErrIgnored) || got != nil {
					t.Fatalf("Decode = %+v, %v; want a decoding error", got, err)
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
			want.Channel = bot.Zalo
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
	raw, err := os.ReadFile(filepath.Join("testdata", "user_send_text_nfd.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sent struct{ Message struct{ Text string } }
	if err := json.Unmarshal(raw, &sent); err != nil || norm.NFC.IsNormalString(sent.Message.Text) {
		t.Fatalf("the payload should hold decomposed (NFD) text: %v", err)
	}
	u, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !norm.NFC.IsNormalString(u.Text) || u.Text != norm.NFC.String(sent.Message.Text) {
		t.Errorf("not NFC: %q", u.Text)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, raw := range []string{
		``, `{`, `[]`, `"x"`,
		`{"event_name":"user_send_text","sender":{"id":"1"},"message":{"text":"a"}}`,                       // no timestamp
		`{"event_name":"user_send_text","sender":{"id":"1"},"timestamp":"soon","message":{"text":"a"}}`,    // bad timestamp
		`{"event_name":"user_send_text","sender":{"id":"1"},"timestamp":"-5","message":{"text":"a"}}`,      // negative
		`{"event_name":"user_send_text","sender":"1","timestamp":"1","message":{"text":"a"}}`,              // sender not an object
		`{"event_name":"user_send_text","sender":{"id":{"x":1}},"timestamp":"1"}`,                          // id not a string
		`{"event_name":"user_send_text","sender":{"id":"1"},"timestamp":"1","message":[]}`,                 // message not an object
		`{"event_name":"follow","timestamp":"1"}`,                                                          // no follower
		`{"event_name":"user_send_file","sender":{"id":"1"},"timestamp":"1","message":{"attachments":{}}}`, // attachments not a list
	} {
		if u, err := Decode([]byte(raw)); err == nil || errors.Is(err, ErrIgnored) || u != nil {
			t.Errorf("Decode(%q) = %v, %v; want a decoding error", raw, u, err)
		}
	}
	// Unknown and non-user events are acknowledged without handling.
	for _, raw := range []string{`{}`, `null`, `{"event_name":"user_received_message","timestamp":"1"}`,
		`{"event_name":"anonymous_send_text","sender":{"id":"1"},"timestamp":"1"}`,
		`{"event_name":"user_reacted_message","sender":{"id":"1"},"timestamp":"1"}`,
		`{"event_name":"change_template_status","timestamp":"1"}`} {
		if _, err := Decode([]byte(raw)); !errors.Is(err, ErrIgnored) {
			t.Errorf("Decode(%s): %v, want ErrIgnored", raw, err)
		}
	}
}

func TestDecodeButtonPayloads(t *testing.T) {
	ev := func(text string) []byte {
		return []byte(`{"event_name":"user_send_text","sender":{"id":"9"},"timestamp":"1","message":{"msg_id":"m","text":` + strconv.Quote(text) + `}}`)
	}
	cases := []struct {
		text string
		kind bot.Kind
		data string
	}{
		{"#cb:quiz|answer|7|b", bot.KindCallback, "quiz|answer|7|b"},
		{"#cb:", bot.KindCallback, ""}, // answered as a stale button by the router
		// Typing that looks like a payload but is not ours stays text.
		{"#btn:yes", bot.KindText, ""},
		{" #cb:home|menu|1|", bot.KindText, ""},
		{"#CB:home|menu|1|", bot.KindText, ""},
		{"cb:home|menu|1|", bot.KindText, ""},
		{"home|menu|1|", bot.KindText, ""},
		{"/start", bot.KindCommand, ""},
		{"", bot.KindOther, ""},
	}
	for _, tc := range cases {
		u, err := Decode(ev(tc.text))
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if u.Kind != tc.kind || u.Data != tc.data {
			t.Errorf("%q: kind %v data %q; want %v %q", tc.text, u.Kind, u.Data, tc.kind, tc.data)
		}
		if u.Kind == bot.KindCallback && u.CallbackID != "m" {
			t.Errorf("%q: callback id %q", tc.text, u.CallbackID)
		}
	}
}

func TestDecodeFileTypes(t *testing.T) {
	ev := func(event, payload string) []byte {
		return []byte(`{"event_name":"` + event + `","sender":{"id":"9"},"timestamp":"1","message":{"msg_id":"m","attachments":[` + payload + `]}}`)
	}
	cases := []struct {
		event, payload string
		mime           string
		size           int64
	}{
		{"user_send_file", `{"type":"file","payload":{"url":"https://x/a","name":"a.PDF","size":12}}`, "application/pdf", 12},
		{"user_send_file", `{"type":"file","payload":{"url":"https://x/a","name":"a","type":"docx","size":"7"}}`, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 7},
		{"user_send_file", `{"type":"file","payload":{"url":"https://x/a.csv?sig=1","name":"dữ liệu"}}`, "text/csv", 0},
		{"user_send_file", `{"type":"file","payload":{"url":"https://x/a","name":"a","type":"application/pdf"}}`, "application/pdf", 0},
		{"user_send_file", `{"type":"file","payload":{"url":"https://x/a","name":"a.unknownext","size":"-4"}}`, "", 0},
		{"user_send_image", `{"type":"image","payload":{"url":"https://x/p.png"}}`, "image/png", 0},
		{"user_send_image", `{"type":"image","payload":{"url":"https://x/p.pdf"}}`, "image/jpeg", 0},
		// The first attachment that can be fetched.
		{"user_send_image", `{"type":"sticker","payload":{"url":"https://x/s"}},{"type":"image","payload":{"url":"https://x/2.gif"}}`, "image/gif", 0},
	}
	for _, tc := range cases {
		u, err := Decode(ev(tc.event, tc.payload))
		if err != nil {
			t.Fatalf("%s: %v", tc.payload, err)
		}
		if u.Kind != bot.KindFile || u.File == nil || u.File.MIME != tc.mime || u.File.Size != tc.size {
			t.Errorf("%s: %v %+v; want MIME %q size %d", tc.payload, u.Kind, u.File, tc.mime, tc.size)
		}
	}
}

// FuzzDecode checks that no body, however odd, panics the decoder, and that
// what it accepts is usable: a chat to answer in, a stable id, NFC text, a
// known kind; and that the signature check never accepts a body under a
// signature made for another.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"testdata", sharedDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, path := range files {
			if raw, err := os.ReadFile(path); err == nil {
				f.Add(raw)
			}
		}
	}
	f.Add([]byte(`{"event_name":"user_send_text","sender":{"id":1e400},"timestamp":"1"}`))
	f.Add([]byte(`{"event_name":"follow","follower":{"id":""},"sender":{"id":"2"},"timestamp":1.5}`))
	f.Add([]byte(`{"event_name":"user_send_file","sender":{"id":"1"},"timestamp":"9","message":{"attachments":[{"type":"file","payload":{"url":"u","size":"x"}}]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := Decode(raw)
		if err != nil {
			if u != nil {
				t.Fatalf("update with error %v", err)
			}
		} else {
			if u.Channel != bot.Zalo || u.ChatID == "" || u.UserID != u.ChatID || u.ID == "" || u.Seq < 0 {
				t.Fatalf("bad update %+v", u)
			}
			if u.Kind < bot.KindText || u.Kind > bot.KindOther {
				t.Fatalf("bad kind %d", u.Kind)
			}
			if !norm.NFC.IsNormalString(u.Text) {
				t.Fatalf("text not NFC: %q", u.Text)
			}
			if (u.Kind == bot.KindCommand) != (u.Command != "") {
				t.Fatalf("command %q with kind %v", u.Command, u.Kind)
			}
			if u.Kind == bot.KindCallback && (u.CallbackID == "" || CallbackPrefix+u.Data != u.Text) {
				t.Fatalf("callback %+v", u)
			}
			if u.Kind == bot.KindFile && (u.File == nil || u.File.ID == "" || u.File.Size < 0) {
				t.Fatalf("file update without file: %+v", u)
			}
			for _, f := range u.More {
				if u.Kind != bot.KindFile || u.Group == "" || f == nil || f.ID == "" || f.Size < 0 {
					t.Fatalf("bad file %+v of %+v", f, u)
				}
			}
			if (len(u.More) > 0) != (u.Group != "") {
				t.Fatalf("group %q with %d more files", u.Group, len(u.More))
			}
			again, err := Decode(raw)
			if err != nil || again.ID != u.ID || again.Seq != u.Seq {
				t.Fatalf("a redelivery decodes differently: %+v %v", again, err)
			}
		}
		// The signature check: the right one is accepted; one flipped
		// byte of the body is not.
		var s signed
		if jsonErr := json.Unmarshal(raw, &s); jsonErr != nil || s.Timestamp == "" {
			if ok, _ := Verify("app", "key", raw, Sign("app", raw, "", "key")); ok {
				t.Fatal("a body without timestamp verified")
			}
			return
		}
		sig := Sign("app", raw, string(s.Timestamp), "key")
		if ok, byOA := Verify("app", "key", raw, sig); !ok || byOA {
			t.Fatalf("own signature refused: %s", raw)
		}
		if ok, _ := Verify("app", "other", raw, sig); ok {
			t.Fatal("signature accepted under another key")
		}
		for i := 0; i < len(raw); i += max(1, len(raw)/64) {
			mod := append([]byte(nil), raw...)
			mod[i] ^= 0x01
			if ok, _ := Verify("app", "key", mod, sig); ok {
				t.Fatalf("body changed at %d still verifies", i)
			}
		}
	})
}
