package flows

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"hocvuso/bot"
	"hocvuso/store"
)

// ForSome is a flow whose commands only some users can use (a focal
// point's /report): the command menu lists them to that audience only, and
// first.
type ForSome interface {
	// CommandsFor is who may use the flow's commands.
	CommandsFor() Audience
}

// AudienceOf is the audience of a user holding roles: Everyone for none.
func AudienceOf(roles []store.Role) Audience {
	who := Everyone
	for _, r := range roles {
		switch r.Role {
		case store.RoleFocal:
			who |= FocalPoints
		case store.RoleOfficial:
			who |= Officials
		}
	}
	return who
}

// MenuStore is what the command menus read of the records.
type MenuStore interface {
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
	AccountsOf(ctx context.Context, userID int64) ([]store.Account, error)
	// LanguageChosen reports whether the user chose their language in the
	// bot rather than having their app's.
	LanguageChosen(ctx context.Context, userID int64) (bool, error)
}

// CommandMenus decides the command menu of a user's chats (Telegram's; a
// channel without one ignores it): the commands their roles let them use,
// described in their language. Every user's commands are the channel's
// default menu (serve sets it at start), described in the language of the
// user's app: so the chats of a user without a role have no menu of their
// own, unless they chose their language in the bot (/language), whose
// chats get every user's commands in it. A nil *CommandMenus decides
// nothing.
type CommandMenus struct {
	st   MenuStore
	text bot.Translator
	// commands lists each command with who may use it (Use).
	commands []audienceCommand
}

type audienceCommand struct {
	name string
	who  Audience
}

// NewCommandMenus returns the command menus over the records and the
// catalogue (descriptions: "command.<name>"). Use gives them the commands.
func NewCommandMenus(st MenuStore, text bot.Translator) *CommandMenus {
	return &CommandMenus{st: st, text: text}
}

// Use takes the commands, and who may use each, from the router: once it
// is built, after the flows that decide menus.
func (m *CommandMenus) Use(r *Router) {
	m.commands = m.commands[:0]
	for name, f := range r.byCommand {
		who := Everyone
		if s, ok := f.(ForSome); ok {
			who = s.CommandsFor()
		}
		m.commands = append(m.commands, audienceCommand{name, who})
	}
	// A role's commands first, then everyone's, each by name.
	slices.SortFunc(m.commands, func(a, b audienceCommand) int {
		if (a.who == Everyone) != (b.who == Everyone) {
			if a.who == Everyone {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.name, b.name)
	})
}

// List is the menu of an audience in a language: the commands it may use,
// a role's first, each with its description. A description may say more
// to focal points (the field Focal): /stop pauses a report too.
func (m *CommandMenus) List(who Audience, lang string) []bot.Command {
	var out []bot.Command
	data := map[string]any{"Focal": FocalPoints.Admits(who)}
	for _, c := range m.commands {
		if c.who.Admits(who) {
			out = append(out, bot.Command{Name: c.name, Description: m.text.Text(lang, "command."+c.name, data)})
		}
	}
	return out
}

// Of returns the command menu each chat of a user is to show, for each of
// their accounts: the commands their roles give, in lang; for a user
// without a role, every user's commands in lang when they chose their
// language in the bot, else none (back to the channel's default menu, in
// their app's language). It also tells whether the chats have a menu of
// their own.
func (m *CommandMenus) Of(ctx context.Context, userID int64, lang string) (menus []bot.Outgoing, own bool, err error) {
	if len(m.commands) == 0 {
		// A role's menu would be empty: its chats would lose their menu.
		return nil, false, errors.New("flows: command menus without commands (CommandMenus.Use)")
	}
	roles, err := m.st.UserRoles(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	who := AudienceOf(roles)
	own = who != Everyone
	if !own {
		if own, err = m.st.LanguageChosen(ctx, userID); err != nil {
			return nil, false, err
		}
	}
	accounts, err := m.st.AccountsOf(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	var commands []bot.Command
	if own {
		commands = m.List(who, lang)
	}
	menus = make([]bot.Outgoing, 0, len(accounts))
	for _, a := range accounts {
		menus = append(menus, bot.Outgoing{Target: bot.Target{Channel: a.Channel, ChatID: a.ChatID, Lang: lang}, Menu: &bot.Menu{Commands: commands}})
	}
	return menus, own, nil
}

// Follow queues, for each chat of a user holding a role or who chose their
// language in the bot, the menu their roles give, in the conversation's
// language: once a role is gained (an invite), or the user's chats or
// language change (/link, /language, a language chosen before agreeing).
// Nothing is queued for the others: their chats show the default menu.
func (m *CommandMenus) Follow(c *bot.Conversation, userID int64) error {
	if m == nil || userID == 0 {
		return nil
	}
	menus, own, err := m.Of(c.Ctx, userID, c.Lang())
	if err != nil || !own {
		return err
	}
	for _, o := range menus {
		c.SetMenu(o.Target, *o.Menu)
	}
	return nil
}

// Reset queues the default menu for chats that are no longer those of a
// user with a menu of their own: the chats of a user erased (/deleteme), a
// chat unlinked.
func (m *CommandMenus) Reset(c *bot.Conversation, accounts ...store.Account) {
	if m == nil {
		return
	}
	for _, a := range accounts {
		c.SetMenu(bot.Target{Channel: a.Channel, ChatID: a.ChatID}, bot.Menu{})
	}
}
