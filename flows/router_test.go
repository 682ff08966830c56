package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/home"
	"hocvuso/flows/privacy"
)

// members is a flow for consented users only, with a command and a button.
type members struct{}

func (members) Name() string       { return "members" }
func (members) Commands() []string { return []string{"members"} }
func (members) Handle(c *bot.Conversation, in flows.Input) error {
	c.NextScreen()
	c.Reply(bot.Reply{Text: "members only", Buttons: [][]bot.Button{{c.Button("again", "members", "again", "")}}})
	return nil
}

// echo owns the conversation once started: typed text and files go to it.
type echo struct{}

func (echo) Name() string       { return "echo" }
func (echo) Commands() []string { return []string{"echo"} }
func (echo) Public() bool       { return true }
func (echo) Handle(c *bot.Conversation, in flows.Input) error {
	u := c.Update
	switch {
	case in.Command == "echo":
		if err := c.Session.Enter("echo", "listening", nil); err != nil {
			return err
		}
		c.Reply(bot.Reply{Text: "listening"})
	case u.Kind == bot.KindFile:
		c.Reply(bot.Reply{Text: "file " + u.File.Name})
	default:
		c.Reply(bot.Reply{Text: "echo " + u.Text})
	}
	return nil
}

// asker asks one question (like /verify asking for a code): typed text
// answers it, until another command leaves it.
type asker struct{}

func (asker) Name() string       { return "asker" }
func (asker) Commands() []string { return []string{"ask"} }
func (asker) Transient() bool    { return true }
func (asker) Handle(c *bot.Conversation, in flows.Input) error {
	if in.Command == "ask" {
		if err := c.Session.Enter("asker", "code", nil); err != nil {
			return err
		}
		c.Reply(bot.Reply{Text: "your code?"})
		return nil
	}
	c.Reply(bot.Reply{Text: "code " + c.Update.Text})
	return nil
}

func newHarness(t *testing.T) *flowtest.Harness {
	return flowtest.New(t,
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return members{} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return echo{} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return asker{} }),
	)
}

// Someone who has not agreed is never met with silence, whatever they send,
// and nothing of theirs is stored.
func TestNoUpdateBeforeConsentGoesUnanswered(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.NewUser("Khách", "vi")
	other := u.Update(bot.KindOther)
	file := u.Update(bot.KindFile)
	file.File = &bot.File{ID: "f1", Name: "anh.jpg", MIME: "image/jpeg"}
	edited := u.Update(bot.KindEdited)
	edited.Text = "sửa lại"
	for name, upd := range map[string]*bot.Update{
		"text":            u.Message("chào bạn"),
		"emoji":           u.Message("👋🏽"),
		"/mydata":         u.Message("/mydata"),
		"/deleteme":       u.Message("/deleteme"),
		"/menu":           u.Message("/menu"),
		"/help":           u.Message("/help"),
		"/language":       u.Message("/language"),
		"unknown command": u.Message("/nonsense"),
		"/members":        u.Message("/members"),
		"file":            file,
		"sticker":         other,
		"edited":          edited,
		"members button":  u.Callback("members|again|0|", "77"),
		"garbage button":  u.Callback("%%%garbage", "77"),
		"privacy erase":   u.Callback("privacy|erase|5|yes", "77"),
	} {
		r := u.Do(upd)
		if len(r.Sent) == 0 && r.Notice() == "" {
			t.Errorf("%s: no reply at all", name)
		}
	}
	if n := h.Count("users") + h.Count("accounts"); n != 0 {
		t.Errorf("%d rows stored without consent", n)
	}
}

// A flow that is not public asks for the consent first, then works.
func TestPrivateFlowNeedsConsent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.NewUser("Nam", "vi")
	for _, upd := range []*bot.Update{u.Message("/members"), u.Callback("members|again|1|", "1")} {
		r := u.Do(upd)
		if got := r.Texts(); len(got) != 3 || got[0] != h.T("vi", "consent.required") || got[2] != h.T("vi", "privacy.notice") {
			t.Errorf("%s %s before consent: want consent.required, the welcome and the notice; got\n%s", upd.Kind, upd.Text+upd.Data, r)
		}
	}
	u.Tap("Tôi đồng ý")
	if r := u.Send("/members"); r.Text() != "members only" {
		t.Errorf("/members after consent: %s", r)
	}
	if r := u.Tap("again"); r.Text() != "members only" {
		t.Errorf("members button after consent: %s", r)
	}
}

func TestUnexpectedInputIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Lan", "vi")
	hintAndMenu := func(what string, r flowtest.Result) {
		t.Helper()
		if got := r.Texts(); len(got) != 2 || got[0] != h.T("vi", "unknown.hint") || got[1] != h.T("vi", "menu.title") {
			t.Errorf("%s: want the hint and the menu, got\n%s", what, r)
		}
	}
	hintAndMenu("text", u.Send("bao giờ thi?"))
	hintAndMenu("4096 characters", u.Send(strings.Repeat("ạ", 4096)))
	hintAndMenu("emoji", u.Send("👍🏽🇻🇳❤️‍🔥"))
	hintAndMenu("decomposed Vietnamese", u.Send("Bao gio\u031B\u0300 thi?"))

	if r := u.Send("/nonsense"); r.Text() != h.T("vi", "unknown.command") {
		t.Errorf("unknown command: %s", r)
	}
	if r := u.Edit("sửa"); r.Text() != h.T("vi", "edited.ignored") {
		t.Errorf("edited message: %s", r)
	}
	if r := u.SendFile("anh.jpg", "image/jpeg"); r.Text() != h.T("vi", "unsupported.input") {
		t.Errorf("photo where text was expected: %s", r)
	}
	if r := u.Do(u.Update(bot.KindOther)); r.Text() != h.T("vi", "unsupported.input") {
		t.Errorf("sticker: %s", r)
	}
	// Commands are case-insensitive and may name the bot.
	if r := u.Send("/MENU@hocvuso_bot"); r.Text() != h.T("vi", "menu.title") {
		t.Errorf("/MENU@hocvuso_bot: %s", r)
	}
}

// An unknown command is answered with the button back to the menu, on
// Telegram and on Zalo, as text no flow understands is answered with the
// menu; before the consent, without it (it would show the notice). The
// conversation under way stays as it was: the reply starts no new screen,
// so the buttons on show are not made old.
func TestUnknownCommandOffersTheMenu(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, ch := range []bot.Channel{bot.Telegram, bot.Zalo} {
		u := h.AgreedOn(ch, "Lan", "vi")
		r := u.Send("/nonsense")
		if r.Text() != h.T("vi", "unknown.command") || !slices.Equal(r.Last().Labels(), []string{h.T("vi", "menu.back")}) {
			t.Errorf("%s: want unknown.command with the menu's button, got\n%s", ch, r)
			continue
		}
		if r := u.Tap(h.T("vi", "menu.back")); r.Text() != h.T("vi", "menu.title") {
			t.Errorf("%s: the button shows\n%s", ch, r)
		}
	}

	u := h.Agreed("Minh", "en")
	shown, _ := u.Send("/members").Last().Button("again")
	r := u.Send("/nonsense")
	back, ok := r.Last().Button(h.T("en", "menu.back"))
	if !ok {
		t.Fatalf("in a conversation: no menu button\n%s", r)
	}
	if a, b := mustParse(t, shown.Data), mustParse(t, back.Data); a.Screen != b.Screen {
		t.Errorf("the unknown command moved the screen from %d to %d", a.Screen, b.Screen)
	}
	u.Send("/echo")
	u.Send("/nonsense")
	if r := u.Send("xin chào"); r.Text() != "echo xin chào" {
		t.Errorf("text after an unknown command in the echo flow: %s", r)
	}

	before := h.NewUser("Khách", "vi")
	if r := before.Send("/nonsense"); r.Text() != h.T("vi", "unknown.command") || len(r.Last().Buttons) != 0 {
		t.Errorf("before the consent: want unknown.command alone, got\n%s", r)
	}
}

func mustParse(t *testing.T, data string) bot.Callback {
	t.Helper()
	cb, err := bot.ParseCallback(data)
	if err != nil {
		t.Fatalf("callback %q: %v", data, err)
	}
	return cb
}

// Button data that is malformed, names no flow or no action, is answered
// with the stale notice; nothing is sent and nothing breaks.
func TestGarbageButtonsGetTheStaleNotice(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Ann", "en")
	for _, data := range []string{
		"", "garbage", "|||", "home|agree", "home|agree|x|", "home|agree|-1|", "HOME|menu|1|",
		"nosuchflow|go|1|", "home|nosuchaction|1|", "home|lang|1|fr", "privacy|nosuchaction|1|",
		strings.Repeat("home|menu|1|", 10), "home|menu|99999999999|", "home\x00|menu|1|",
	} {
		r := u.Do(u.Callback(data, "1"))
		if len(r.Sent) != 0 || r.Answered != 1 || r.Notice() != h.T("en", "stale.button") {
			t.Errorf("callback %q: want only the stale notice, got %d answers\n%s", data, r.Answered, r)
		}
	}
	// Still fine afterwards.
	if r := u.Send("/menu"); r.Text() != h.T("en", "menu.title") {
		t.Errorf("/menu after garbage: %s", r)
	}
}

// Typed input goes to the flow that owns the conversation; a command takes
// the user out of it.
func TestTypedInputGoesToTheOwningFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Minh", "vi")
	u.Send("/echo")
	if r := u.Send("xin chào"); r.Text() != "echo xin chào" {
		t.Errorf("text in the echo flow: %s", r)
	}
	if r := u.SendFile("a.pdf", "application/pdf"); r.Text() != "file a.pdf" {
		t.Errorf("file in the echo flow: %s", r)
	}
	u.Send("/menu")
	if r := u.Send("bao giờ thi?"); r.Texts()[0] != h.T("vi", "unknown.hint") {
		t.Errorf("text after /menu left the flow: %s", r)
	}
}

// A question of a transient flow (a code, a name, a commune) is left by
// another flow's command, as by /menu: what is typed afterwards is not read
// as its answer. Its own command asks again; a flow that is not transient
// keeps the conversation through other commands.
func TestAnotherCommandLeavesATransientQuestion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Minh", "vi")
	u.Send("/ask")
	if r := u.Send("HVS-1"); r.Text() != "code HVS-1" {
		t.Errorf("the answer to the question: %s", r)
	}
	u.Send("/members")
	if r := u.Send("chieng sinh"); r.Texts()[0] != h.T("vi", "unknown.hint") {
		t.Errorf("text typed after another command went to the question left: %s", r)
	}
	u.Send("/ask")
	u.Send("/help")
	if r := u.Send("chieng sinh"); r.Texts()[0] != h.T("vi", "unknown.hint") {
		t.Errorf("text typed after /help went to the question left: %s", r)
	}
	u.Send("/ask")
	u.Send("/ask")
	if r := u.Send("HVS-2"); r.Text() != "code HVS-2" {
		t.Errorf("the question asked again by its own command: %s", r)
	}

	// echo is not transient: it keeps the conversation through /members.
	u.Send("/echo")
	u.Send("/members")
	if r := u.Send("xin chào"); r.Text() != "echo xin chào" {
		t.Errorf("a flow that is not transient lost the conversation: %s", r)
	}
}

// When Redis loses the conversations, a known user is still known: a tap on
// a button shown before gets an apology and the menu, in their language, and
// no second notice or second user.
func TestRedisLossKeepsTheUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Ann", "en")
	menu := u.Screen()
	h.FlushRedis()

	r := u.TapOn(menu, "Help")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("en", "lost.track") || got[1] != h.T("en", "menu.title") {
		t.Fatalf("tap after the loss: want lost.track and the menu in English, got\n%s", r)
	}
	if r.Answered != 1 {
		t.Errorf("tap answered %d times", r.Answered)
	}
	// The new menu works as usual.
	if r := u.Tap("Help"); !strings.HasPrefix(r.Last().Text, h.T("en", "help.text")) {
		t.Errorf("help from the new menu: %s", r)
	}
	r = u.Send("/start")
	if strings.Contains(r.Text(), h.T("en", "privacy.notice")) {
		t.Errorf("a known user was asked to consent again:\n%s", r)
	}
	if n, m := h.Count("users"), h.Count("accounts"); n != 1 || m != 1 {
		t.Errorf("%d users and %d accounts, want 1 and 1", n, m)
	}

	// Typed text after a loss is no worse off.
	h.FlushRedis()
	r = u.Send("when is the test?")
	if strings.Contains(r.Text(), h.T("en", "privacy.notice")) || r.Last().Text != h.T("en", "menu.title") {
		t.Errorf("text after a loss: %s", r)
	}
	// Nor is a tap on a button older still.
	h.FlushRedis()
	if r := u.TapOn(menu, "My data"); r.Texts()[0] != h.T("en", "lost.track") {
		t.Errorf("tap on the first menu after a second loss: %s", r)
	}
	if n := h.Count("users"); n != 1 {
		t.Errorf("%d users after taps across losses", n)
	}
}

func newRouter(more ...flows.Flow) *flows.Router {
	return flows.NewRouter(home.New(nil, nil), append([]flows.Flow{privacy.New(nil, time.UTC)}, more...)...)
}

func TestRouterCommands(t *testing.T) {
	t.Parallel()
	got := newRouter(members{}, echo{}).Commands()
	for _, want := range []string{"start", "menu", "help", "language", "mydata", "deleteme", "members", "echo"} {
		if !slices.Contains(got, want) {
			t.Errorf("Commands() = %q, lacks %q", got, want)
		}
	}
}

func TestRouterRefusesAmbiguity(t *testing.T) {
	t.Parallel()
	for name, build := range map[string]func(){
		"two flows with one name":  func() { newRouter(members{}, members{}) },
		"two flows with a command": func() { newRouter(echo{}, renamed{echo{}}) },
		"a flow named like home":   func() { newRouter(renamed2{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewRouter did not panic", name)
				}
			}()
			build()
		}()
	}
}

type renamed struct{ echo }

func (renamed) Name() string { return "echo2" }

type renamed2 struct{ members }

func (renamed2) Name() string       { return flows.HomeName }
func (renamed2) Commands() []string { return nil }

// waiter is a flow that has something waiting when typed text holds its
// word, and is told when its button is tapped.
type waiter struct{ name, word string }

func (w waiter) Name() string     { return w.name }
func (waiter) Commands() []string { return nil }
func (w waiter) Handle(c *bot.Conversation, in flows.Input) error {
	c.Reply(bot.Reply{Text: w.name + " " + in.Callback.Action + " " + in.Callback.Arg})
	return nil
}
func (w waiter) Stray(c *bot.Conversation) (*flows.Paused, error) {
	if !strings.Contains(c.Update.Text, w.word) {
		return nil, nil
	}
	return &flows.Paused{Text: w.name + " waits", Label: "go on with " + w.name, Action: "resume", Arg: w.word}, nil
}

// Typed text no flow owns is offered to every Stray: what they find is
// said in one message, in the order of the flows, each with its button,
// then the menu's; when none finds anything, the hint and the menu.
func TestStraysAreAnsweredTogether(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t,
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return waiter{"quiz", "B"} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return echo{} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return waiter{"report", "2"} }),
	)
	u := h.Agreed("Lan", "vi")
	back := h.T("vi", "menu.back")
	for _, tc := range []struct {
		typed, text string
		labels      []string
	}{
		{"B", "quiz waits", []string{"go on with quiz", back}},
		{"2", "report waits", []string{"go on with report", back}},
		{"B2", "quiz waits\n\nreport waits", []string{"go on with quiz", "go on with report", back}},
	} {
		r := u.Send(tc.typed)
		if len(r.Sent) != 1 || r.Text() != tc.text || !slices.Equal(r.Last().Labels(), tc.labels) {
			t.Errorf("%q: want %q with %q, got\n%s", tc.typed, tc.text, tc.labels, r)
		}
	}
	if r := u.Tap("go on with report"); r.Text() != "report resume 2" {
		t.Errorf("the report's button: %s", r)
	}
	if r := u.Send("C"); len(r.Sent) != 2 || r.Texts()[0] != h.T("vi", "unknown.hint") {
		t.Errorf("nothing waits: want the hint and the menu, got\n%s", r)
	}
}

// claimer takes typed text that starts with its word, as /join takes a
// pasted invite code.
type claimer struct {
	word   string
	public bool
}

func (claimer) Name() string       { return "claimer" }
func (claimer) Commands() []string { return nil }
func (w claimer) Public() bool     { return w.public }
func (claimer) Handle(c *bot.Conversation, in flows.Input) error {
	return nil
}
func (w claimer) Claim(c *bot.Conversation) (bool, error) {
	if !strings.HasPrefix(c.Update.Text, w.word) {
		return false, nil
	}
	c.Reply(bot.Reply{Text: "claimed " + c.Update.Text})
	return true, nil
}

// Typed text no flow owns goes to the Claimer that takes it, before any
// Stray is asked; text typed while a flow owns the conversation stays its
// own; before the consent, only a Public Claimer is asked.
func TestClaimedTextGoesToItsFlow(t *testing.T) {
	t.Parallel()
	for _, public := range []bool{false, true} {
		h := flowtest.New(t,
			flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return waiter{"quiz", "CODE"} }),
			flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return claimer{"CODE", public} }),
			flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return echo{} }),
		)
		u := h.Agreed("Lan", "vi")
		if r := u.Send("CODE 1"); r.Text() != "claimed CODE 1" {
			t.Errorf("at the menu: %s", r)
		}
		if r := u.Send("other"); r.Texts()[0] != h.T("vi", "unknown.hint") {
			t.Errorf("text not claimed: %s", r)
		}
		u.Send("/echo")
		if r := u.Send("CODE 2"); r.Text() != "echo CODE 2" {
			t.Errorf("while echo listens: %s", r)
		}
		v := h.NewUser("Hoa", "vi")
		r := v.Send("CODE 3")
		if claimed := r.Text() == "claimed CODE 3"; claimed != public {
			t.Errorf("before consent, public %v: %s", public, r)
		}
	}
}
