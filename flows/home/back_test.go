package home_test

import (
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/home"
)

// asker stands for every flow that asks for something typed (an invite
// code, a certificate's name, a commune): /join, as an invite's flow does,
// shows the question with the way back to the menu, and what is typed next
// is its answer. A /start payload "ask…" is kept until the user agrees, as
// an invite is. Its command is a real one: the command menus describe it.
type asker struct{}

func (asker) Name() string       { return "asker" }
func (asker) Commands() []string { return []string{"join"} }
func (asker) Public() bool       { return true }

func (asker) ClaimsStart(payload string) bool { return strings.HasPrefix(payload, "ask") }

func (a asker) Start(c *bot.Conversation, payload string) error {
	if c.Session.UserID == 0 {
		return home.AwaitConsent(c, a.Name(), payload)
	}
	c.Reply(bot.Reply{Text: "started " + payload})
	return nil
}

func (a asker) Handle(c *bot.Conversation, in flows.Input) error {
	if in.Command == "join" {
		if err := c.Session.Enter(a.Name(), "typing", nil); err != nil {
			return err
		}
		c.NextScreen()
		c.Reply(bot.Reply{Text: "asked", Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	}
	c.Reply(bot.Reply{Text: "answer: " + c.Update.Text})
	return nil
}

// The menu's "back" button leaves the screen it was on, as /menu does:
// text typed afterwards is not taken as the answer to the question left.
func TestBackToMenuLeavesTheQuestion(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return asker{} }))
	u := h.NewUser("Lò Văn Minh", "vi")
	u.Send("/start")
	u.Tap("Tôi đồng ý")

	if r := u.Send("/join"); r.Last().Text != "asked" {
		t.Fatalf("/join: %s", r)
	}
	if r := u.Send("ABCD"); r.Last().Text != "answer: ABCD" {
		t.Fatalf("the answer to the question: %s", r)
	}
	r := u.Tap(h.T("vi", "menu.back"))
	if r.Last().Text != h.T("vi", "menu.title") {
		t.Fatalf("back to the menu: %s", r)
	}
	r = u.Send("bao giờ thi?")
	if strings.Contains(r.Text(), "answer:") {
		t.Errorf("after the tap on the menu, typed text still went to the question:\n%s", r)
	}
	if !strings.Contains(r.Text(), h.T("vi", "unknown.hint")) {
		t.Errorf("typed text after the menu is not answered as any text is:\n%s", r)
	}
}

// Before consent, /menu and the menu's button show the privacy notice and
// keep what the user came with (an invite code): agreeing still uses it.
func TestMenuBeforeConsentKeepsWhatWasBrought(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return asker{} }))
	u := h.NewUser("Quàng Thị Mai", "vi")
	u.Send("/start ask-42")
	r := u.Send("/menu")
	if !strings.Contains(r.Text(), h.T("vi", "privacy.notice")) {
		t.Fatalf("/menu before consent: %s", r)
	}
	r = u.Tap("Tôi đồng ý")
	if r.Last().Text != "started ask-42" {
		t.Errorf("after /menu, agreeing no longer goes on with what the user came with:\n%s", r)
	}
}

// Switching language ends with the menu, which leaves the screen the user
// was on, as the menu's button does: a focal point who switched in the
// middle of a report and types at the menu does not answer, unseen, the
// question the menu hides.
func TestLanguageSwitchLeavesTheQuestion(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return asker{} }))
	u := h.NewUser("Lò Văn Minh", "vi")
	u.Send("/start")
	u.Tap("Tôi đồng ý")

	u.Send("/join")
	u.Send("/language")
	r := u.Tap("English")
	if r.Last().Text != h.T("en", "menu.title") {
		t.Fatalf("the switch ends with the menu: %s", r)
	}
	r = u.Send("4")
	if strings.Contains(r.Text(), "answer:") {
		t.Errorf("after switching language, typed text still went to the question:\n%s", r)
	}
	if !strings.Contains(r.Text(), h.T("en", "unknown.hint")) {
		t.Errorf("typed text after the menu is not answered as any text is:\n%s", r)
	}
}
