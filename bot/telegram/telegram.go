// Package telegram is the Telegram channel. It turns Bot API updates,
// received by webhook (Webhook) or long polling (Poller), into bot.Update, and
// renders bot.Reply through the Bot API (Client implements bot.Sender).
//
// go-telegram-bot-api v5.5.1 is the transport. Its gaps are worked around
// here: requests carry no context (each call uses a shallow copy of the
// BotAPI whose HTTP client binds the call's context), setWebhook has no
// secret_token (MakeRequest with raw params, as for the command menus,
// whose raw params say exactly what is sent), the file host is hard-coded
// (DownloadFile builds the URL itself), upload errors lose their code
// (errors are classified by their text too), and net/http errors carry the
// request URL, token included (every error leaving this package is
// redacted).
package telegram

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// DefaultAPIURL is the Bot API server used when Config.APIURL is empty.
const DefaultAPIURL = "https://api.telegram.org"

// Config configures a Client.
type Config struct {
	// Token is the bot token from @BotFather. It is never logged.
	Token string
	// APIURL is the Bot API server (TELEGRAM_API_URL); requests go to
	// APIURL/bot<token>/<method>. Empty means DefaultAPIURL.
	APIURL string
	// HTTPClient makes the requests; nil means a pooled client of our own.
	// A Timeout of its own shortens CallTimeout.
	HTTPClient *http.Client
	// CallTimeout bounds one call, its response's body included; the long
	// poll is fitted under it. Zero means 75 s.
	CallTimeout time.Duration
	Log         *slog.Logger
	// MaxRetryWait is the longest 429 retry_after a send waits out before
	// giving up with an error (the update is then delivered again later).
	// Zero means 30 s.
	MaxRetryWait time.Duration
	// Sleep waits for d or until ctx is done; tests replace it. Nil means a
	// timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to the Bot API for one bot. It is safe for concurrent use.
type Client struct {
	api     *tgbotapi.BotAPI
	token   string
	base    string
	hc      *http.Client
	timeout time.Duration // of one call; see callLimit
	log     *slog.Logger
	maxWait time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
}

// New checks the token with getMe and returns a client.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: empty bot token")
	}
	c := &Client{
		token:   cfg.Token,
		base:    strings.TrimRight(cfg.APIURL, "/"),
		hc:      cfg.HTTPClient,
		log:     cfg.Log,
		timeout: cmp.Or(cfg.CallTimeout, defaultCallTimeout),
		maxWait: cfg.MaxRetryWait,
		sleep:   cfg.Sleep,
	}
	if c.base == "" {
		c.base = DefaultAPIURL
	}
	if _, err := url.Parse(c.base); err != nil {
		return nil, fmt.Errorf("telegram: bad API URL: %w", err)
	}
	if c.hc == nil {
		// Replies to many chats go out at once, all to one host: keep
		// enough idle connections to it, or every burst dials anew (the
		// default keeps two). Each HTTP/1.1 connection costs two
		// goroutines and their buffers (~24 KiB); under load (200 chats at
		// once, one call per update, the tap's answer going back in the
		// webhook's response) 32 are enough, and 32 instead of one per
		// chat in flight saves ~5 MiB of RSS. Over HTTPS the Bot API
		// speaks HTTP/2, where one connection carries every call.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 32
		t.MaxIdleConnsPerHost = 32
		t.MaxConnsPerHost = 32
		// No Timeout: CallTimeout bounds each call through its context.
		c.hc = &http.Client{Transport: t}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.maxWait <= 0 {
		c.maxWait = 30 * time.Second
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	// The endpoint is a fmt pattern (token, method): a '%' in the URL must
	// not be taken for a verb.
	endpoint := strings.ReplaceAll(c.base, "%", "%%") + "/bot%s/%s"
	api, err := tgbotapi.NewBotAPIWithClient(c.token, endpoint, c.client(ctx))
	c.observe("getMe", err)
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", c.redact(err))
	}
	// Never used as is: every call goes through c.bot(ctx).
	api.Client = c.client(context.Background())
	c.api = api
	return c, nil
}

// Username is the bot's username, as getMe reported it.
func (c *Client) Username() string { return c.api.Self.UserName }

// bot returns the library's client bound to ctx. BotAPI holds no lock and
// its fields are read-only after New, so a shallow copy per call is safe.
func (c *Client) bot(ctx context.Context) *tgbotapi.BotAPI {
	api := *c.api
	api.Client = c.client(ctx)
	return &api
}

func (c *Client) client(ctx context.Context) ctxClient {
	return ctxClient{ctx: ctx, hc: c.hc, token: c.token, timeout: c.timeout}
}

// ctxClient gives the library's context-less requests a context, turns
// non-JSON error pages into errors with their status, and keeps the token
// out of transport errors.
type ctxClient struct {
	ctx     context.Context
	hc      *http.Client
	token   string
	timeout time.Duration
}

// defaultCallTimeout bounds one Bot API call (Config.CallTimeout), long
// polls (50 s) included. It is a deadline on the call's context, not
// http.Client.Timeout: the client's timeout costs a goroutine, a channel
// and two timers per call.
const defaultCallTimeout = 75 * time.Second

// callLimit is how long one call may take: the call timeout, or less when
// the configured client has a shorter Timeout of its own.
func (c *Client) callLimit() time.Duration {
	if t := c.hc.Timeout; t > 0 && t < c.timeout {
		return t
	}
	return c.timeout
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	resp, err := c.hc.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, redact(err, c.token)
	}
	if resp.StatusCode >= 300 {
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if mt != "application/json" {
			// A proxy's HTML page: the library would report a JSON syntax
			// error and lose the status.
			resp.Body.Close()
			cancel()
			return nil, &statusError{Code: resp.StatusCode, Status: resp.Status}
		}
	}
	// The library reads the body after Do returns: the deadline stands
	// until it closes it.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a call's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// statusError is an HTTP error answered without a Bot API body.
type statusError struct {
	Code   int
	Status string
}

func (e *statusError) Error() string { return "telegram: HTTP " + e.Status }

// redactedError is an error whose text contained the token. It unwraps to
// the first cause in the chain that does not, so errors.Is(err,
// context.Canceled) still works.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

func (c *Client) redact(err error) error { return redact(err, c.token) }

func redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	msg := err.Error()
	escaped := url.PathEscape(token)
	if !strings.Contains(msg, token) && !strings.Contains(msg, escaped) {
		return err
	}
	r := &redactedError{msg: strings.ReplaceAll(strings.ReplaceAll(msg, token, "<token>"), escaped, "<token>")}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if m := e.Error(); !strings.Contains(m, token) && !strings.Contains(m, escaped) {
			r.cause = e
			break
		}
	}
	return r
}

// call runs one Bot API call with ctx. A 429 is waited out and retried when
// retry_after is at most MaxRetryWait; longer waits, or a 429 on every
// attempt, are a *bot.RetryAfterError, so the update is redelivered later
// instead of holding the chat. Every attempt is counted.
func (c *Client) call(ctx context.Context, method string, do func(api *tgbotapi.BotAPI) error) error {
	const attempts = 4
	for i := 1; ; i++ {
		err := do(c.bot(ctx))
		c.observe(method, err)
		if err == nil {
			return nil
		}
		err = c.redact(err)
		wait, limited := retryAfter(err)
		if !limited {
			return fmt.Errorf("telegram: %s: %w", method, err)
		}
		if i == attempts || wait > c.maxWait {
			// The caller decides when to try again: a reply's update is
			// redelivered, a reminder's job snoozes for After.
			return &bot.RetryAfterError{After: wait, Err: fmt.Errorf("telegram: %s: %w", method, err)}
		}
		c.log.Debug("telegram rate limited", "method", method, "retry_after", wait)
		if serr := c.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("telegram: %s: %w", method, errors.Join(err, serr))
		}
	}
}

// errInResponse marks a method sent in a webhook's response: its outcome is
// unknown, and counted as status "webhook".
var errInResponse = errors.New("telegram: sent in the webhook response")

func (c *Client) observe(method string, err error) {
	bot.ObserveOutbound(bot.Telegram, method, status(err))
}

// apiError returns the Bot API error in err with its code, reconstructed
// from the description for uploads (v5.5.1's UploadFiles drops the code).
func apiError(err error) (*tgbotapi.Error, bool) {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return nil, false
	}
	if te.Code != 0 {
		return te, true
	}
	e := *te
	switch {
	case strings.HasPrefix(e.Message, "Too Many Requests") || e.RetryAfter > 0:
		e.Code = http.StatusTooManyRequests
	case strings.HasPrefix(e.Message, "Forbidden"):
		e.Code = http.StatusForbidden
	case strings.HasPrefix(e.Message, "Bad Request"):
		e.Code = http.StatusBadRequest
	case strings.HasPrefix(e.Message, "Unauthorized"):
		e.Code = http.StatusUnauthorized
	case strings.HasPrefix(e.Message, "Conflict"):
		e.Code = http.StatusConflict
	case strings.HasPrefix(e.Message, "Internal Server Error"):
		e.Code = http.StatusInternalServerError
	}
	return &e, true
}

// status is the metrics label of a call's outcome: the HTTP status, or
// "error" for transport failures.
func status(err error) string {
	if err == nil {
		return "200"
	}
	if err == errInResponse {
		return "webhook"
	}
	if te, ok := apiError(err); ok && te.Code != 0 {
		return strconv.Itoa(te.Code)
	}
	var se *statusError
	if errors.As(err, &se) {
		return strconv.Itoa(se.Code)
	}
	return "error"
}

// retryAfter reports whether err is a 429 and how long to wait.
func retryAfter(err error) (time.Duration, bool) {
	te, ok := apiError(err)
	if !ok || te.Code != http.StatusTooManyRequests {
		return 0, false
	}
	if te.RetryAfter <= 0 {
		return time.Second, true
	}
	return time.Duration(te.RetryAfter) * time.Second, true
}

// hasDescription reports a Bot API error whose description contains one of
// the fragments (Telegram's error texts are the only way to tell them apart).
func hasDescription(err error, code int, fragments ...string) bool {
	te, ok := apiError(err)
	if !ok || te.Code != code {
		return false
	}
	msg := strings.ToLower(te.Message)
	for _, f := range fragments {
		if strings.Contains(msg, f) {
			return true
		}
	}
	return false
}

// unreachable reports errors meaning the chat will not accept messages:
// blocked, deactivated, kicked, or never started.
func unreachable(err error) bool {
	if te, ok := apiError(err); ok && te.Code == http.StatusForbidden {
		return true
	}
	return hasDescription(err, http.StatusBadRequest, "chat not found", "user is deactivated")
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
