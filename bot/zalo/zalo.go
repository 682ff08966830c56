// Package zalo is the Zalo Official Account channel. It turns the events
// Zalo posts to the app's webhook (Webhook) into bot.Update, and renders
// bot.Reply through the OA Open API v3.
//
// There is no Go SDK worth taking: this package speaks the HTTP API
// directly with net/http. The wire formats, limits and error codes are
// those of ../shared/docs/channel-zalo.md; what that brief marks
// unconfirmed is handled defensively and said so where it is used.
package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hocvuso/bot"
)

// Default servers, used when Config leaves them empty.
const (
	DefaultAPIURL   = "https://openapi.zalo.me"
	DefaultOAuthURL = "https://oauth.zaloapp.com"
)

// Config configures a Client.
type Config struct {
	// AppID is the Zalo app's id (ZALO_APP_ID).
	AppID string
	// AppSecret is the app's secret key (ZALO_APP_SECRET), sent to the
	// token endpoint. It is never logged.
	AppSecret string
	// APIURL is the OA Open API server (ZALO_API_URL); empty means
	// DefaultAPIURL.
	APIURL string
	// OAuthURL is the token server (ZALO_OAUTH_URL); empty means
	// DefaultOAuthURL.
	OAuthURL string
	// Tokens keeps the OA's token pair; required.
	Tokens TokenStore
	// Choices remembers the numbered lists shown (more than 5 buttons), for
	// the webhook to read typed numbers as taps. Nil means none are kept:
	// the lists are shown, typed numbers stay text.
	Choices Choices
	// Text renders the instruction under a numbered list; nil shows the
	// numbers alone.
	Text bot.Translator
	// HTTPClient makes the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	Log        *slog.Logger
	// MaxRetryWait is the longest a send waits in all, backing off while
	// Zalo answers -32 (rate limit), before giving up with an error (the
	// update is then delivered again later). Zero means 8 s.
	MaxRetryWait time.Duration
	// RefreshAhead renews the access token this long before it expires.
	// Zero means 1 h (of a 25 h token).
	RefreshAhead time.Duration
	// Sleep waits for d or until ctx is done; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Client talks to the OA Open API for one OA. It implements bot.Sender and
// is safe for concurrent use.
type Client struct {
	api     string
	hc      *http.Client
	log     *slog.Logger
	tokens  *tokenSource
	choices Choices
	text    bot.Translator
	maxWait time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	secrets []string
}

// New returns a client. It makes no request: Ready checks the grant.
func New(cfg Config) (*Client, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("zalo: the app id and the app secret are required")
	}
	if cfg.Tokens == nil {
		return nil, errors.New("zalo: no token store")
	}
	api, err := baseURL(cfg.APIURL, DefaultAPIURL)
	if err != nil {
		return nil, fmt.Errorf("zalo: API URL: %w", err)
	}
	oauth, err := baseURL(cfg.OAuthURL, DefaultOAuthURL)
	if err != nil {
		return nil, fmt.Errorf("zalo: OAuth URL: %w", err)
	}
	c := &Client{api: api, hc: cfg.HTTPClient, log: cfg.Log, choices: cfg.Choices, text: cfg.Text,
		maxWait: cfg.MaxRetryWait, sleep: cfg.Sleep, secrets: []string{cfg.AppSecret}}
	if c.hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 256
		c.hc = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.maxWait <= 0 {
		c.maxWait = 8 * time.Second
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ahead := cfg.RefreshAhead
	if ahead <= 0 {
		ahead = time.Hour
	}
	c.tokens = &tokenSource{store: cfg.Tokens, appID: cfg.AppID, secret: cfg.AppSecret, oauthURL: oauth, hc: c.hc,
		ahead: ahead, now: now, onError: func(err error) {
			if errors.Is(err, ErrGrantRefused) || errors.Is(err, ErrNoGrant) {
				c.log.Error("zalo: cannot renew the OA access token; an OA administrator must grant the app access again and the new refresh token seed the store (ZALO_REFRESH_TOKEN)", "err", err)
				return
			}
			c.log.Warn("zalo: renewing the OA access token failed", "err", err)
		}}
	return c, nil
}

func baseURL(s, def string) (string, error) {
	s = strings.TrimRight(s, "/")
	if s == "" {
		return def, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", s)
	}
	return s, nil
}

// Seed stores the refresh token of the OA's grant when the store holds no
// pair yet (the first start), and reports whether it did. When a pair is
// stored already the token is not used: it has been spent by a rotation
// since; a different token than the one that seeded the store is logged,
// as it may be a new grant an operator meant to install.
func (c *Client) Seed(ctx context.Context, refreshToken string) (bool, error) {
	if refreshToken == "" {
		return false, nil
	}
	t := Tokens{Refresh: refreshToken, RefreshExpires: c.tokens.now().Add(defaultRefreshLifetime), SeedHash: SeedHash(refreshToken)}
	seeded, err := c.tokens.store.Seed(ctx, t)
	if err != nil {
		return false, fmt.Errorf("zalo: seed tokens: %w", err)
	}
	if !seeded {
		if cur, ok, err := c.tokens.store.Load(ctx); err == nil && ok && cur.SeedHash != t.SeedHash {
			c.log.Warn("zalo: ZALO_REFRESH_TOKEN differs from the token that seeded the store, and is not used: the stored pair is kept (it rotates). To install a new grant, delete the stored pair first (table zalo_tokens)")
		}
	}
	return seeded, nil
}

// Ready makes sure an access token can be had, renewing the pair if it is
// due: at start-up, a grant that does not work stops the server instead of
// every reply.
func (c *Client) Ready(ctx context.Context) error {
	_, err := c.tokens.access(ctx)
	return err
}

// KeepFresh renews the access token ahead of expiry every so often until
// ctx ends, so that a quiet OA still rotates its refresh token within its
// 3 months. Replicas share the work: the first to take the lock renews.
func (c *Client) KeepFresh(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := c.tokens.access(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("zalo: keeping the access token fresh", "err", err)
			}
		}
	}
}

// APIError is an error Zalo answered (HTTP 200 with error != 0).
type APIError struct {
	Method  string // "message/cs", "upload/file"...
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("zalo: %s: error %d: %s", e.Method, e.Code, e.Message)
}

// Codes of the errors the client acts on (channel-zalo.md §3).
const (
	codeRateLimited   = -32
	codeBadParam      = -201
	codeTooLong       = -210
	codeNotFollowing  = -213
	codeTokenInvalid  = -216
	codeTokenExpired  = -220
	codeBanned        = -227
	codeWindowClosed  = -230
	codeWindowExpired = -232
	codeNight         = -234
)

// ErrWindowClosed wraps -230/-232: the user has not interacted with the OA
// in the last 7 days, so only an approved template can reach them.
var ErrWindowClosed = errors.New("zalo: outside the 7-day window for replies")

// ErrNight wraps -234: Zalo takes this message at no time between 22:00
// and 06:00 Vietnam time (channel-zalo.md §3, §5). It is not sent, and
// may be from 06:00.
var ErrNight = errors.New("zalo: not sent between 22:00 and 06:00 Vietnam time")

// classify marks the errors callers act on: bot.ErrBlocked for users who
// cannot be reached any more (not following, banned or inactive),
// ErrWindowClosed and ErrNight.
func classify(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case codeNotFollowing, codeBanned:
		return fmt.Errorf("%w: %w", bot.ErrBlocked, err)
	case codeWindowClosed, codeWindowExpired:
		return fmt.Errorf("%w: %w", ErrWindowClosed, err)
	case codeNight:
		return fmt.Errorf("%w: %w", ErrNight, err)
	}
	return err
}

// response is every API answer's envelope.
type response struct {
	Error   str             `json:"error"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// request is one API call, built once and sent as often as needed.
type request struct {
	method      string // path under the API URL, without the version: for logs and metrics
	path        string
	body        []byte
	contentType string
}

// call sends r with the access token and decodes data into out. A token
// rejected (-216, -220) is renewed and the call made once more; -32 is
// waited out with growing pauses up to MaxRetryWait. Every attempt is
// counted.
func (c *Client) call(ctx context.Context, r request, out any) error {
	token, err := c.tokens.access(ctx)
	if err != nil {
		return err
	}
	renewed := false
	wait, waited := time.Second, time.Duration(0)
	for {
		err := c.do(ctx, r, token, out)
		var ae *APIError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &ae):
			return err
		case (ae.Code == codeTokenInvalid || ae.Code == codeTokenExpired) && !renewed:
			renewed = true
			c.log.Info("zalo: access token rejected, renewing", "method", r.method, "code", ae.Code)
			if token, err = c.tokens.rejected(ctx, token); err != nil {
				return fmt.Errorf("zalo: %s: %w", r.method, err)
			}
			continue
		case ae.Code == codeRateLimited && waited+wait <= c.maxWait:
			d := wait + rand.N(wait/4)
			c.log.Debug("zalo: rate limited, backing off", "method", r.method, "wait", d)
			if serr := c.sleep(ctx, d); serr != nil {
				return errors.Join(err, serr)
			}
			waited += wait
			wait *= 2
			continue
		}
		return classify(err)
	}
}

// do makes one request.
func (c *Client) do(ctx context.Context, r request, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+r.path, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", r.contentType)
	req.Header.Set("access_token", token)
	resp, err := c.hc.Do(req)
	if err != nil {
		observe(r.method, "error")
		return fmt.Errorf("zalo: %s: %w", r.method, redact(err, append(c.secrets, token)...))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		observe(r.method, "error")
		return fmt.Errorf("zalo: %s: %w", r.method, err)
	}
	if resp.StatusCode != http.StatusOK {
		observe(r.method, strconv.Itoa(resp.StatusCode))
		return fmt.Errorf("zalo: %s: HTTP %s", r.method, resp.Status)
	}
	var env response
	if err := json.Unmarshal(body, &env); err != nil {
		observe(r.method, "error")
		return fmt.Errorf("zalo: %s: unreadable answer: %w", r.method, err)
	}
	code, err := strconv.Atoi(string(env.Error))
	if env.Error != "" && err != nil {
		observe(r.method, "error")
		return fmt.Errorf("zalo: %s: unreadable error code %q", r.method, env.Error)
	}
	if code != 0 {
		observe(r.method, strconv.Itoa(code))
		return &APIError{Method: r.method, Code: code, Message: env.Message}
	}
	observe(r.method, "200")
	if out != nil && len(env.Data) > 0 {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return fmt.Errorf("zalo: %s: unreadable data: %w", r.method, err)
		}
	}
	return nil
}

// observe counts one call: "200", Zalo's error code, the HTTP status, or
// "error" for transport failures.
func observe(method, status string) { bot.ObserveOutbound(bot.Zalo, method, status) }

// redactedError is an error whose text held a secret. It unwraps to the
// first cause in the chain that does not, so errors.Is(err,
// context.Canceled) still works.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// redact keeps secrets out of an error's text (net/http errors quote the
// URL; none of ours carries a secret, but a proxy's might).
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	holds := func(s string) bool {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				return true
			}
		}
		return false
	}
	msg := err.Error()
	if !holds(msg) {
		return err
	}
	for _, secret := range secrets {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "xxxxx")
		}
	}
	r := &redactedError{msg: msg}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if !holds(e.Error()) {
			r.cause = e
			break
		}
	}
	return r
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
