// Package home greets a user, asks for consent to the privacy notice, and
// keeps the main menu, the help and the language choice.
package home

import (
	"context"
	"strings"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/store"
)

// ConsentVersion names the privacy notice a user agreed to; change it when
// the notice changes materially.
const ConsentVersion = "2026-11-v2"

// Users is what the home flow needs of the records.
type Users interface {
	CreateUser(ctx context.Context, n store.NewUser) (int64, error)
	SetLanguage(ctx context.Context, userID int64, lang string) error
	// UserRoles tells which menu items and help a user sees.
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
}

// Starter is a flow that a deep link opens: `/start PAYLOAD` (Telegram's
// t.me/<bot>?start=PAYLOAD) goes to the starter that claims the payload.
type Starter interface {
	flows.Flow
	// ClaimsStart reports whether a /start payload is for this flow.
	ClaimsStart(payload string) bool
	// Start handles a payload: a claimed /start payload, or one kept by
	// AwaitConsent, given again once the user agreed.
	Start(c *bot.Conversation, payload string) error
}

// StartersOf picks the starters among flows, for New.
func StartersOf(fs []flows.Flow) []Starter {
	var out []Starter
	for _, f := range fs {
		if s, ok := f.(Starter); ok {
			out = append(out, s)
		}
	}
	return out
}

// Flow is the home flow.
type Flow struct {
	users    Users
	menu     []flows.MenuItem
	starters []Starter
	// byRole is set when some menu item is not for everyone: the menu
	// then needs the user's roles.
	byRole bool
	// Menus, when set, gives the chats of a role holder, or of a user who
	// chooses their language in the bot, their command menu in it.
	Menus *flows.CommandMenus
}

// New returns the home flow with the main menu's items and the flows that
// deep links may open. Each item shows to its audience (MenuItem.For).
func New(users Users, menu []flows.MenuItem, starters ...Starter) *Flow {
	f := &Flow{users: users, menu: menu, starters: starters}
	for _, it := range menu {
		f.byRole = f.byRole || it.For != flows.Everyone
	}
	return f
}

// Audience is the roles a user holds, as the menu and the help see them:
// Everyone for someone with none, or who has not agreed yet.
func (f *Flow) Audience(c *bot.Conversation) (flows.Audience, error) {
	if c.Session.UserID == 0 {
		return flows.Everyone, nil
	}
	roles, err := f.users.UserRoles(c.Ctx, c.Session.UserID)
	if err != nil {
		return flows.Everyone, err
	}
	return flows.AudienceOf(roles), nil
}

// stepConsent is home's step while a user who has not agreed yet has
// something kept for after the consent (pending).
const stepConsent = "consent"

// pending is what a starter asked to keep until the user agrees.
type pending struct {
	Flow    string `json:"f"`
	Payload string `json:"p,omitempty"`
}

// AwaitConsent greets a user who has not agreed to the privacy notice yet
// and keeps flow's payload in the session: once they agree, the starter
// named flow gets it through Start. Switching language, declining, or
// anything else typed before agreeing keeps it.
func AwaitConsent(c *bot.Conversation, flow, payload string) error {
	if err := c.Session.Enter(flows.HomeName, stepConsent, pending{Flow: flow, Payload: payload}); err != nil {
		return err
	}
	return greet(c)
}

// kept is what the session keeps for after the consent, if anything.
func kept(s *bot.Session) (pending, bool) {
	var p pending
	if s.Flow != flows.HomeName || s.Step != stepConsent || s.LoadData(&p) != nil || p.Flow == "" {
		return pending{}, false
	}
	return p, true
}

// Keeps reports whether the session holds something a user who has not
// agreed yet brought (an invite code), kept for after the consent, and
// the flow it is for.
func Keeps(s *bot.Session) (flow string, ok bool) {
	p, ok := kept(s)
	return p.Flow, ok
}

func (f *Flow) starter(name string) Starter {
	for _, s := range f.starters {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

func (*Flow) Name() string       { return flows.HomeName }
func (*Flow) Commands() []string { return []string{"start", "menu", "help", "language"} }
func (*Flow) Public() bool       { return true }

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	consented := c.Session.UserID != 0
	if cb := in.Callback; cb != nil {
		switch cb.Action {
		case "agree":
			return f.agree(c)
		case "decline":
			if consented {
				return f.Menu(c, true)
			}
			c.Reply(bot.Reply{Text: c.T("privacy.declined"), Edit: true,
				Buttons: [][]bot.Button{{c.Button(c.T("privacy.agree"), flows.HomeName, "agree", "")}}})
			return nil
		case "lang":
			return f.setLanguage(c, cb.Arg)
		case "language":
			return f.chooseLanguage(c, true)
		case "help":
			return f.help(c, true)
		case "menu":
			// Back at the menu, what is typed next is no longer an answer
			// to the screen left (a code, a name, a commune), as after /menu.
			leave(c)
			return f.Menu(c, true)
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	switch in.Command {
	case "start":
		if payload := strings.TrimSpace(in.Args); payload != "" {
			for _, s := range f.starters {
				if s.ClaimsStart(payload) {
					return s.Start(c, payload)
				}
			}
		}
		if !consented {
			return f.Greet(c)
		}
		c.Session.Reset()
		c.Say("welcome")
		return f.Menu(c, false)
	case "menu":
		leave(c)
		return f.Menu(c, false)
	case "help":
		return f.help(c, false)
	case "language":
		return f.chooseLanguage(c, false)
	}
	return f.Menu(c, false)
}

// leave ends the conversation the user was in. Before consent there is
// none, and what AwaitConsent kept stays kept.
func leave(c *bot.Conversation) {
	if c.Session.UserID != 0 {
		c.Session.Reset()
	}
}

// Claim implements flows.Claimer, the menu's own: small talk typed at the
// menu ("cảm ơn", "ok", "xin chào", flows.SmallTalk) gets a short answer
// in kind with the menu's button, not "I did not understand" and the whole
// menu. The router asks it last, after the Strays: what waits (a paused
// quiz, a report's draft) is said instead. Before the consent it claims
// nothing: the greeting and the privacy notice answer everything.
func (*Flow) Claim(c *bot.Conversation) (bool, error) {
	if c.Session.UserID == 0 || c.Update.Kind != bot.KindText {
		return false, nil
	}
	t := flows.SmallTalk(c.Update.Text)
	if t == flows.NoTalk {
		return false, nil
	}
	// No new screen, as for an unknown command: the buttons of what was
	// just shown (a receipt, a result) still work after "cảm ơn".
	c.Say(t.Message(), flows.BackToMenu(c))
	return true, nil
}

// Greet shows who the bot is and the privacy notice, with the consent
// buttons. What AwaitConsent kept stays kept.
func (f *Flow) Greet(c *bot.Conversation) error { return greet(c) }

func greet(c *bot.Conversation) error {
	p, keep := kept(c.Session)
	c.Session.Reset()
	if keep {
		if err := c.Session.Enter(flows.HomeName, stepConsent, p); err != nil {
			return err
		}
	}
	c.NextScreen()
	c.Say("welcome")
	c.Reply(bot.Reply{Text: c.T("privacy.notice"), Buttons: [][]bot.Button{
		{c.Button(c.T("privacy.agree"), flows.HomeName, "agree", "")},
		{c.Button(c.T("privacy.decline"), flows.HomeName, "decline", "")},
		{otherLanguage(c)},
	}})
	return nil
}

// otherLanguage is the one-tap switch to the language not in use.
func otherLanguage(c *bot.Conversation) bot.Button {
	if c.Lang() == "en" {
		return c.Button(c.T("language.vi"), flows.HomeName, "lang", "vi")
	}
	return c.Button(c.T("language.en"), flows.HomeName, "lang", "en")
}

// Menu shows the main menu.
func (f *Flow) Menu(c *bot.Conversation, edit bool) error {
	if c.Session.UserID == 0 {
		return f.Greet(c)
	}
	who := flows.Everyone
	if f.byRole {
		var err error
		if who, err = f.Audience(c); err != nil {
			return err
		}
	}
	c.NextScreen()
	rows := make([][]bot.Button, 0, len(f.menu)+3)
	for _, it := range f.menu {
		if it.For.Admits(who) {
			rows = append(rows, []bot.Button{c.Button(c.T(it.Label), it.Flow, it.Action, "")})
		}
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("menu.help"), flows.HomeName, "help", "")},
		[]bot.Button{c.Button(c.T("menu.language"), flows.HomeName, "language", "")},
		[]bot.Button{c.Button(c.T("menu.mydata"), "privacy", "mydata", "")},
	)
	c.Reply(bot.Reply{Text: c.T("menu.title"), Buttons: rows, Edit: edit})
	return nil
}

func (f *Flow) agree(c *bot.Conversation) error {
	if c.Session.UserID == 0 {
		u := c.Update
		// A language unlike their app's was chosen before agreeing (the
		// greeting's switch, /language): the session's starts as the app's.
		chosen := c.Lang() != bot.LangFromTag(u.LanguageCode)
		id, err := f.users.CreateUser(c.Ctx, store.NewUser{
			Channel: u.Channel, ExternalID: u.UserID, ChatID: u.ChatID,
			DisplayName: u.DisplayName, Language: c.Lang(), LanguageChosen: chosen, ConsentVersion: ConsentVersion, At: c.Now,
		})
		if err != nil {
			return err
		}
		c.Session.UserID, c.Session.LastSeen = id, c.Now.Unix()
		c.Reply(bot.Reply{Text: c.T("privacy.thanks"), Edit: true})
		if chosen {
			// The app's command menu speaks the other language.
			if err := f.Menus.Follow(c, id); err != nil {
				return err
			}
		}
	}
	// What the user came with (a deep link, a typed code) goes on now.
	if p, ok := kept(c.Session); ok {
		c.Session.Reset()
		if s := f.starter(p.Flow); s != nil {
			return s.Start(c, p.Payload)
		}
	}
	return f.Menu(c, false)
}

func (f *Flow) chooseLanguage(c *bot.Conversation, edit bool) error {
	c.NextScreen()
	c.Reply(bot.Reply{Text: c.T("language.choose"), Edit: edit, Buttons: [][]bot.Button{
		{c.Button(c.T("language.vi"), flows.HomeName, "lang", "vi")},
		{c.Button(c.T("language.en"), flows.HomeName, "lang", "en")},
	}})
	return nil
}

func (f *Flow) setLanguage(c *bot.Conversation, lang string) error {
	if lang != "vi" && lang != "en" {
		c.Notice(c.T("stale.button"))
		return nil
	}
	c.Session.Lang = lang
	if c.Session.UserID != 0 {
		if err := f.users.SetLanguage(c.Ctx, c.Session.UserID, lang); err != nil {
			return err
		}
	}
	if c.Session.UserID == 0 {
		return f.Greet(c)
	}
	// The menu follows: what is typed next is no longer an answer to the
	// screen left (a report's question, hidden behind the menu), as after
	// /menu. A report or a quiz is taken up again where it stands.
	leave(c)
	// The chats' command menu speaks the language chosen, whatever the
	// app's: a citizen's too.
	if err := f.Menus.Follow(c, c.Session.UserID); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("language.set"), Edit: true})
	return f.Menu(c, false)
}

// helpFooter is the message that says whom to ask, by role: a citizen the
// commune or ward; a focal point the department compiling the reports, or
// the administrator; an official the administrator; one who is both, the
// department about their unit's report and the administrator about the
// rest.
func helpFooter(who flows.Audience) string {
	switch official, focal := who&flows.Officials != 0, who&flows.FocalPoints != 0; {
	case official && focal:
		return "help.footer.both"
	case official:
		return "help.footer.official"
	case focal:
		return "help.footer.focal"
	}
	return "help.footer"
}

// help lists what this user can do: every citizen's commands, then a focal
// point's and an official's to those who are one, and to others how to
// become one. Zalo has no command menu: this is where commands are found.
// A focal point's /stop line says that it pauses a report too (the report
// takes /stop, flows.Taker).
func (f *Flow) help(c *bot.Conversation, edit bool) error {
	who, err := f.Audience(c)
	if err != nil {
		return err
	}
	focal := flows.FocalPoints.Admits(who)
	parts := []string{c.T("help.text", "Focal", focal)}
	if focal {
		parts = append(parts, c.T("help.focal"))
	}
	if flows.Officials.Admits(who) {
		parts = append(parts, c.T("help.official"))
	}
	if who == flows.Everyone {
		parts = append(parts, c.T("help.join"))
	}
	parts = append(parts, c.T(helpFooter(who)))
	c.NextScreen()
	r := bot.Reply{Text: strings.Join(parts, "\n\n"), Edit: edit}
	if c.Session.UserID != 0 {
		r.Buttons = [][]bot.Button{flows.BackToMenu(c)}
	}
	c.Reply(r)
	return nil
}
