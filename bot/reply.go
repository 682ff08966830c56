package bot

// Reply is one outbound message a flow decided on. Channels render it.
type Reply struct {
	Text    string     `json:"t,omitempty"`
	Buttons [][]Button `json:"b,omitempty"`
	// Edit asks to replace the message whose button was tapped, where the
	// channel can edit in place; elsewhere it is sent as a new message.
	Edit     bool      `json:"e,omitempty"`
	Document *Document `json:"d,omitempty"`
	// Number says the screen asks for a number to be typed: a channel that
	// reads a typed number as a tap on a numbered button (the console) takes
	// it as text here, or "1" could never be an answer.
	Number bool `json:"n,omitempty"`
}

// Button is a tappable choice. Data is opaque to the channel and comes back as
// Update.Data.
type Button struct {
	Label string `json:"l"`
	Data  string `json:"d"`
}

// Document is a file sent to the user.
type Document struct {
	Name    string `json:"n"`
	MIME    string `json:"m,omitempty"`
	Bytes   []byte `json:"b"`
	Caption string `json:"c,omitempty"`
}

// DocumentChecker is implemented by a Sender whose channel cannot carry
// every document as a file (Zalo's OA takes only a few types, and small
// files). A flow asks before it queues a document
// (Conversation.CanSendDocument) and offers the file another way when the
// answer is no. A Sender without it takes every document.
type DocumentChecker interface {
	CanSendDocument(d *Document) bool
}

// Target says where a reply goes.
type Target struct {
	Channel Channel
	ChatID  string
	// EditMessageID is the message to replace when Reply.Edit is set.
	EditMessageID string
	// Lang is the conversation's language, for what a channel adds to a
	// reply itself (Zalo's instruction under a numbered list); "" is vi.
	Lang string `json:",omitempty"`
	// Screen and UpdateID say, for a reply of the chat's conversation,
	// which screen (Session.Screen) it left on show and which update it
	// answers; empty for anything else (a notice, a reply to another
	// chat). A channel that shows buttons as a numbered list (Zalo) keeps
	// the list while its screen stays, and numbers the lists of one
	// update's replies as one.
	Screen   int    `json:",omitempty"`
	UpdateID string `json:",omitempty"`
}
