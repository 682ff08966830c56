package fakeapi

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Command menus: setMyCommands and deleteMyCommands with their scope (a
// JSON-serialized BotCommandScope; none is the default scope) and
// language_code, kept as Telegram keeps them, and looked up as a user's
// app does (Menu).

// Scope is a BotCommandScope as the Bot API reads it.
type Scope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// The scopes a test names most.
var (
	ScopeDefault         = Scope{Type: "default"}
	ScopeAllPrivateChats = Scope{Type: "all_private_chats"}
	ScopeAllGroupChats   = Scope{Type: "all_group_chats"}
)

// ScopeChat is the scope of one chat.
func ScopeChat(id int64) Scope { return Scope{Type: "chat", ChatID: id} }

// BotCommand is an entry of a command menu, as the bot set it.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// menuKey names one list of commands: a scope and a language ("" for
// every language without its own).
type menuKey struct {
	scope Scope
	lang  string
}

// Scope decodes the call's scope (setMyCommands, deleteMyCommands): the
// default scope when it has none.
func (c Call) Scope() (Scope, error) {
	s, aerr := parseScope(c.Params)
	if aerr != nil {
		return s, errors.New(aerr.desc)
	}
	return s, nil
}

func parseScope(p map[string]string) (Scope, *apiError) {
	raw, ok := p["scope"]
	if !ok || raw == "" {
		return ScopeDefault, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil || fields == nil {
		return Scope{}, errScope
	}
	var s Scope
	if err := json.Unmarshal(fields["type"], &s.Type); err != nil {
		return Scope{}, errScope
	}
	id := func(key string) (int64, bool) {
		v, ok := fields[key]
		if !ok {
			return 0, false
		}
		var n int64
		if json.Unmarshal(v, &n) == nil && n != 0 {
			return n, true
		}
		// A chat may be named by a string: its id in digits (usernames
		// are not modelled).
		var str string
		if json.Unmarshal(v, &str) == nil {
			if n, err := strconv.ParseInt(str, 10, 64); err == nil && n != 0 {
				return n, true
			}
		}
		return 0, false
	}
	switch s.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return s, nil
	case "chat", "chat_administrators":
		var ok bool
		if s.ChatID, ok = id("chat_id"); !ok {
			return Scope{}, &apiError{code: 400, desc: "Bad Request: chat not found"}
		}
		return s, nil
	case "chat_member":
		var ok1, ok2 bool
		s.ChatID, ok1 = id("chat_id")
		s.UserID, ok2 = id("user_id")
		if !ok1 || !ok2 {
			return Scope{}, &apiError{code: 400, desc: "Bad Request: chat not found"}
		}
		return s, nil
	}
	return Scope{}, badRequest("unsupported bot command scope type")
}

var errScope = badRequest("can't parse BotCommandScope JSON object")

// menuTarget reads the scope and language_code of a call.
func menuTarget(p map[string]string) (menuKey, *apiError) {
	s, aerr := parseScope(p)
	if aerr != nil {
		return menuKey{}, aerr
	}
	lang := p["language_code"]
	if lang != "" && (len(lang) != 2 || strings.ToLower(lang) != lang || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "") {
		return menuKey{}, badRequest("invalid language code specified")
	}
	return menuKey{scope: s, lang: lang}, nil
}

func (s *Server) setMyCommands(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	var commands []BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &commands); err != nil || commands == nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(commands) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range commands {
		if !commandName(c.Command) || c.Description == "" || utf16Len(c.Description) > 256 {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
	}
	key, aerr := menuTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menus == nil {
		s.menus = make(map[menuKey][]BotCommand)
	}
	if len(commands) == 0 {
		delete(s.menus, key) // an empty list is no list
	} else {
		s.menus[key] = commands
	}
	s.notify()
	return true, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	key, aerr := menuTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.menus, key)
	s.notify()
	return true, nil
}

// commandName reports whether a command is what Telegram takes: 1-32
// lower-case English letters, digits and underscores.
func commandName(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Commands returns the list set for exactly this scope and language
// ("" for every language without its own), and whether there is one.
func (s *Server) Commands(scope Scope, lang string) ([]BotCommand, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.menus[menuKey{scope: scope, lang: lang}]
	return append([]BotCommand(nil), c...), ok
}

// Menu returns the command menu a user whose app is in language lang
// ("vi", "en-US") sees in a chat: a private chat (the user's own id), or a
// group (private false). The first list set is shown, in Telegram's order:
// the chat's own with the language, without; then, for a private chat,
// all_private_chats, for a group all_group_chats, each with the language,
// without; then the default scope's, with the language, without. nil when
// none is set: the chat shows no menu. (Administrators' and members' scopes
// are not looked up.)
func (s *Server) Menu(chat int64, private bool, lang string) []BotCommand {
	lang = strings.ToLower(lang)
	if len(lang) > 2 {
		lang = lang[:2]
	}
	all := ScopeAllGroupChats
	if private {
		all = ScopeAllPrivateChats
	}
	langs := []string{""}
	if lang != "" {
		langs = []string{lang, ""}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, scope := range []Scope{ScopeChat(chat), all, ScopeDefault} {
		for _, l := range langs {
			if c, ok := s.menus[menuKey{scope: scope, lang: l}]; ok {
				return append([]BotCommand(nil), c...)
			}
		}
	}
	return nil
}
