package flows

import "hocvuso/bot"

// MenuItem is a main-menu button: a catalogue label and where it leads.
type MenuItem struct {
	Label  string // message id
	Flow   string
	Action string
	// Public items show before consent too.
	Public bool
	// For is who sees the item: everyone (the zero value), or only the
	// users who hold one of the roles named. An item that would only
	// refuse someone is not shown to them.
	For Audience
}

// Audience is a set of the roles a user may hold, as the menu and the help
// see them. The zero Audience, Everyone, is every user.
type Audience uint8

// The roles of the units' reports (store.RoleFocal, store.RoleOfficial).
const (
	Everyone    Audience = 0
	FocalPoints Audience = 1 << 0 // a unit's focal point (đầu mối)
	Officials   Audience = 1 << 1 // an official of Sở Nội vụ or Sở KH&CN
)

// Admits reports whether a user holding the roles who sees something meant
// for a.
func (a Audience) Admits(who Audience) bool { return a == Everyone || a&who != 0 }

// BackToMenu is the one-button row that returns to the main menu.
func BackToMenu(c *bot.Conversation) []bot.Button {
	return []bot.Button{c.Button(c.T("menu.back"), HomeName, "menu", "")}
}

// HomeName is the name of the home flow, which owns the menu.
const HomeName = "home"
