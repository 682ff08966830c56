package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"hocvuso/bot"
)

// The codec writes every field encoding/json would write: a field added to
// these types must be added to the codec too.
func TestStateCodecKnowsEveryField(t *testing.T) {
	for _, tc := range []struct {
		v     any
		known string
	}{
		{bot.Session{}, "u l f s n x t d"},
		{bot.Outgoing{}, "t r m"},
		{bot.Target{}, "Channel ChatID EditMessageID Lang Screen UpdateID"},
		{bot.Reply{}, "t b e d n"},
		{bot.Button{}, "l d"},
	} {
		known := strings.Fields(tc.known)
		typ := reflect.TypeOf(tc.v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			found := false
			for _, k := range known {
				found = found || k == name
			}
			if !found {
				t.Errorf("%s.%s (json %q) is not written by statecodec.go", typ.Name(), f.Name, name)
			}
		}
	}
}

func FuzzSessionCodec(f *testing.F) {
	f.Add(int64(12), "vi", "quiz", "ask", 7, false, int64(1795000000), []byte(`{"a":3,"q":["c1","c2"],"o":["012","201"],"p":1}`))
	f.Add(int64(0), "", "", "", 0, true, int64(0), []byte(nil))
	f.Add(int64(-1), "en\"\n", "h\xffome", "ß", -3, true, int64(-9), []byte(` [1, 2] `))
	f.Add(int64(1<<62), "vi", "", "", 1<<40, false, int64(1<<62), []byte(`null`))
	f.Fuzz(func(t *testing.T, user int64, lang, flow, step string, screen int, blocked bool, last int64, data []byte) {
		s := bot.Session{UserID: user, Lang: lang, Flow: flow, Step: step, Screen: screen, Blocked: blocked, LastSeen: last}
		if len(data) > 0 {
			s.Data = data
		}
		ours, err := appendSession(nil, &s)
		theirs, jerr := json.Marshal(&s)
		if (err != nil) != (jerr != nil) {
			t.Fatalf("appendSession err %v, json.Marshal err %v", err, jerr)
		}
		if err != nil {
			return
		}
		// What we write, encoding/json reads as what it writes; and what
		// either writes, decodeSession reads as encoding/json does.
		var a, b bot.Session
		if err := json.Unmarshal(ours, &a); err != nil {
			t.Fatalf("%s: %v", ours, err)
		}
		if err := json.Unmarshal(theirs, &b); err != nil {
			t.Fatal(err)
		}
		if !sameSession(a, b) {
			t.Fatalf("ours %s reads as %+v; encoding/json's %s as %+v", ours, a, theirs, b)
		}
		for _, enc := range [][]byte{ours, theirs} {
			var c bot.Session
			if err := decodeSession(append([]byte(nil), enc...), &c); err != nil || !sameSession(c, b) {
				t.Fatalf("decodeSession(%s) = %+v, %v; want %+v", enc, c, err, b)
			}
		}
	})
}

// sameSession compares sessions, their data as JSON values.
func sameSession(a, b bot.Session) bool {
	ad, bd := a.Data, b.Data
	a.Data, b.Data = nil, nil
	if !reflect.DeepEqual(a, b) {
		return false
	}
	if len(ad) == 0 || len(bd) == 0 {
		return len(ad) == len(bd)
	}
	var av, bv any
	return json.Unmarshal(ad, &av) == nil && json.Unmarshal(bd, &bv) == nil && reflect.DeepEqual(av, bv)
}

// Any stored record is read as encoding/json reads it.
func FuzzDecodeSession(f *testing.F) {
	for _, s := range []string{
		`{"u":12,"l":"vi","f":"quiz","s":"ask","n":7,"t":1795000000,"d":{"a":3,"q":["c1"]}}`,
		`{}`, `{"x":true}`, `{"U":3}`, `{"u":1.0}`, `{"d":null}`, `{"l":"v\u0069"}`, `{ "u": 1 }`, `{"n":99999999999}`,
		`{"zz":1}`, `[]`, `{"u":1}x`, `{"d":{"a":"}"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want bot.Session
		werr := json.Unmarshal(raw, &want)
		var got bot.Session
		gerr := decodeSession(append([]byte(nil), raw...), &got)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("%q: decodeSession err %v, encoding/json err %v", raw, gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decodeSession %+v, encoding/json %+v", raw, got, want)
		}
	})
}

func FuzzOutboxCodec(f *testing.F) {
	f.Add("telegram", "42", "7", "vi", "Câu 3/10\n\nA. \"Có\"", "A", "quiz|ans|3|1.2.A", true, 2, false)
	f.Add("zalo", "", "", "", "", "", "", false, 0, true)
	f.Add("t\x00", "\xff", "<>", "&", "\u2028", "l", "d", true, 3, false)
	f.Fuzz(func(t *testing.T, ch, chat, edit, lang, text, label, data string, isEdit bool, rows int, nilRow bool) {
		screen := rows - 1 // 0 too, and negative
		var buttons [][]bot.Button
		for i := range rows % 4 {
			if nilRow && i == 0 {
				buttons = append(buttons, nil)
				continue
			}
			buttons = append(buttons, []bot.Button{{Label: label, Data: data}, {Label: text, Data: label}})
		}
		out := []bot.Outgoing{
			{Target: bot.Target{Channel: bot.Channel(ch), ChatID: chat, EditMessageID: edit, Lang: lang, Screen: screen, UpdateID: data}, Reply: bot.Reply{Text: text, Buttons: buttons, Edit: isEdit}},
			{Target: bot.Target{Channel: bot.Channel(ch)}, Reply: bot.Reply{Text: label, Buttons: [][]bot.Button{}, Number: nilRow}},
		}
		ours, ok := appendOutbox(nil, out)
		if !ok {
			t.Fatal("no document, yet not written")
		}
		theirs, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		var a, b []bot.Outgoing
		if err := json.Unmarshal(ours, &a); err != nil {
			t.Fatalf("%s: %v", ours, err)
		}
		if err := json.Unmarshal(theirs, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("ours %s reads as %+v; encoding/json's %s as %+v", ours, a, theirs, b)
		}
	})
}

func TestEncodeOutboxWithDocument(t *testing.T) {
	out := []bot.Outgoing{{Reply: bot.Reply{Text: "x"}}, {Reply: bot.Reply{Document: &bot.Document{Name: "c.pdf", Bytes: []byte("%PDF")}}}}
	got, err := encodeOutbox("p", out)
	if err != nil {
		t.Fatal(err)
	}
	var back []bot.Outgoing
	if got[0] != 'p' || json.Unmarshal(got[1:], &back) != nil || !reflect.DeepEqual(back, out) {
		t.Errorf("%s", got)
	}
	if got, _ := encodeOutbox("p", nil); string(got) != "pnull" {
		t.Errorf("nil outbox: %s", got)
	}
}

// A command menu in the outbox (a role gained or lost) is kept as
// encoding/json writes it, and read back whole: commands, or none (the
// channel's default menu).
func TestEncodeOutboxWithMenu(t *testing.T) {
	out := []bot.Outgoing{
		{Target: bot.Target{Channel: bot.Telegram, ChatID: "42"}, Reply: bot.Reply{Text: "Từ nay bạn là đầu mối"}},
		{Target: bot.Target{Channel: bot.Telegram, ChatID: "42", Lang: "vi"}, Menu: &bot.Menu{Commands: []bot.Command{{Name: "report", Description: "Báo cáo"}}}},
		{Target: bot.Target{Channel: bot.Zalo, ChatID: "z9"}, Menu: &bot.Menu{}},
	}
	got, err := encodeOutbox("p", out)
	if err != nil {
		t.Fatal(err)
	}
	var back []bot.Outgoing
	if got[0] != 'p' || json.Unmarshal(got[1:], &back) != nil || !reflect.DeepEqual(back, out) {
		t.Errorf("%s reads as %+v", got, back)
	}
}
