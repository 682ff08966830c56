package report_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// zaloForm has a choice of four options and an optional yes/no, not
// first: with Back and Pause, and Skip and Keep, their questions carry more
// buttons than a Zalo message holds.
const zaloForm = `id: z
version: 1
title: {vi: "Biểu mẫu Zalo", en: "Zalo form"}
sections:
  - key: s
    title: {vi: "Chung", en: "General"}
    fields:
      - key: name
        type: text
        required: true
        label: {vi: "Người lập báo cáo", en: "Prepared by"}
      - key: level
        type: choice
        required: true
        label: {vi: "Mức độ hoàn thành", en: "Level reached"}
        options:
          - key: excellent
            label: {vi: "Xuất sắc", en: "Excellent"}
          - key: good
            label: {vi: "Tốt", en: "Good"}
          - key: done
            label: {vi: "Hoàn thành", en: "Completed"}
          - key: not_done
            label: {vi: "Chưa hoàn thành", en: "Not completed"}
      - key: shared
        type: yesno
        label: {vi: "Đã chia sẻ dữ liệu chưa?", en: "Is data shared?"}
      - key: note
        type: text
        label: {vi: "Ghi chú", en: "Note"}
`

const zaloPeriods = `periods:
  - id: z
    name: {vi: "Kỳ Zalo", en: "Zalo period"}
    opens_at: 2025-06-01
    due: 2025-06-30
    kinds: [department, commune]
    form: z
    form_version: 1
`

// zaloWire sends what the engine sends to Zalo users both to the harness's
// recorder (the test taps by label) and through the real Zalo client to
// the fake platform, as users see it: more than 5 buttons become a
// numbered list with the zalo.choose instruction.
type zaloWire struct {
	rec    bot.Sender
	client *zalo.Client
}

func (w zaloWire) CanSendDocument(d *bot.Document) bool { return zalo.CanSendDocument(d) }

func (w zaloWire) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	if err := w.client.Send(ctx, t, r); err != nil {
		return err
	}
	return w.rec.Send(ctx, t, r)
}

func (w zaloWire) Answer(ctx context.Context, u *bot.Update, notice string) error {
	if err := w.client.Answer(ctx, u, notice); err != nil {
		return err
	}
	return w.rec.Answer(ctx, u, notice)
}

// onZalo makes the harness's Zalo users' replies go through the real
// Zalo client to a fake Zalo platform, which it returns.
func onZalo(t *testing.T, f *fixture) *fakezalo.Server {
	t.Helper()
	fake := fakezalo.Start(fakezalo.Config{})
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	// The flow reads the lists the client numbers, as serve wires them.
	choices := &zalo.MemoryChoices{}
	f.flow.SetChoices(choices)
	client, err := zalo.New(zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: fake.URL, OAuthURL: fake.URL,
		Tokens: &zalo.MemoryTokens{}, Choices: choices, Text: f.h.Catalog, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Seed(context.Background(), fake.Grant()); err != nil {
		t.Fatal(err)
	}
	f.h.Engine.SetSender(bot.Zalo, zaloWire{rec: f.h.Engine.Sender(bot.Zalo), client: client})
	return fake
}

// zaloFocals is the Zalo test form's fixture with replies on Zalo, and a
// focal point on Zalo in each language: of SNV in Vietnamese, of 03670 in
// English.
func zaloFocals(t *testing.T) (*fixture, *fakezalo.Server, map[string]*flowtest.User) {
	t.Helper()
	cfg, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(zaloPeriods)},
		config.File{Name: "forms/z.v1.yaml", Data: []byte(zaloForm)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	fake := onZalo(t, f)
	focals := map[string]*flowtest.User{}
	for _, c := range []struct{ lang, unit string }{{"vi", "SNV"}, {"en", "03670"}} {
		u := f.h.AgreedOn(bot.Zalo, "Zalo "+c.lang, c.lang)
		if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleFocal, c.unit, "admin", f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		focals[c.lang] = u
	}
	return f, fake, focals
}

// tapWord is an instruction to tap, press or click: on a numbered list
// there is nothing to tap.
var tapWord = map[string]*regexp.Regexp{
	"vi": regexp.MustCompile(`(?i)\b(bấm|nhấn|chạm)\b`),
	"en": regexp.MustCompile(`(?i)\b(tap|press|click)\b`),
}

// On Zalo, a question with more than 5 buttons shows them as a numbered
// list, with the instruction to type a number. What the flow says there
// (the choice and yes/no hints; a typed number out of range, a sticker
// refused) asks to choose, never to tap what cannot be tapped; with 5
// buttons or fewer (real buttons) the same hint stands. In Vietnamese and
// English.
func TestReport_OnZaloANumberedQuestionAsksNoTap(t *testing.T) {
	f, fake, focals := zaloFocals(t)
	for _, lang := range []string{"vi", "en"} {
		u := focals[lang]
		choose := f.T(lang, "zalo.choose", "Max", 6)
		// seen checks the messages Zalo got since the last call: none says
		// to tap; the last is the question, numbered (no buttons, the list
		// and zalo.choose) or not, with the hint.
		sent := len(fake.MessagesTo(u.ID))
		seen := func(what, hint string, numbered bool) {
			t.Helper()
			msgs := fake.MessagesTo(u.ID)[sent:]
			sent += len(msgs)
			if len(msgs) == 0 {
				t.Fatalf("%s, %s: nothing sent to Zalo", lang, what)
			}
			for _, m := range msgs {
				if numbered && tapWord[lang].MatchString(m.Text) {
					t.Errorf("%s, %s: says to tap, on a numbered list:\n%s", lang, what, m.Text)
				}
			}
			last := msgs[len(msgs)-1]
			if !strings.Contains(last.Text, hint) {
				t.Errorf("%s, %s: the hint %q is missing:\n%s", lang, what, hint, last.Text)
			}
			if got := len(last.Buttons) == 0 && strings.HasSuffix(last.Text, choose); got != numbered {
				t.Errorf("%s, %s: numbered %v, want %v: %d buttons\n%s", lang, what, got, numbered, len(last.Buttons), last.Text)
			}
		}

		u.Send("/report")
		u.Tap(map[string]string{"vi": "Kỳ Zalo", "en": "Zalo period"}[lang])
		sent = len(fake.MessagesTo(u.ID))
		u.Send("Lò Văn Sơn")
		// Four options, Back and Pause.
		choice := f.T(lang, "report.hint.choice")
		seen("the choice", choice, true)
		u.Send("9")
		seen("a number out of range", choice, true)
		u.Do(u.Update(bot.KindOther))
		seen("a sticker", choice, true)
		// Yes, No, Skip, Back and Pause: real buttons.
		u.Tap(map[string]string{"vi": "Tốt", "en": "Good"}[lang])
		yesno := f.T(lang, "report.hint.yesno")
		seen("the yes/no", yesno, false)
		// Answered, it gains Keep: 6 buttons.
		u.Tap(f.T(lang, "report.yes"))
		u.Tap(f.T(lang, "report.button.back"))
		seen("the yes/no answered", yesno, true)
		if t.Failed() {
			t.Logf("%s, what Zalo showed:\n%s", lang, strings.Join(fake.Texts(u.ID), "\n---\n"))
		}
	}
}

// The review has a ✏️ for each question, Send (or, for an amendment that
// changes nothing yet, Change the reason and Drop the amendment) and
// Pause: more than 5 buttons, so on Zalo a numbered list. What it says
// (ready to send; nothing differs yet), and what is said to text typed at
// it, asks to choose ✏️ and Send, never to tap them; as does what is said
// to text typed at a paused report. In Vietnamese and English.
func TestReport_OnZaloTheReviewAsksNoTap(t *testing.T) {
	f, fake, focals := zaloFocals(t)
	for _, lang := range []string{"vi", "en"} {
		u := focals[lang]
		choose := f.T(lang, "zalo.choose", "Max", 7)
		choose = choose[:strings.Index(choose, "7")]
		// seen checks the messages Zalo got since the last call: none says
		// to tap; they include want; the last is a numbered list (no
		// buttons, the list and zalo.choose) or not.
		sent := len(fake.MessagesTo(u.ID))
		seen := func(what, want string, numbered bool) {
			t.Helper()
			msgs := fake.MessagesTo(u.ID)[sent:]
			sent += len(msgs)
			if len(msgs) == 0 {
				t.Fatalf("%s, %s: nothing sent to Zalo", lang, what)
			}
			var texts []string
			for _, m := range msgs {
				texts = append(texts, m.Text)
				if w := tapWord[lang].FindString(m.Text); w != "" {
					t.Errorf("%s, %s: says %q:\n%s", lang, what, w, m.Text)
				}
			}
			all := strings.Join(texts, "\n---\n")
			if !strings.Contains(all, want) {
				t.Errorf("%s, %s: %q is missing:\n%s", lang, what, want, all)
			}
			last := msgs[len(msgs)-1]
			if got := len(last.Buttons) == 0 && strings.Contains(last.Text, "\n1. ") && strings.Contains(last.Text, choose); got != numbered {
				t.Errorf("%s, %s: numbered %v, want %v: %d buttons\n%s", lang, what, got, numbered, len(last.Buttons), last.Text)
			}
		}

		u.Send("/report")
		u.Tap(map[string]string{"vi": "Kỳ Zalo", "en": "Zalo period"}[lang])
		u.Send("Lò Văn Sơn")
		u.Tap(map[string]string{"vi": "Tốt", "en": "Good"}[lang])
		u.Tap(f.T(lang, "report.yes"))
		sent = len(fake.MessagesTo(u.ID))
		// Four ✏️, Send and Pause.
		u.Send("Không")
		seen("the review", f.T(lang, "report.review.ready"), true)
		// The number the list shows Send under, which the hints name.
		m := regexp.MustCompile(`(?m)^([0-9]+)\. ` + regexp.QuoteMeta(f.T(lang, "report.button.submit")) + `$`).FindStringSubmatch(fake.Texts(u.ID)[len(fake.Texts(u.ID))-1])
		if m == nil {
			t.Fatalf("%s: no %q in the review's numbered list:\n%s", lang, f.T(lang, "report.button.submit"), strings.Join(fake.Texts(u.ID), "\n---\n"))
		}
		typed := f.T(lang, "report.review.typed_numbered", "N", m[1])
		u.Send("câu 2 là Xuất sắc")
		seen("text typed at the review", typed, false)
		// "Send", typed: the number to type, not the button to choose.
		u.Send(map[string]string{"vi": "gửi báo cáo", "en": "send"}[lang])
		seen("the word to send typed at the review", typed, false)
		if d, ok := f.draft(map[string]string{"vi": "SNV", "en": "03670"}[lang], "z"); !ok || d.BaseVersion != 0 {
			t.Errorf("%s: a typed word sent the report", lang)
		}

		u.Tap(f.T(lang, "report.button.submit"))
		u.Send("/status")
		u.Tap(map[string]string{"vi": "1. Kỳ Zalo", "en": "1. Zalo period"}[lang])
		u.Tap(f.T(lang, "report.button.amend"))
		sent = len(fake.MessagesTo(u.ID))
		// Four ✏️, Change the reason, Drop the amendment and Pause.
		u.Send("Sửa mức độ")
		seen("the unchanged amendment's review", f.T(lang, "report.review.no_change_yet", "Version", 1), true)
		u.Send("câu 2 là Xuất sắc")
		seen("text typed at the unchanged review", f.T(lang, "report.review.typed_no_change", "Version", 1), false)

		u.Tap(f.T(lang, "report.button.pause"))
		sent = len(fake.MessagesTo(u.ID))
		u.Send("tiếp")
		seen("text typed at the paused report", f.T(lang, "report.use_buttons_above"), false)
		if t.Failed() {
			t.Logf("%s, what Zalo showed:\n%s", lang, strings.Join(fake.Texts(u.ID), "\n---\n"))
		}
	}
}

// On Zalo, text typed at a review that lacks a required answer is told the
// number "Answer what is missing" is under in the list, not Send's (not
// shown).
func TestReport_OnZaloTypedAtAReviewWithMissingAnswers(t *testing.T) {
	f, fake, focals := zaloFocals(t)
	for _, lang := range []string{"vi", "en"} {
		u := focals[lang]
		unit := map[string]string{"vi": "SNV", "en": "03670"}[lang]
		u.Send("/report")
		u.Tap(map[string]string{"vi": "Kỳ Zalo", "en": "Zalo period"}[lang])
		u.Send("Lò Văn Sơn")
		u.Tap(map[string]string{"vi": "Tốt", "en": "Good"}[lang])
		u.Tap(f.T(lang, "report.yes"))
		u.Send("Không")
		// An option no longer offered: the review lacks the level.
		breakAnswer(t, f, u, unit, "z", "z", "level", `{"type":"choice","choice":"gone"}`)
		u.Send("/report")
		texts := fake.Texts(u.ID)
		review := texts[len(texts)-1]
		m := regexp.MustCompile(`(?m)^([0-9]+)\. ` + regexp.QuoteMeta(f.T(lang, "report.button.answer_missing")) + `$`).FindStringSubmatch(review)
		if m == nil {
			t.Fatalf("%s: no %q in the review's numbered list:\n%s", lang, f.T(lang, "report.button.answer_missing"), review)
		}
		u.Send(map[string]string{"vi": "gửi báo cáo", "en": "send"}[lang])
		texts = fake.Texts(u.ID)
		if got, want := texts[len(texts)-1], f.T(lang, "report.review.typed_missing_numbered", "N", m[1]); got != want {
			t.Errorf("%s: text typed at the review lacking an answer:\n%s\nwant:\n%s", lang, got, want)
		}
	}
}

// Once five periods are open, /report's list on Zalo (5 periods and Back
// to the menu) is a numbered list: each period shows the list's number
// once, "1. Kỳ 1", not "1. 1. Kỳ 1"; typing it opens the period.
func TestReport_OnZaloManyPeriodsAreNumberedOnce(t *testing.T) {
	periods := "periods:\n"
	for i := 1; i <= 5; i++ {
		periods += fmt.Sprintf("  - id: p%d\n    name: {vi: \"Kỳ %d\", en: \"Period %d\"}\n    opens_at: 2025-06-0%d\n    due: 2025-07-3%d\n"+
			"    kinds: [department, commune]\n    form: z\n    form_version: 1\n", i, i, i, i, i%2)
	}
	cfg, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(periods)},
		config.File{Name: "forms/z.v1.yaml", Data: []byte(zaloForm)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	fake := onZalo(t, f)
	u := f.h.AgreedOn(bot.Zalo, "Zalo vi", "vi")
	if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleFocal, "SNV", "admin", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	u.Send("/report")
	texts := fake.Texts(u.ID)
	list := texts[len(texts)-1]
	if !strings.Contains(list, "\n1. Kỳ 1\n") || !strings.Contains(list, "\n5. Kỳ 5\n6. "+f.T("vi", "menu.back")) {
		t.Errorf("the periods on Zalo:\n%s", list)
	}
	if regexp.MustCompile(`(?m)^[0-9]+\. [0-9]+\. `).MatchString(list) {
		t.Errorf("a period numbered twice:\n%s", list)
	}
	mustContain(t, "3 typed", u.Send("3").Text(), "Kỳ 3", "Câu 1/4")
}
