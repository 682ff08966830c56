package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// Command is one entry of the command menu Telegram shows.
type Command struct {
	Command     string `json:"command"` // without the slash: "start"
	Description string `json:"description"`
}

// SetupConfig is how the bot presents itself and receives updates.
type SetupConfig struct {
	// Commands maps a language_code to the command menu of private chats
	// (every user's commands: a role's are set per chat, SetMenu). "" is
	// the menu for every language without its own (Vietnamese here); "en"
	// the one for English-speaking users.
	Commands map[string][]Command
	// WebhookURL is where Telegram pushes updates. Empty means long
	// polling: the webhook is deleted, pending updates are kept.
	WebhookURL string
	// Secret is the webhook's secret_token, checked by Webhook.
	Secret string
	// MaxConnections is how many webhook requests Telegram makes at once
	// (1-100); zero means 40.
	MaxConnections int
}

// Scopes of command menus (BotCommandScope), as the Bot API reads them: a
// JSON-serialized object.
const (
	scopeDefault      = `{"type":"default"}`
	scopeAllPrivate   = `{"type":"all_private_chats"}`
	scopeChatTemplate = `{"type":"chat","chat_id":%d}`
)

// Setup registers the command menus and the way updates arrive. It is
// idempotent: every replica may run it at start.
//
// The menus are those of private chats (scope all_private_chats), one per
// language; the default scope's, which groups would show, are deleted:
// the bot answers nothing in a group, so a group shows no menu. A chat
// whose user holds a role has a menu of its own (SetMenu), which Telegram
// shows there instead.
func (c *Client) Setup(ctx context.Context, s SetupConfig) error {
	langs := make([]string, 0, len(s.Commands))
	for lang := range s.Commands {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		commands, err := json.Marshal(s.Commands[lang])
		if err != nil {
			return err
		}
		// MakeRequest with raw params: they say exactly what is sent (the
		// scope as the JSON object the Bot API reads).
		params := tgbotapi.Params{"commands": string(commands), "scope": scopeAllPrivate}
		params.AddNonEmpty("language_code", lang)
		if err := c.request(ctx, "setMyCommands", params); err != nil {
			return err
		}
	}
	// Only once private chats have theirs: a chat never goes without.
	for _, lang := range langs {
		params := tgbotapi.Params{"scope": scopeDefault}
		params.AddNonEmpty("language_code", lang)
		if err := c.request(ctx, "deleteMyCommands", params); err != nil {
			return err
		}
	}
	if s.WebhookURL == "" {
		// Keep pending updates: the poller will fetch them.
		return c.request(ctx, "deleteWebhook", nil)
	}
	if err := checkSecret(s.Secret); err != nil {
		return err
	}
	allowed, err := json.Marshal(AllowedUpdates)
	if err != nil {
		return err
	}
	maxConn := s.MaxConnections
	if maxConn <= 0 {
		maxConn = 40
	}
	// v5.5.1 has no secret_token in WebhookConfig.
	return c.request(ctx, "setWebhook", tgbotapi.Params{
		"url":             s.WebhookURL,
		"secret_token":    s.Secret,
		"allowed_updates": string(allowed),
		"max_connections": strconv.Itoa(maxConn),
	})
}

// SetMenu implements bot.MenuSetter: the command menu of one private chat
// (scope chat), which Telegram shows there instead of the private chats'
// menu of the user's app language. It is set for every language of the
// app (no language_code): its descriptions are in the language the user
// chose in the bot (t.Lang), whatever their app's. A menu without commands
// deletes the chat's own, giving it back the private chats' menu.
func (c *Client) SetMenu(ctx context.Context, t bot.Target, m bot.Menu) error {
	chatID, err := strconv.ParseInt(t.ChatID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: bad chat id %q", t.ChatID)
	}
	scope := fmt.Sprintf(scopeChatTemplate, chatID)
	if len(m.Commands) == 0 {
		return c.request(ctx, "deleteMyCommands", tgbotapi.Params{"scope": scope})
	}
	commands := make([]Command, len(m.Commands))
	for i, cmd := range m.Commands {
		commands[i] = Command{Command: cmd.Name, Description: cmd.Description}
	}
	raw, err := json.Marshal(commands)
	if err != nil {
		return err
	}
	return c.request(ctx, "setMyCommands", tgbotapi.Params{"commands": string(raw), "scope": scope})
}

var _ bot.MenuSetter = (*Client)(nil)

// request makes a call whose result does not matter (true).
func (c *Client) request(ctx context.Context, method string, params tgbotapi.Params) error {
	return c.call(ctx, method, func(api *tgbotapi.BotAPI) error {
		_, err := api.MakeRequest(method, params)
		return err
	})
}

// ErrFileTooLarge is returned by DownloadFile for files over the limit.
var ErrFileTooLarge = errors.New("telegram: file too large")

// DownloadFile fetches a file a user sent (bot.File.ID), refusing files
// larger than limit bytes. The Bot API serves files up to 20 MB.
func (c *Client) DownloadFile(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	var f tgbotapi.File
	err := c.call(ctx, "getFile", func(api *tgbotapi.BotAPI) error {
		resp, err := api.MakeRequest("getFile", tgbotapi.Params{"file_id": fileID})
		if err != nil {
			return err
		}
		return json.Unmarshal(resp.Result, &f)
	})
	if err != nil {
		return nil, err
	}
	if int64(f.FileSize) > limit {
		return nil, fmt.Errorf("%w: %d bytes", ErrFileTooLarge, f.FileSize)
	}
	if f.FilePath == "" {
		return nil, errors.New("telegram: getFile returned no file_path")
	}
	// The library's File.Link hard-codes api.telegram.org.
	segments := strings.Split(f.FilePath, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	link := c.base + "/file/bot" + c.token + "/" + strings.Join(segments, "/")
	ctx, cancel := context.WithTimeout(ctx, c.callLimit())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, c.redact(err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.observe("file", err)
		return nil, fmt.Errorf("telegram: download file: %w", c.redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := &statusError{Code: resp.StatusCode, Status: resp.Status}
		c.observe("file", err)
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	c.observe("file", err)
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", c.redact(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrFileTooLarge, limit)
	}
	return data, nil
}
