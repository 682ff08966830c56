package zalo

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"hocvuso/bot"
)

// HandleFunc handles one update; nil means its effects are durable and it
// may be acknowledged. bot.Engine.Handle is one.
type HandleFunc func(ctx context.Context, u *bot.Update) error

// SignatureHeader carries "mac=<hex sha256>" in Zalo's webhook requests.
const SignatureHeader = "X-ZEvent-Signature"

// maxBody bounds a webhook body; real events are well under 4 KiB.
const maxBody = 1 << 20

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// AppID is the Zalo app's id (ZALO_APP_ID), the first term of the
	// signature.
	AppID string
	// OASecretKey is the OA secret key shown in the app's webhook settings
	// (ZALO_OA_SECRET_KEY), not the app secret. It is never logged.
	OASecretKey string
	Handle      HandleFunc
	// Choices, when set, turns a typed number into a tap on the numbered
	// list last shown in the chat; it must be the sender's.
	Choices Choices
	Log     *slog.Logger
	// AckWithin is how long a request waits for its handling before
	// answering. Zalo wants an answer within 2 s; zero means 1.5 s.
	AckWithin time.Duration
	// HandleTimeout bounds a handling, which goes on after the request is
	// answered. Zero means 25 s.
	HandleTimeout time.Duration
	// MaxAge drops events older than this (by their timestamp), answered
	// 200 and not handled: the engine remembers handled events for a day,
	// so an older replay could be applied twice, and Zalo's own retries
	// stop within 12 hours. Zero means 20 h; negative, no limit.
	MaxAge time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Webhook receives the events Zalo posts to the app's webhook URL.
//
// A request is checked before anything else: a missing or wrong
// X-ZEvent-Signature gets 401 and is not handled. The signature is
// sha256(app id + raw body + the body's timestamp field + OA secret key),
// a plain digest, not an HMAC (channel-zalo.md §2), over the bytes exactly
// as received.
//
// Zalo wants an answer within 2 s, and a handling can take longer (several
// messages to send, an upload, a token refresh). The handling therefore
// runs detached from the request, and the request waits for it at most
// AckWithin. 200 is answered only once the handler returned nil, so an
// event is never acknowledged before its effects are durable. When the
// handling is still running at AckWithin, the answer is 503: Zalo delivers
// the event again later, and the engine finds it done (same msg_id) and
// answers 200 then, or applies it if the first handling failed after all.
// The price of a slow handling is one redelivery, not a lost event.
type Webhook struct {
	cfg     WebhookConfig
	running sync.WaitGroup
	oaOnce  sync.Once
}

// NewWebhook returns the handler for the webhook URL set in the Zalo app.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if cfg.AppID == "" || cfg.OASecretKey == "" {
		return nil, errors.New("zalo: webhook needs the app id and the OA secret key")
	}
	if cfg.Handle == nil {
		return nil, errors.New("zalo: webhook without handler")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 1500 * time.Millisecond
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 25 * time.Second
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 20 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Webhook{cfg: cfg}, nil
}

// Wait waits for the handlings still running after their request was
// answered.
func (h *Webhook) Wait() { h.running.Wait() }

// signed holds the fields the signature covers, read before anything else.
type signed struct {
	AppID     str     `json:"app_id"`
	OAID      str     `json:"oa_id"`
	Timestamp str     `json:"timestamp"`
	Recipient idField `json:"recipient"`
	EventName string  `json:"event_name"`
}

// Sign computes the value of X-ZEvent-Signature for a body: "mac=" and the
// lowercase hex sha256 of appID, body, timestamp and the OA secret key.
func Sign(appID string, body []byte, timestamp, oaSecretKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecretKey))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
}

// Verify reports whether signature is Zalo's for body: the app id first,
// or (a variant some integrations report, unconfirmed) the OA id. It is
// false for a body whose timestamp cannot be read.
func Verify(appID, oaSecretKey string, body []byte, signature string) (ok, byOAID bool) {
	var s signed
	if json.Unmarshal(body, &s) != nil || s.Timestamp == "" {
		return false, false
	}
	got := []byte(strings.ToLower(strings.TrimSpace(signature)))
	if subtle.ConstantTimeCompare(got, []byte(Sign(appID, body, string(s.Timestamp), oaSecretKey))) == 1 {
		return true, false
	}
	oa := s.OAID
	if oa == "" {
		oa = s.Recipient.ID
	}
	if oa != "" && subtle.ConstantTimeCompare(got, []byte(Sign(string(oa), body, string(s.Timestamp), oaSecretKey))) == 1 {
		return true, true
	}
	return false, false
}

// ServeHTTP answers 401 without a valid signature; 413 for a body too
// large to verify; 200 once the handler returned nil, and for events that
// can never be handled (ignored kinds, malformed, too old); 500 when the
// handler failed and 503 when it has not finished in time (Zalo delivers
// the event again in both cases).
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.cfg.Log.Error("zalo webhook: body too large to verify, refused", "limit", maxBody, "remote", r.RemoteAddr)
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		// The connection broke: Zalo will send it again.
		h.cfg.Log.Warn("zalo webhook: reading body", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	ok, byOAID := Verify(h.cfg.AppID, h.cfg.OASecretKey, body, sig)
	if !ok {
		h.refused(r, body, sig)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if byOAID {
		h.oaOnce.Do(func() {
			h.cfg.Log.Warn("zalo webhook: signatures match with the OA id as first term, not the app id; accepted")
		})
	}

	u, err := Decode(body)
	switch {
	case errors.Is(err, ErrIgnored):
		w.WriteHeader(http.StatusOK)
		return
	case err != nil:
		h.cfg.Log.Error("zalo webhook: undecodable event dropped", "err", err, "bytes", len(body))
		w.WriteHeader(http.StatusOK)
		return
	}
	if age := h.cfg.Now().Sub(time.UnixMilli(u.Seq)); h.cfg.MaxAge > 0 && age > h.cfg.MaxAge {
		h.cfg.Log.Warn("zalo webhook: event too old, dropped", "update", u.ID, "age", age.Round(time.Second))
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := choose(r.Context(), h.cfg.Choices, u); err != nil {
		h.cfg.Log.Warn("zalo webhook: reading the numbered list, Zalo will retry", "update", u.ID, "err", err)
		http.Error(w, "retry later", http.StatusInternalServerError)
		return
	}

	// The handling outlives the request: what it started is finished and
	// made durable, so that a redelivery finds it done.
	done := make(chan error, 1)
	h.running.Add(1)
	go func() {
		defer h.running.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.HandleTimeout)
		defer cancel()
		err := h.cfg.Handle(ctx, u)
		if err != nil {
			h.cfg.Log.Warn("zalo webhook: event failed, Zalo will retry", "update", u.ID, "err", err)
		}
		done <- err
	}()
	timer := time.NewTimer(h.cfg.AckWithin)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			http.Error(w, "retry later", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	case <-timer.C:
		h.cfg.Log.Info("zalo webhook: handling outlasts Zalo's 2 s; answered 503, the redelivery will find it done",
			"update", u.ID, "waited", h.cfg.AckWithin)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "still handling", http.StatusServiceUnavailable)
	}
}

// refused logs a request whose signature does not match, with what helps
// find a misconfiguration (the app id in the body against ours), never the
// signature or the body.
func (h *Webhook) refused(r *http.Request, body []byte, sig string) {
	var s signed
	_ = json.Unmarshal(body, &s)
	attrs := []any{"remote", r.RemoteAddr, "event", s.EventName, "has_signature", sig != ""}
	if s.AppID != "" && string(s.AppID) != h.cfg.AppID {
		attrs = append(attrs, "event_app_id", string(s.AppID), "hint", "the event's app_id differs from ZALO_APP_ID")
	}
	if _, err := strconv.ParseInt(string(s.Timestamp), 10, 64); err != nil {
		attrs = append(attrs, "hint_timestamp", "no readable timestamp field")
	}
	h.cfg.Log.Warn("zalo webhook: bad signature, refused", attrs...)
}
