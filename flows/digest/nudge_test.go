package digest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/digest"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/quiz"
	"hocvuso/flows/quiz/bank/banktest"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// nudgeBot is the bot as serve wires it: the quiz with the nudge's buttons,
// and the nudge's flow.
type nudgeBot struct {
	t      *testing.T
	h      *flowtest.Harness
	nudges *digest.Nudges
}

func newNudgeBot(t *testing.T) *nudgeBot {
	t.Helper()
	nb := &nudgeBot{t: t}
	b := banktest.Load(t)
	nb.h = flowtest.New(t, flowtest.WithMenu(quiz.MenuItem),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			nb.nudges = digest.NewNudges(h.DB, digest.Config{Text: h.Catalog, Bank: b, PassPercent: 80})
			return nb.nudges
		}),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			return quiz.New(h.DB, quiz.Config{Bank: b, PassPercent: 80, AreaSize: 6, Buttons: nb.nudges.Buttons,
				Rand: rand.New(rand.NewPCG(5, 6))})
		}))
	return nb
}

// user returns a user who agreed to the privacy notice, and their id.
func (nb *nudgeBot) user(name, lang string) (*flowtest.User, int64) {
	nb.t.Helper()
	u := nb.h.Agreed(name, lang)
	return u, u.UserID()
}

// finishQuiz records a finished attempt in area: score right of total.
func (nb *nudgeBot) finishQuiz(userID int64, area string, score, total int) {
	nb.t.Helper()
	storetest.FinishQuiz(nb.t, nb.h.DB, userID, area, score, total, time.Now())
}

func (nb *nudgeBot) pref(userID int64) store.NudgePref {
	nb.t.Helper()
	p, err := nb.h.DB.NudgePref(context.Background(), userID)
	if err != nil {
		nb.t.Fatal(err)
	}
	return p
}

// takeAreaQuiz answers an area's six questions by typing "A".
func takeAreaQuiz(u *flowtest.User, areaLabel string) flowtest.Result {
	u.Send("/quiz")
	u.Tap(areaLabel)
	var r flowtest.Result
	for range 6 {
		r = u.Send("A")
	}
	return r
}

func TestNudge_OfferedUnderAResultAndTurnedOnByOneTap(t *testing.T) {
	t.Parallel()
	nb := newNudgeBot(t)
	u, id := nb.user("Lò Thị Hương", "vi")

	r := takeAreaQuiz(u, "Thiết bị số")
	result := r.Last()
	if !strings.Contains(result.Text, "Bạn đúng") {
		t.Fatalf("the attempt did not end with its result:\n%s", r)
	}
	if _, ok := result.Button("Nhắc tôi mỗi tuần"); !ok {
		t.Fatalf("no weekly reminder offered under the result; buttons %q", result.Labels())
	}
	if nb.pref(id).Chosen() {
		t.Fatal("a choice was recorded before any tap")
	}

	r = u.TapOn(result, "Nhắc tôi mỗi tuần")
	if r.Notice() != "Đã bật nhắc hằng tuần" || !strings.Contains(r.Text(), "Mỗi tuần tôi sẽ nhắc bạn một lần") {
		t.Fatalf("the tap was not confirmed:\n%s", r)
	}
	if !strings.Contains(r.Text(), "Bạn đã đạt") || !strings.Contains(r.Text(), "/2 lĩnh vực") {
		t.Errorf("the confirmation does not say where the user stands:\n%s", r)
	}
	if p := nb.pref(id); !p.OptedIn {
		t.Fatalf("not opted in after the tap: %+v", p)
	}
	// A double tap (the same button again) changes nothing and says so.
	r = u.TapOn(result, "Nhắc tôi mỗi tuần")
	if len(r.Sent) != 0 || r.Notice() != "Nhắc hằng tuần đã bật rồi." {
		t.Errorf("a second tap on the offer:\n%s", r)
	}

	// Chosen: the next result offers nothing; /progress turns it off.
	r = takeAreaQuiz(u, "An toàn")
	if _, ok := r.Last().Button("Nhắc tôi mỗi tuần"); ok {
		t.Errorf("offered again after the user chose:\n%s", r)
	}
	r = u.Send("/progress")
	if _, ok := r.Last().Button("Tắt nhắc hằng tuần"); !ok {
		t.Fatalf("/progress does not offer to turn the reminder off; buttons %q", r.Last().Labels())
	}
	r = u.Tap("Tắt nhắc hằng tuần")
	if r.Notice() != "Đã tắt nhắc hằng tuần" || nb.pref(id).OptedIn {
		t.Fatalf("not turned off from /progress:\n%s", r)
	}
	if _, ok := u.Send("/progress").Last().Button("Nhắc tôi mỗi tuần"); !ok {
		t.Error("/progress does not offer to turn the reminder back on")
	}
}

func TestNudge_SentAtMostOnceAWeekAndStoppedByOneTap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nb := newNudgeBot(t)
	u, id := nb.user("Quàng Văn Tâm", "vi")
	u.Send("/nudge")
	u.Tap("Nhắc tôi mỗi tuần")

	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	// Nudge only looks; Send records the occurrence as sent.
	preview, err := nb.nudges.Nudge(ctx, id, t0.Add(-time.Hour), "vi")
	if err != nil || len(preview) != 1 {
		t.Fatalf("Nudge = %+v, %v; want one message", preview, err)
	}
	msgs, err := nb.nudges.Send(ctx, id, t0, "vi")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Send = %+v, %v; want one message", msgs, err)
	}
	m := msgs[0]
	if m.Text != preview[0].Text {
		t.Errorf("Send and Nudge differ:\n%s\n%s", m.Text, preview[0].Text)
	}
	for _, want := range []string{"Lời nhắc học hằng tuần", "Bạn đã đạt 0/2 lĩnh vực", "“Sử dụng thiết bị số cơ bản”", "vài phút"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the nudge lacks %q:\n%s", want, m.Text)
		}
	}
	// The same occurrence again (a retried delivery) sends it again; any
	// other time within the week sends nothing.
	if again, _ := nb.nudges.Send(ctx, id, t0, "vi"); len(again) != 1 || again[0].Text != m.Text {
		t.Errorf("the occurrence sent again: %+v", again)
	}
	for _, d := range []time.Duration{time.Hour, 3 * 24 * time.Hour, store.NudgeEvery - time.Minute} {
		if got, _ := nb.nudges.Nudge(ctx, id, t0.Add(d), "vi"); got != nil {
			t.Errorf("a nudge %v after the last one: %+v", d, got)
		}
		if got, _ := nb.nudges.Send(ctx, id, t0.Add(d), "vi"); got != nil {
			t.Errorf("a nudge sent %v after the last one: %+v", d, got)
		}
	}
	if due, _ := nb.nudges.Due(ctx, t0.Add(time.Hour), 0, 10); len(due) != 0 {
		t.Errorf("due an hour after a nudge: %v", due)
	}
	if ok, _ := nb.nudges.Claim(ctx, id, t0.Add(2*24*time.Hour)); ok {
		t.Error("claimed two days after the last nudge")
	}
	if ok, _ := nb.nudges.Claim(ctx, id, t0); !ok {
		t.Error("the last nudge's own occurrence, claimed again, was refused")
	}
	if got, _ := nb.nudges.Send(ctx, id, t0.Add(store.NudgeEvery), "vi"); len(got) != 1 {
		t.Errorf("no nudge a week later: %+v", got)
	}

	// Its first button starts the area's quiz.
	msg := flowtest.Message{ID: "nudge-1", Text: m.Text, Buttons: m.Buttons}
	r := u.TapOn(msg, "Thiết bị số")
	if !strings.Contains(r.Text(), "Câu 1/6 · 📱 Thiết bị số") {
		t.Fatalf("continuing from the nudge did not start the area:\n%s", r)
	}
	u.Send("/stop")
	// Its second button stops the nudges, in one tap, however old the message.
	r = u.TapOn(msg, "Tắt nhắc hằng tuần")
	if r.Notice() != "Đã tắt nhắc hằng tuần" || !strings.Contains(r.Text(), "không nhắc hằng tuần nữa") {
		t.Fatalf("stopping from the nudge:\n%s", r)
	}
	if got, _ := nb.nudges.Nudge(ctx, id, t0.Add(2*store.NudgeEvery), "vi"); got != nil {
		t.Errorf("a nudge after opting out: %+v", got)
	}
	if due, _ := nb.nudges.Due(ctx, t0.Add(2*store.NudgeEvery), 0, 10); len(due) != 0 {
		t.Errorf("due after opting out: %+v", due)
	}
	r = u.TapOn(msg, "Tắt nhắc hằng tuần")
	if len(r.Sent) != 0 || r.Notice() != "Nhắc hằng tuần đã tắt rồi." {
		t.Errorf("a second stop:\n%s", r)
	}
}

func TestNudge_SuggestsTheBestTriedAreaAndStopsOnceAllArePassed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nb := newNudgeBot(t)
	u, id := nb.user("Lường Thị Mai", "en")
	r := u.Send("/nudge")
	if !strings.Contains(r.Text(), "reminder is off") || !strings.Contains(r.Text(), "You have passed 0 of 2 areas. Next: “Basic use of digital devices”.") {
		t.Fatalf("/nudge before any choice:\n%s", r)
	}
	r = u.Tap("Remind me every week")
	if r.Notice() != "Weekly reminder on" {
		t.Fatalf("turning it on:\n%s", r)
	}
	if r = u.Send("/nudge"); !strings.Contains(r.Text(), "reminder is on") {
		t.Fatalf("/nudge once on:\n%s", r)
	}
	if _, ok := r.Last().Button("Stop the weekly reminder"); !ok {
		t.Errorf("/nudge once on does not offer to stop; buttons %q", r.Last().Labels())
	}

	// Area 4 tried and failed (3/6), area 0 not tried: area 4 comes next.
	nb.finishQuiz(id, "4", 3, 6)
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	msgs, err := nb.nudges.Nudge(ctx, id, at, "en")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Nudge = %+v, %v", msgs, err)
	}
	for _, want := range []string{"You have passed 0 of 2 areas. Next: “Safety”.", "Your best score in this area: 3/6. You pass with 80% or more."} {
		if !strings.Contains(msgs[0].Text, want) {
			t.Errorf("the nudge lacks %q:\n%s", want, msgs[0].Text)
		}
	}
	if b := msgs[0].Buttons[0][0]; b.Label != "▶️ 🛡️ Safety" || b.Data != "quiz|go|0|4" {
		t.Errorf("continue button = %+v; want area 4's quiz", b)
	}
	// Area 4 passed: area 0, not tried, is next.
	nb.finishQuiz(id, "4", 5, 6)
	msgs, _ = nb.nudges.Nudge(ctx, id, at, "en")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "passed 1 of 2 areas. Next: “Basic use of digital devices”.") {
		t.Fatalf("after passing area 4: %+v", msgs)
	}
	// Everything passed: no nudge, nobody due, and /nudge says why.
	nb.finishQuiz(id, "0", 6, 6)
	if msgs, err := nb.nudges.Nudge(ctx, id, at, "en"); err != nil || msgs != nil {
		t.Errorf("a nudge with every area passed: %+v %v", msgs, err)
	}
	if due, _ := nb.nudges.Due(ctx, at, 0, 10); len(due) != 0 {
		t.Errorf("due with every area passed: %+v", due)
	}
	if r := u.Send("/nudge"); !strings.Contains(r.Text(), "You have passed every area") {
		t.Errorf("/nudge with every area passed:\n%s", r)
	}
	if r := u.Send("/progress"); len(r.Last().Labels()) == 0 || strings.Contains(strings.Join(r.Last().Labels(), "|"), "Remind me") {
		t.Errorf("/progress offers the reminder with every area passed: %q", r.Last().Labels())
	}
}

func TestNudge_DueListsTheOptedInWithTheirChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nb := newNudgeBot(t)
	a, idA := nb.user("A", "vi")
	_, _ = nb.user("B", "vi") // never chose
	c, idC := nb.user("C", "en")
	a.Send("/nudge")
	a.Tap("Nhắc tôi mỗi tuần")
	c.Send("/nudge")
	c.Tap("Remind me every week")
	at := time.Now().Add(time.Hour)
	due, err := nb.nudges.Due(ctx, at, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Recipient{{UserID: idA, Lang: "vi", Channel: bot.Telegram, ChatID: a.ID}, {UserID: idC, Lang: "en", Channel: bot.Telegram, ChatID: c.ID}}
	if fmt.Sprint(due) != fmt.Sprint(want) {
		t.Errorf("Due = %+v; want %+v", due, want)
	}
}

// /nudge names the next area to pass and has the button that starts it, as
// does the confirmation of turning the reminder on. With every area passed
// it does not offer to turn on a reminder it just said is not needed.
func TestNudge_OffersTheNextAreaAndNoReminderOnceAllArePassed(t *testing.T) {
	t.Parallel()
	nb := newNudgeBot(t)
	u, id := nb.user("Cầm Văn Hoa", "en")

	r := u.Send("/nudge")
	if !strings.Contains(r.Text(), "Next: “Basic use of digital devices”") {
		t.Fatalf("/nudge does not name the next area:\n%s", r)
	}
	if _, ok := r.Last().Button("▶️ 📱 Devices"); !ok {
		t.Fatalf("/nudge has no button to start the next area; buttons %q", r.Last().Labels())
	}
	r = u.Tap("Remind me every week")
	if _, ok := r.Last().Button("▶️ 📱 Devices"); !ok {
		t.Errorf("turning the reminder on does not offer to start the next area; buttons %q", r.Last().Labels())
	}
	if r = u.Tap("▶️ 📱 Devices"); !strings.Contains(r.Text(), "Question 1/6 · 📱 Devices") {
		t.Fatalf("the button did not start the area:\n%s", r)
	}
	u.Send("/stop")

	nb.finishQuiz(id, "0", 6, 6)
	nb.finishQuiz(id, "4", 6, 6)
	r = u.Send("/nudge")
	if !strings.Contains(r.Text(), "You have passed every area") {
		t.Fatalf("/nudge with every area passed:\n%s", r)
	}
	if got := r.Last().Labels(); len(got) != 1 || got[0] != "⬅️ Back to menu" {
		t.Errorf("opted in, every area passed: buttons %q; want only the menu", got)
	}
}

// With every area passed, /nudge says one thing: there is nothing left to
// remind of (and a reminder turned on is no longer needed), with the menu's
// button only; not that the reminder is off and could be turned on, nor
// that it is on. A button of an older message says the same; its stop is
// recorded.
func TestNudge_AllPassedSaysNothingIsLeftToRemind(t *testing.T) {
	t.Parallel()
	nb := newNudgeBot(t)
	for _, lang := range []string{"vi", "en"} {
		for _, on := range []bool{false, true} {
			u, id := nb.user(fmt.Sprintf("Lò Văn %s %v", lang, on), lang)
			old := u.Send("/nudge").Last() // its buttons, tapped later
			if on {
				u.Tap(nb.h.T(lang, "nudge.turn_on"))
				old = u.Send("/nudge").Last()
			}
			nb.finishQuiz(id, "0", 6, 6)
			nb.finishQuiz(id, "4", 6, 6)
			want := nb.h.T(lang, "nudge.done", "On", on)
			r := u.Send("/nudge")
			if len(r.Sent) != 1 || r.Text() != want {
				t.Errorf("%s, on %v: /nudge says:\n%s\nwant %q", lang, on, r, want)
			}
			if got := r.Last().Labels(); len(got) != 1 || got[0] != nb.h.T(lang, "menu.back") {
				t.Errorf("%s, on %v: /nudge buttons %q; want only the menu", lang, on, got)
			}
			if r := u.Send("/progress"); strings.Contains(strings.Join(r.Last().Labels(), "|"), "🔔") ||
				strings.Contains(strings.Join(r.Last().Labels(), "|"), "🔕") {
				t.Errorf("%s, on %v: /progress offers the reminder with every area passed: %q", lang, on, r.Last().Labels())
			}
			// The older message's button: a stop is recorded, a start is not.
			label := nb.h.T(lang, "nudge.turn_on")
			if on {
				label = nb.h.T(lang, "nudge.turn_off")
			}
			r = u.TapOn(old, label)
			if want := nb.h.T(lang, "nudge.done", "On", false); r.Text() != want {
				t.Errorf("%s, on %v: an older %q says:\n%s\nwant %q", lang, on, label, r, want)
			}
			if p := nb.pref(id); p.OptedIn {
				t.Errorf("%s, on %v: after %q the reminder is on", lang, on, label)
			}
		}
	}
}

// A nudge goes to people who have not written for a while, often longer
// than their conversation is remembered (SESSION_TTL): its buttons must
// work then too, not answer "I lost track" and leave the reminder on.
func TestNudge_ButtonsWorkAfterTheConversationWasForgotten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nb := newNudgeBot(t)
	u, id := nb.user("Cầm Thị Lan", "vi")
	u.Send("/nudge")
	u.Tap("Nhắc tôi mỗi tuần")

	msgs, err := nb.nudges.Send(ctx, id, time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC), "vi")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Send = %+v, %v; want one message", msgs, err)
	}
	msg := flowtest.Message{ID: "nudge-1", Text: msgs[0].Text, Buttons: msgs[0].Buttons}

	nb.h.FlushRedis()
	r := u.TapOn(msg, "Thiết bị số")
	if !strings.Contains(r.Text(), "Câu 1/6 · 📱 Thiết bị số") {
		t.Fatalf("continuing from the nudge after the session was lost did not start the area:\n%s", r)
	}
	u.Send("/stop")

	nb.h.FlushRedis()
	r = u.TapOn(msg, "Tắt nhắc hằng tuần")
	if r.Notice() != "Đã tắt nhắc hằng tuần" || !strings.Contains(r.Text(), "không nhắc hằng tuần nữa") {
		t.Fatalf("stopping from the nudge after the session was lost:\n%s", r)
	}
	if nb.pref(id).OptedIn {
		t.Fatal("the nudge is still on after the tap")
	}
}
