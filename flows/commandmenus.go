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
}

// CommandMenus decides the command menu of a user's chats (Telegram's; a
// channel without one ignores it): the commands their roles let them use,
// described in their language. Every user's commands are the channel's
// default menu (serve sets it at start), so the chats of a user without a
// role have no menu of their own. A nil *CommandMenus decides nothing.
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
// their accounts: the commands their roles give, in lang; none (back to
// the channel's default menu) when they hold no role. It also returns who
// they are.
func (m *CommandMenus) Of(ctx context.Context, userID int64, lang string) ([]bot.Outgoing, Audience, error) {
	if len(m.commands) == 0 {
		// A role's menu would be empty: its chats would lose their menu.
		return nil, Everyone, errors.New("flows: command menus without commands (CommandMenus.Use)")
	}
	roles, err := m.st.UserRoles(ctx, userID)
	if err != nil {
		return nil, Everyone, err
	}
	who := AudienceOf(roles)
	accounts, err := m.st.AccountsOf(ctx, userID)
	if err != nil {
		return nil, who, err
	}
	var commands []bot.Command
	if who != Everyone {
		commands = m.List(who, lang)
	}
	out := make([]bot.Outgoing, 0, len(accounts))
	for _, a := range accounts {
		out = append(out, bot.Outgoing{Target: bot.Target{Channel: a.Channel, ChatID: a.ChatID, Lang: lang}, Menu: &bot.Menu{Commands: commands}})
	}
	return out, who, nil
}

// Follow queues, for each chat of a user holding a role, the menu their
// roles give, in the conversation's language: once a role is gained (an
// invite), or the user's chats or language change (/link, /language).
// Nothing is queued for a user without a role: their chats show the
// default menu.
func (m *CommandMenus) Follow(c *bot.Conversation, userID int64) error {
	if m == nil || userID == 0 {
		return nil
	}
	menus, who, err := m.Of(c.Ctx, userID, c.Lang())
	if err != nil || who == Everyone {
		return err
	}
	for _, o := range menus {
		c.SetMenu(o.Target, *o.Menu)
	}
	return nil
}

// Reset queues the default menu for chats that are no longer a role
// holder's: the chats of a user erased (/deleteme), a chat unlinked.
func (m *CommandMenus) Reset(c *bot.Conversation, accounts ...store.Account) {
	if m == nil {
		return
	}
	for _, a := range accounts {
		c.SetMenu(bot.Target{Channel: a.Channel, ChatID: a.ChatID}, bot.Menu{})
	}
}
