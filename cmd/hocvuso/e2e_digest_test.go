package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram"
	"hocvuso/flows/digest"
	"hocvuso/flows/quiz"
	reportconfig "hocvuso/flows/report/config"
	"hocvuso/locales"
	"hocvuso/store"
)

// /digest through serve: an official made by an invite gets the weekly
// digest as of now, as flows/digest writes it from the same database; a
// citizen is told it is for officials.
func TestServeDigest_OfficialsOnly(t *testing.T) {
	s := startServe(t, true, nil)
	ctx := context.Background()
	if _, _, err := s.db.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "lead", time.Now()); err != nil {
		t.Fatal(err)
	}
	const official, citizen = 7301, 7302
	s.join(official)
	s.say(official, "/join "+s.invite("--role", "official").code)
	s.join(citizen)

	s.say(citizen, "/digest")
	mustContain(t, s.texts(citizen), "Lệnh /digest dành cho cán bộ Sở Nội vụ và Sở Khoa học và Công nghệ.")
	mustNotContain(t, s.texts(citizen), "Bản tin báo cáo")

	before := len(s.fake.MessagesTo(official))
	s.say(official, "/digest")
	got := s.texts(official)[before:]
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	reports, err := reportconfig.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	want, err := digest.NewDigests(s.db, digest.DigestConfig{Text: cat, Reports: reports, Location: reportconfig.Location, Reach: digest.ZaloWindow{}}).
		Weekly(ctx, time.Now(), "vi")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("/digest sent %d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n---\n"))
	}
	for i := range want {
		if got[i] != want[i].Text {
			t.Errorf("message %d:\n%s\nwant:\n%s", i, got[i], want[i].Text)
		}
	}
	mustContain(t, got, "📋 Bản tin báo cáo ngày "+time.Now().In(reportconfig.Location).Format("02/01/2006"))
	if strings.Contains(strings.Join(got, "\n"), "📌") {
		// A period is open: both units yet to submit have nobody to
		// remind, listed by kind of unit.
		mustContain(t, got, "Sở, ban, ngành (1):\n• Sở Nội vụ (SNV): chưa có đầu mối đăng ký")
		mustContain(t, got, "UBND xã, phường (1):\n• Phường Chiềng Cơi (03670): chưa có đầu mối đăng ký")
	}
}

// The learning nudge through serve: turned on with one tap under /nudge;
// the nudge, sent through the Telegram client as the scheduler sends it,
// continues the quiz with one tap and stops the nudges with another.
func TestServeNudge_OnByTapAndStoppedFromTheNudge(t *testing.T) {
	s := startServe(t, true, nil)
	ctx := context.Background()
	const chat = 7303
	userID := s.join(chat)
	s.say(chat, "/nudge")
	s.press(chat, s.lastWithButtons(chat), "Nhắc tôi mỗi tuần")
	mustContain(t, s.texts(chat), "Mỗi tuần tôi sẽ nhắc bạn một lần")
	pref, err := s.db.NudgePref(ctx, userID)
	if err != nil || !pref.OptedIn {
		t.Fatalf("after the tap: %+v %v; want opted in", pref, err)
	}

	// The scheduler's part: who is due, the message, and sending it.
	b, _, err := quiz.LoadBank(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	nudges := digest.NewNudges(s.db, digest.Config{Text: cat, Bank: b, PassPercent: 80})
	at := time.Now()
	due, err := nudges.Due(ctx, at, 0, 100)
	if err != nil || len(due) != 1 || due[0].UserID != userID || due[0].ChatID != strconv.Itoa(chat) {
		t.Fatalf("due: %+v %v; want user %d in chat %d", due, err, userID, chat)
	}
	msgs, err := nudges.Nudge(ctx, userID, at, due[0].Lang)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("nudge: %+v %v", msgs, err)
	}
	if ok, err := nudges.Claim(ctx, userID, at); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	client, err := telegram.New(ctx, telegram.Config{Token: testToken, APIURL: s.fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Send(ctx, bot.Target{Channel: due[0].Channel, ChatID: due[0].ChatID, Lang: due[0].Lang}, msgs[0]); err != nil {
		t.Fatal(err)
	}
	nudge := s.lastWithButtons(chat)
	if !strings.Contains(nudge.Text, "📚 Lời nhắc học hằng tuần") {
		t.Fatalf("the nudge is not the last message with buttons: %q", nudge.Text)
	}
	if again, _ := nudges.Nudge(ctx, userID, at.Add(time.Hour), "vi"); again != nil {
		t.Errorf("a second nudge the same week: %+v", again)
	}
	if ok, _ := nudges.Claim(ctx, userID, at.Add(time.Hour)); ok {
		t.Error("a second nudge claimed the same week")
	}

	// One tap on the nudge stops the nudges; it stays, with its other button.
	s.press(chat, nudge, "Tắt nhắc hằng tuần")
	mustContain(t, s.texts(chat), "Tôi sẽ không nhắc hằng tuần nữa")
	if pref, _ := s.db.NudgePref(ctx, userID); pref.OptedIn {
		t.Fatal("still opted in after the tap on the nudge")
	}
	if due, _ := nudges.Due(ctx, at.Add(8*24*time.Hour), 0, 100); len(due) != 0 {
		t.Errorf("due a week later after opting out: %v", due)
	}
	// The other continues the area it names: its first question replaces the nudge.
	s.press(chat, nudge, "▶️")
	if m := s.message(chat, nudge.ID); !strings.HasPrefix(m.Text, "Bắt đầu nhé!") || !strings.Contains(m.Text, "Câu 1/") {
		t.Errorf("after continuing from the nudge, it shows %q", m.Text)
	}
}

func mustNotContain(t *testing.T, texts []string, unwanted string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, unwanted) {
			t.Fatalf("a message contains %q:\n%s", unwanted, s)
		}
	}
}
