package fakeapi_test

import (
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram"
	"hocvuso/bot/telegram/fakeapi"
)

// The hand-written updates are what the bot's decoder expects.
func TestUpdatesDecodeAsTelegramOnes(t *testing.T) {
	text := "Câu \"3\"\\10\n\tb\x01 🙂"
	u, err := telegram.Decode(fakeapi.AppendTextUpdate(nil, 41, 7, 1000001, "/start "+text, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "41" || u.Seq != 41 || u.ChatID != "1000001" || u.UserID != "1000001" || u.MessageID != "7" ||
		u.Kind != bot.KindCommand || u.Command != "start" || u.Args != bot.NFC(text) || u.LanguageCode != "vi" ||
		u.DisplayName != "Người Dùng 1000001" {
		t.Errorf("text update: %+v", u)
	}
	u, err = telegram.Decode(fakeapi.AppendTapUpdate(nil, 42, "q9", 1000002, "quiz|ans|3|1", 77, text, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "42" || u.Kind != bot.KindCallback || u.CallbackID != "q9" || u.Data != "quiz|ans|3|1" ||
		u.ChatID != "1000002" || u.MessageID != "77" || u.UserID != "1000002" {
		t.Errorf("tap update: %+v", u)
	}
}
