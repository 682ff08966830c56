package bot

// ChoiceList is a numbered list a channel showed in place of buttons
// (Zalo: more than 5), as remembered to read a typed number as a tap: the
// callback data of its items, numbered from 1, and the screen
// (Target.Screen) and update (Target.UpdateID) of the replies that showed
// it. It lives here, with the channel-neutral types, so that the store
// keeping it and the channel using it need not know each other.
type ChoiceList struct {
	Data     []string `json:"d"`
	Screen   int      `json:"s,omitempty"`
	UpdateID string   `json:"u,omitempty"`
}
