package fakeapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot/telegram/fakeapi"
)

// leanLibrary is library with the server made lean, as the load tool runs it.
func leanLibrary(t *testing.T) (*tgbotapi.BotAPI, *fakeapi.Server) {
	t.Helper()
	api, srv := library(t)
	srv.Lean()
	return api, srv
}

// The lean answers are small, but v5.5.1 must read them as full ones.
func TestLeanLibraryDecodesTheAnswers(t *testing.T) {
	api, srv := leanLibrary(t)
	text := "Câu 3/10: \"Mật khẩu\" \\ an toàn?\n\tChọn một.\x01 🙂"
	msg := tgbotapi.NewMessage(7, text)
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("A", "quiz|ans|3|0"), tgbotapi.NewInlineKeyboardButtonData("B", "quiz|ans|3|1")))
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID == 0 || sent.Chat == nil || sent.Chat.ID != 7 || sent.Chat.Type != "private" || sent.Text != text ||
		sent.Date == 0 || sent.From == nil || !sent.From.IsBot || sent.From.ID != 4242 {
		t.Errorf("sent %+v", sent)
	}
	m, ok := srv.LastWithButtons(7)
	if !ok || m.ID != sent.MessageID || m.Text != text || len(m.Buttons) != 1 || len(m.Buttons[0]) != 2 ||
		m.Buttons[0][1].CallbackData != "quiz|ans|3|1" {
		t.Errorf("kept %+v %v", m, ok)
	}

	edited, err := api.Send(tgbotapi.NewEditMessageText(7, sent.MessageID, "Câu 4/10"))
	if err != nil || edited.MessageID != sent.MessageID || edited.Text != "Câu 4/10" || edited.EditDate == 0 || edited.Chat.ID != 7 {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	if got := srv.MessagesTo(7); len(got) != 1 || got[0].Text != "Câu 4/10" || got[0].Edits != 1 || got[0].Buttons != nil {
		t.Errorf("after the edit %+v", got)
	}
	// Same text, no markup on either side now: not modified, as on the general path.
	var te *tgbotapi.Error
	if _, err := api.Request(tgbotapi.NewEditMessageText(7, sent.MessageID, "Câu 4/10")); !errors.As(err, &te) || te.Code != 400 || te.Message != fakeapi.NotModified {
		t.Errorf("second edit: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewEditMessageText(7, 9999, "x")); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("edit unknown message: %v", err)
	}

	if resp, err := api.Request(tgbotapi.NewCallback("cb1", "Đã lưu")); err != nil || string(resp.Result) != "true" {
		t.Errorf("answerCallbackQuery: %+v %v", resp, err)
	}
	if _, err := api.Request(tgbotapi.NewCallback("", "x")); !errors.As(err, &te) || te.Message != fakeapi.QueryTooOld {
		t.Errorf("answer without an id: %v", err)
	}
	if calls := srv.Calls(""); len(calls) != 0 {
		t.Errorf("a lean server kept %d calls", len(calls))
	}
}

func TestLeanChecksAsTheGeneralPath(t *testing.T) {
	api, _ := leanLibrary(t)
	long := strings.Repeat("🙂", 2049) // 4098 UTF-16 units
	cases := map[string]tgbotapi.Chattable{
		"message text is empty": tgbotapi.NewMessage(7, " "),
		"message is too long":   tgbotapi.NewMessage(7, long),
		"BUTTON_DATA_INVALID": func() tgbotapi.Chattable {
			m := tgbotapi.NewMessage(7, "x")
			m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData("b", strings.Repeat("d", 65))))
			return m
		}(),
		"chat_id is empty":       tgbotapi.MessageConfig{Text: "x"},
		"MESSAGE_TOO_LONG":       tgbotapi.NewCallback("cb", strings.Repeat("x", 201)),
		"message text is empty ": tgbotapi.NewEditMessageText(7, 1, ""),
	}
	for want, c := range cases {
		_, err := api.Request(c)
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

func TestLeanKeepsTheLastMessagesOfAChat(t *testing.T) {
	api, srv := leanLibrary(t)
	for i := range 10 {
		if _, err := api.Send(tgbotapi.NewMessage(9, strings.Repeat("x", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.MessagesTo(9)
	if len(got) == 0 || len(got) > 4 || got[len(got)-1].Text != strings.Repeat("x", 10) {
		t.Errorf("kept %d messages, last %+v", len(got), got[len(got)-1])
	}
}

func TestLeanFaultsStillApply(t *testing.T) {
	api, srv := leanLibrary(t)
	srv.Fail(fakeapi.Fault{Method: "sendMessage", Code: 429, RetryAfter: 3, Times: 1})
	var te *tgbotapi.Error
	if _, err := api.Request(tgbotapi.NewMessage(7, "x")); !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 3 {
		t.Errorf("with a fault: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewMessage(7, "x")); err != nil {
		t.Errorf("after the fault was used up: %v", err)
	}
}

// Bodies the fast path does not take are answered by the general path, as
// a server that is not lean would answer them.
func TestLeanUnusualBodiesAnswerAsTheGeneralPath(t *testing.T) {
	bodies := []string{
		"chat_id=7&text=x&x=%zz",       // a bad escape elsewhere: 400
		"chat_id=7;text=x",             // a semicolon: 400
		"chat%5Fid=7&text=escaped+key", // an escaped key: sent
		"chat_id=7&text=%E1%BA%A1+b&text=second",
		"text=x",
	}
	for _, body := range bodies {
		var answers [2]string
		for i, lean := range []bool{false, true} {
			srv := fakeapi.Start(token)
			if lean {
				srv.Lean()
			}
			resp, err := http.Post(srv.URL+"/bot"+token+"/sendMessage", "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r struct {
				OK          bool   `json:"ok"`
				Description string `json:"description"`
				Result      struct {
					Text string `json:"text"`
				} `json:"result"`
			}
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("%q: %s: %v", body, b, err)
			}
			answers[i] = resp.Status + " " + r.Description + " " + r.Result.Text
			srv.Close()
		}
		if answers[0] != answers[1] {
			t.Errorf("%q: general path %q, lean %q", body, answers[0], answers[1])
		}
	}
	if _, err := url.ParseQuery("chat_id=7;text=x"); err == nil {
		t.Fatal("url.ParseQuery accepts semicolons now: revisit parseLeanForm")
	}
}
