package flows

import "hocvuso/bot"

// MenuItem is a main-menu button: a catalogue label and where it leads.
type MenuItem struct {
	Label  string // message id
	Flow   string
	Action string
	// Public items show before consent too.
	Public bool
}

// BackToMenu is the one-button row that returns to the main menu.
func BackToMenu(c *bot.Conversation) []bot.Button {
	return []bot.Button{c.Button(c.T("menu.back"), HomeName, "menu", "")}
}

// HomeName is the name of the home flow, which owns the menu.
const HomeName = "home"
