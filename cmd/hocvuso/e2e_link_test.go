package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/reach"
)

// tgChat is a Telegram user of a serve that polls the fake Bot API.
type tgChat struct {
	t    *testing.T
	fake *fakeapi.Server
	id   int64
}

// wait waits until a message to the chat contains want, and returns it.
func (c tgChat) wait(want string) fakeapi.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var found fakeapi.Message
	err := c.fake.WaitFor(ctx, func([]fakeapi.Call) bool {
		for _, m := range c.fake.MessagesTo(c.id) {
			if strings.Contains(m.Text, want) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		var texts []string
		for _, m := range c.fake.MessagesTo(c.id) {
			texts = append(texts, m.Text)
		}
		c.t.Fatalf("telegram %d: no message contains %q; messages:\n%s", c.id, want, strings.Join(texts, "\n---\n"))
	}
	return found
}

// tap taps the button labelled label of message m.
func (c tgChat) tap(m fakeapi.Message, label string) {
	c.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				c.fake.UserTap(c.id, m.ID, b.CallbackData)
				return
			}
		}
	}
	c.t.Fatalf("no button %q in %+v", label, m.Buttons)
}

// One person on both channels of one serve: /link on Telegram gives the
// code, typed on Zalo it links the two chats as one user, and both are
// told. A reminder then reaches them on Zalo, the chat last active: as a
// message inside the 7-day window, as the approved template outside it.
func TestLink_TelegramAndZaloInOneServe(t *testing.T) {
	tg := fakeapi.Start(testToken)
	defer tg.Close()
	s := startZaloServe(t, nil, map[string]string{"TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": tg.URL,
		"ZALO_REMINDER_TEMPLATE_ID": "tpl-remind"})
	s.fake.ApproveTemplate("tpl-remind", "unit", "due")
	ctx := context.Background()

	// On Telegram: agree, then /link.
	lan := tgChat{t: t, fake: tg, id: 7301}
	tg.UserText(lan.id, "/start")
	lan.tap(lan.wait("91/2025/QH15"), "Tôi đồng ý")
	lan.wait("Bạn muốn làm gì?")
	tg.UserText(lan.id, "/link")
	text := lan.wait("/link ").Text
	code := strings.Fields(text[strings.Index(text, "/link ")+len("/link "):])[0]

	// On Zalo: follow (the privacy notice is shown), then type the code.
	const zaloUser = "7302000000000000001"
	s.deliver(s.fake.FollowEvent(zaloUser))
	s.deliver(s.fake.TextEvent(zaloUser, "/link "+strings.ToLower(code)))
	mustContain(t, s.fake.Texts(zaloUser), "đã liên kết với tài khoản của bạn trên Telegram")
	lan.wait("đã liên kết với Zalo")
	if n := s.count("SELECT count(*) FROM users"); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	if n := s.count("SELECT count(DISTINCT user_id) FROM accounts WHERE external_id IN ('7301', $1)", zaloUser); n != 1 {
		t.Fatalf("the two accounts belong to %d users", n)
	}
	// The Zalo chat is the user's: /mydata lists both accounts.
	before := len(s.fake.MessagesTo(zaloUser))
	s.deliver(s.fake.TextEvent(zaloUser, "/mydata"))
	mydata := strings.Join(s.fake.Texts(zaloUser)[before:], "\n")
	if !strings.Contains(mydata, "Telegram") || !strings.Contains(mydata, "Zalo") {
		t.Fatalf("/mydata on Zalo: %q", mydata)
	}

	// A second replica, built as serve builds it, pushes a reminder.
	replica := zaloReplica(t, s)
	var userID int64
	if err := s.db.Pool.QueryRow(ctx, "SELECT id FROM users").Scan(&userID); err != nil {
		t.Fatal(err)
	}
	remind := func(lang string) reach.Message {
		return reach.Message{Replies: []bot.Reply{{Text: "⏰ Nhắc: hạn nộp báo cáo năm là 10/11."}},
			Template: map[string]string{"unit": "Phường Chiềng Cơi", "due": "10/11/2026"}, TrackingID: "e2e-1"}
	}
	s.fake.EnforceWindow(true)
	route, err := replica.reach.Push(ctx, userID, remind)
	if err != nil || route.Channel() != bot.Zalo || route.Via != reach.ViaMessage {
		t.Fatalf("inside the window: %+v %v", route, err)
	}
	mustContain(t, s.fake.Texts(zaloUser), "⏰ Nhắc")

	// Eight days on: the Zalo account is outside the window (Telegram was
	// used longer ago).
	if _, err := s.db.Pool.Exec(ctx, `UPDATE accounts SET last_seen_at = now() - CASE channel WHEN 'zalo' THEN interval '8 days' ELSE interval '20 days' END`); err != nil {
		t.Fatal(err)
	}
	s.fake.SetInteraction(zaloUser, time.Now().Add(-8*24*time.Hour))
	texts := len(s.fake.Texts(zaloUser))
	route, err = replica.reach.Push(ctx, userID, remind)
	if err != nil || route.Channel() != bot.Zalo || route.Via != reach.ViaTemplate {
		t.Fatalf("outside the window: %+v %v", route, err)
	}
	tpl := s.fake.TemplatesTo(zaloUser)
	if len(tpl) != 1 || tpl[0].ID != "tpl-remind" || tpl[0].Data["unit"] != "Phường Chiềng Cơi" || tpl[0].TrackingID != "e2e-1" {
		t.Fatalf("templates %+v", tpl)
	}
	if len(s.fake.Texts(zaloUser)) != texts {
		t.Error("an ordinary message was sent outside the window")
	}
	for _, c := range s.fake.Calls("message/cs") {
		if c.Error != 0 {
			t.Errorf("a consultation message was refused (%d): the window was not respected", c.Error)
		}
	}
}

// zaloReplica opens the app as serve does, with s's configuration, and
// starts its Zalo channel (on a mux of its own: the fake keeps posting to
// s). Its reacher is the one serve's scheduler uses.
func zaloReplica(t *testing.T, s *zserved) *app {
	t.Helper()
	cfg, err := LoadConfig(func(k string) string { return s.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		a.Close()
	})
	if err := a.startZalo(ctx, http.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	return a
}
