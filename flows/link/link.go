// Package link lets one person use the bot on two channels as one user
// (/link): on one chat a one-time code is given, typed on the other chat
// it links the two chat accounts, merging two users into the older one
// when both chats had their own (store.DB.Link). /link also lists the
// linked accounts and unlinks one.
package link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/store"
)

// Name is the flow's name in callback data and sessions.
const Name = "link"

// CodeTTL is how long a code works.
const CodeTTL = 10 * time.Minute

// Store is what the flow needs of the records.
type Store interface {
	CreateLinkCode(ctx context.Context, c store.NewLinkCode) error
	Link(ctx context.Context, r store.LinkRequest) (store.LinkResult, error)
	AccountsOf(ctx context.Context, userID int64) ([]store.Account, error)
	Unlink(ctx context.Context, userID int64, ch bot.Channel, externalID string, at time.Time) (store.Account, error)
}

// Sessions repoints the conversations of the other chats after a merge or
// an unlink (store.State.MoveSession).
type Sessions interface {
	MoveSession(ctx context.Context, chat bot.ChatKey, from, to int64) error
}

// Tries counts wrong codes (store.LinkTries).
type Tries interface {
	Wait(ctx context.Context, ch bot.Channel, externalID string) (time.Duration, error)
	Wrong(ctx context.Context, ch bot.Channel, externalID string) error
}

// Flow is the /link conversation.
type Flow struct {
	store    Store
	sessions Sessions
	tries    Tries
	log      *slog.Logger
	// NewCode draws a code; tests may fix it.
	NewCode func() string
	// Menus, when set, gives a chat linked to a role holder the command
	// menu of their roles, and a chat unlinked the default one.
	Menus *flows.CommandMenus
}

// New returns the flow.
func New(s Store, sessions Sessions, tries Tries, log *slog.Logger) *Flow {
	if log == nil {
		log = slog.Default()
	}
	return &Flow{store: s, sessions: sessions, tries: tries, log: log, NewCode: NewCode}
}

func (*Flow) Name() string       { return Name }
func (*Flow) Transient() bool    { return true } // its questions end with another command
func (*Flow) Commands() []string { return []string{"link"} }

// Public: a chat whose person agreed on the other channel links itself
// before agreeing here; the consent given there covers it.
func (*Flow) Public() bool { return true }

// stepCode is the step where a typed message is read as a code.
const stepCode = "code"

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil {
		if in.Stale || c.Session.UserID == 0 {
			c.Notice(c.T("stale.button"))
			return nil
		}
		switch cb.Action {
		case "unlink":
			return f.confirmUnlink(c, cb.Arg)
		case "unlinkyes":
			return f.unlink(c, cb.Arg)
		case "keep":
			c.Session.Reset()
			c.NextScreen()
			c.Reply(bot.Reply{Text: c.T("link.unlink.kept"), Edit: true, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
			return nil
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	if in.Command == "link" && strings.TrimSpace(c.Update.Args) == "" {
		return f.start(c)
	}
	typed := c.Update.Args
	if in.Command == "" {
		if c.Update.Kind != bot.KindText {
			c.Say("link.bad")
			return nil
		}
		typed = c.Update.Text
	}
	return f.use(c, typed)
}

// start gives a code to a known user, with the accounts linked; a chat
// whose person is not known here is asked for the code from the other chat.
func (f *Flow) start(c *bot.Conversation) error {
	c.Session.Reset()
	if err := c.Session.Enter(Name, stepCode, nil); err != nil {
		return err
	}
	if c.Session.UserID == 0 {
		c.Say("link.ask")
		return nil
	}
	accounts, err := f.store.AccountsOf(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	if len(accounts) == 0 {
		// Erased meanwhile from another chat: a stranger here now.
		*c.Session = bot.Session{Version: c.Session.Version, Lang: c.Session.Lang, Screen: c.Session.Screen, Flow: Name, Step: stepCode}
		c.Say("link.ask")
		return nil
	}
	code := f.NewCode()
	u := c.Update
	err = f.store.CreateLinkCode(c.Ctx, store.NewLinkCode{Hash: Hash(code), UserID: c.Session.UserID,
		Channel: u.Channel, ExternalID: u.UserID, ChatID: u.ChatID, At: c.Now, ExpiresAt: c.Now.Add(CodeTTL)})
	if err != nil {
		return err
	}
	lines := []string{c.T("link.code", "Code", Format(code), "Minutes", int(CodeTTL/time.Minute)), "", c.T("link.accounts")}
	c.NextScreen()
	var buttons [][]bot.Button
	for _, a := range accounts {
		name := channelName(a.Channel, accounts, a)
		if f.here(c, a) {
			lines = append(lines, c.T("link.account.here", "Channel", name))
		} else {
			lines = append(lines, c.T("link.account", "Channel", name))
		}
		if len(accounts) > 1 {
			buttons = append(buttons, []bot.Button{c.Button(c.T("link.unlink.button", "Channel", name), Name, "unlink", accountArg(a))})
		}
	}
	lines = append(lines, "", c.T("link.typehere"))
	buttons = append(buttons, flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: buttons})
	return nil
}

// use reads a typed code and links this chat's account with it.
func (f *Flow) use(c *bot.Conversation, typed string) error {
	u := c.Update
	// Whatever happens, typed text keeps being read as a code until the
	// user leaves (/menu), so a mistyped code can just be typed again.
	if c.Session.Flow != Name {
		c.Session.Reset()
		if err := c.Session.Enter(Name, stepCode, nil); err != nil {
			return err
		}
	}
	wait, err := f.tries.Wait(c.Ctx, u.Channel, u.UserID)
	if err != nil {
		return err
	}
	if wait > 0 {
		say(c, "link.wait", "Minutes", max(1, int((wait+time.Minute-1)/time.Minute)))
		return nil
	}
	code, ok := Normalize(typed)
	if !ok {
		say(c, "link.bad")
		return nil
	}
	res, err := f.store.Link(c.Ctx, store.LinkRequest{CodeHash: Hash(code), Channel: u.Channel, ExternalID: u.UserID, ChatID: u.ChatID, At: c.Now})
	var conflict *store.MergeConflictError
	switch {
	case errors.Is(err, store.ErrLinkCodeUnknown):
		if err := f.tries.Wrong(c.Ctx, u.Channel, u.UserID); err != nil {
			return err
		}
		say(c, "link.wrong")
		return nil
	case errors.Is(err, store.ErrLinkCodeSpent):
		say(c, "link.spent")
		return nil
	case errors.Is(err, store.ErrLinkOwnCode):
		say(c, "link.own")
		return nil
	case errors.As(err, &conflict):
		f.log.Error("link: two users could not be merged", "column", conflict.Column, "err", err)
		c.Session.Reset()
		say(c, "link.conflict")
		return nil
	case err != nil:
		return err
	}

	// The other chats of a merged user belong to the kept one now.
	if res.Outcome == store.LinkMerged {
		for _, a := range res.Accounts {
			if f.here(c, a) {
				continue
			}
			if err := f.sessions.MoveSession(c.Ctx, bot.ChatKey{Channel: a.Channel, ChatID: a.ChatID}, res.MergedUserID, res.UserID); err != nil {
				return fmt.Errorf("link: move the conversation of %s: %w", a.Channel, err)
			}
		}
	}
	s := c.Session
	*s = bot.Session{Version: s.Version, UserID: res.UserID, Lang: res.Lang, Screen: s.Screen, LastSeen: c.Now.Unix()}
	asker := channelName(res.Asker.Channel, res.Accounts, res.Asker)
	here := channelName(u.Channel, res.Accounts, store.Account{Channel: u.Channel, ExternalID: u.UserID})
	c.NextScreen()
	switch res.Outcome {
	case store.LinkAttached:
		c.Reply(bot.Reply{Text: c.T("link.attached", "Channel", asker), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	case store.LinkMerged:
		c.Reply(bot.Reply{Text: c.T("link.merged", "Channel", asker), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	default:
		c.Reply(bot.Reply{Text: c.T("link.already"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	}
	if res.Repeated {
		return nil // told the first time
	}
	// The roles of either are both chats' now.
	if err := f.Menus.Follow(c, res.UserID); err != nil {
		return err
	}
	told := "link.told.attached"
	if res.Outcome == store.LinkMerged {
		told = "link.told.merged"
	}
	c.ReplyTo(bot.Target{Channel: res.Asker.Channel, ChatID: res.Asker.ChatID, Lang: res.Lang},
		bot.Reply{Text: c.TextIn(res.Lang, told, "Channel", here)})
	return nil
}

func (f *Flow) confirmUnlink(c *bot.Conversation, arg string) error {
	a, ok, err := f.account(c, arg)
	if err != nil || !ok {
		return err
	}
	accounts, err := f.store.AccountsOf(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	name := channelName(a.Channel, accounts, a)
	c.NextScreen()
	c.Reply(bot.Reply{Text: c.T("link.unlink.confirm", "Channel", name), Edit: true, Buttons: [][]bot.Button{
		{c.Button(c.T("link.unlink.yes"), Name, "unlinkyes", arg)},
		{c.Button(c.T("link.unlink.no"), Name, "keep", "")},
	}})
	return nil
}

func (f *Flow) unlink(c *bot.Conversation, arg string) error {
	a, ok, err := f.account(c, arg)
	if err != nil || !ok {
		return err
	}
	user := c.Session.UserID
	accounts, err := f.store.AccountsOf(c.Ctx, user)
	if err != nil {
		return err
	}
	gone, err := f.store.Unlink(c.Ctx, user, a.Channel, a.ExternalID, c.Now)
	switch {
	case errors.Is(err, store.ErrLastAccount):
		c.NextScreen()
		c.Reply(bot.Reply{Text: c.T("link.unlink.last"), Edit: true, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	case errors.Is(err, store.ErrNotLinked):
		c.Notice(c.T("stale.button"))
		return nil
	case err != nil:
		return err
	}
	name := channelName(gone.Channel, accounts, gone)
	var left store.Account
	for _, o := range accounts {
		if o.Channel != gone.Channel || o.ExternalID != gone.ExternalID {
			left = o
			break
		}
	}
	f.Menus.Reset(c, gone)
	if f.here(c, gone) {
		// This very chat: a stranger's again.
		s := c.Session
		*s = bot.Session{Version: s.Version, Lang: s.Lang, Screen: s.Screen + 1}
		c.Reply(bot.Reply{Text: c.T("link.unlink.done.here", "Channel", channelName(left.Channel, accounts, left)), Edit: true})
		return nil
	}
	if err := f.sessions.MoveSession(c.Ctx, bot.ChatKey{Channel: gone.Channel, ChatID: gone.ChatID}, user, 0); err != nil {
		return fmt.Errorf("link: forget the conversation of %s: %w", gone.Channel, err)
	}
	c.Session.Reset()
	c.NextScreen()
	c.Reply(bot.Reply{Text: c.T("link.unlink.done", "Channel", name), Edit: true, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	c.ReplyTo(bot.Target{Channel: gone.Channel, ChatID: gone.ChatID, Lang: c.Lang()}, bot.Reply{Text: c.T("link.unlink.told")})
	return nil
}

// account finds the user's account a button names ("channel:external id");
// a button for an account no longer theirs is stale.
func (f *Flow) account(c *bot.Conversation, arg string) (store.Account, bool, error) {
	ch, ext, _ := strings.Cut(arg, ":")
	accounts, err := f.store.AccountsOf(c.Ctx, c.Session.UserID)
	if err != nil {
		return store.Account{}, false, err
	}
	for _, a := range accounts {
		if string(a.Channel) == ch && a.ExternalID == ext {
			return a, true, nil
		}
	}
	c.Notice(c.T("stale.button"))
	return store.Account{}, false, nil
}

func accountArg(a store.Account) string { return string(a.Channel) + ":" + a.ExternalID }

// here reports whether the account is this chat's.
func (f *Flow) here(c *bot.Conversation, a store.Account) bool {
	return a.Channel == c.Update.Channel && a.ExternalID == c.Update.UserID
}

// channelName names an account by its channel, with the end of its id
// when the user has two accounts on that channel.
func channelName(ch bot.Channel, all []store.Account, a store.Account) string {
	name := string(ch)
	switch ch {
	case bot.Telegram:
		name = "Telegram"
	case bot.Zalo:
		name = "Zalo"
	case bot.Console:
		name = "Console"
	}
	same := 0
	for _, o := range all {
		if o.Channel == ch {
			same++
		}
	}
	if same > 1 && len(a.ExternalID) > 0 {
		id := a.ExternalID
		if len(id) > 4 {
			id = id[len(id)-4:]
		}
		name += " …" + id
	}
	return name
}

// say queues a catalogue message; kv are key, value pairs for its template.
func say(c *bot.Conversation, id string, kv ...any) { c.Reply(bot.Reply{Text: c.T(id, kv...)}) }
