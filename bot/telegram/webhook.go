package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// HandleFunc handles one update; nil means its effects are durable and it
// may be acknowledged. bot.Engine.Handle is one.
type HandleFunc func(ctx context.Context, u *bot.Update) error

// SecretHeader carries the webhook secret_token in Telegram's requests.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxBody bounds a webhook body; real updates are a few KiB.
const maxBody = 1 << 20

// bodyBufs recycles the buffers webhook bodies are read into: Decode copies
// what it keeps, so a buffer is free again once the update is decoded.
var bodyBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 4096)) }}

func putBodyBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 { // an unusually large body is left to the GC
		bodyBufs.Put(b)
	}
}

// Webhook receives updates pushed by Telegram. It handles each update
// before answering: Telegram delivers a chat's next update only after a 2xx,
// which keeps per-chat order, and redelivers on any other status.
type Webhook struct {
	secret []byte
	handle HandleFunc
	log    *slog.Logger
}

// NewWebhook returns the handler for the URL given to setWebhook. secret is
// the secret_token given there: Telegram allows 1-256 characters of
// A-Z a-z 0-9 _ -. A request without it is refused unread.
func NewWebhook(secret string, handle HandleFunc, log *slog.Logger) (*Webhook, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	if handle == nil {
		return nil, errors.New("telegram: webhook without handler")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Webhook{secret: []byte(secret), handle: handle, log: log}, nil
}

func checkSecret(s string) error {
	if len(s) < 1 || len(s) > 256 {
		return errors.New("telegram: webhook secret must have 1-256 characters")
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("telegram: webhook secret may only hold A-Z a-z 0-9 _ -")
		}
	}
	return nil
}

// ServeHTTP answers 401 without the right secret, 500 when the handler
// failed (Telegram retries; the engine gives up on an update after a few
// failures), and 200 otherwise, including for bodies that can never be
// handled (malformed, too large, ignored kinds): retrying those would only
// hold back the chat's later updates.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(SecretHeader)), h.secret) != 1 {
		h.log.Warn("telegram webhook: bad secret", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	buf := bodyBufs.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		putBodyBuf(buf)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Error("telegram webhook: body too large, dropped", "limit", maxBody)
			w.WriteHeader(http.StatusOK)
			return
		}
		// The connection broke: Telegram will send it again.
		h.log.Warn("telegram webhook: reading body", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	u, err := Decode(buf.Bytes())
	size := buf.Len()
	putBodyBuf(buf) // u holds copies of what it needs
	switch {
	case errors.Is(err, ErrIgnored):
		if id, ok := tapToAnswer(err); ok {
			// A tap in a group: answered with nothing, in the response.
			if err := tgbotapi.WriteToHTTPResponse(w, tgbotapi.NewCallback(id, "")); err != nil {
				h.log.Debug("telegram webhook: answer in response", "err", err)
			}
			bot.ObserveOutbound(bot.Telegram, "answerCallbackQuery", status(errInResponse))
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	case err != nil:
		h.log.Error("telegram webhook: undecodable update dropped", "err", err, "bytes", size)
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx := r.Context()
	var slot *answerSlot
	if u.Kind == bot.KindCallback && u.CallbackID != "" {
		slot = &answerSlot{callbackID: u.CallbackID}
		ctx = context.WithValue(ctx, answerSlotKey{}, slot)
	}
	err = h.handle(ctx, u)
	cb, client := slot.close()
	if err != nil {
		h.log.Warn("telegram webhook: update failed, Telegram will retry", "update", u.ID, "err", err)
		if cb != nil {
			// Telegram runs no method from an error response: the tap is
			// answered through the API, so its spinner stops anyway.
			_ = client.answer(context.WithoutCancel(r.Context()), u, *cb)
		}
		http.Error(w, "retry later", http.StatusInternalServerError)
		return
	}
	if cb != nil {
		if err := tgbotapi.WriteToHTTPResponse(w, *cb); err != nil {
			h.log.Debug("telegram webhook: answer in response", "err", err)
		}
		client.observe("answerCallbackQuery", errInResponse)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// answerSlot carries the answer to a tapped button from Client.Answer to
// the webhook's response. Telegram runs a Bot API method found in a 2xx
// webhook response ("you can perform a request to the Bot API while sending
// an answer to the webhook"), without telling whether it succeeded: right
// for answerCallbackQuery, which only stops the client's spinner and whose
// failure the engine ignores anyway, and one HTTP call fewer per tap. Only
// the answer of the update being handled goes there, once.
type answerSlot struct {
	mu         sync.Mutex
	callbackID string
	closed     bool
	cb         *tgbotapi.CallbackConfig
	client     *Client
}

type answerSlotKey struct{}

// put keeps cb for the response and reports whether it did: not for
// another callback query, nor once the response is being written.
func (s *answerSlot) put(c *Client, cb tgbotapi.CallbackConfig) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.cb != nil || cb.CallbackQueryID != s.callbackID {
		return false
	}
	s.cb, s.client = &cb, c
	return true
}

// close takes the answer kept, if any; later answers go through the API.
func (s *answerSlot) close() (*tgbotapi.CallbackConfig, *Client) {
	if s == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.cb, s.client
}
