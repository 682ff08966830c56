package bot

import "context"

// Command is one entry of a chat's command menu.
type Command struct {
	Name        string `json:"n"` // without the slash: "report"
	Description string `json:"d"`
}

// Menu is the command menu of one chat, as a flow decided it: the commands
// its user can use, described in the target's language. A Menu without
// commands gives the chat back the channel's default menu (the commands
// every user can use).
type Menu struct {
	Commands []Command `json:"c,omitempty"`
}

// MenuSetter is implemented by a Sender whose channel shows a command menu
// per chat (Telegram). A menu queued for a chat of a channel without one
// (Zalo, the terminal) is dropped: there is nothing to set.
type MenuSetter interface {
	SetMenu(ctx context.Context, t Target, m Menu) error
}
