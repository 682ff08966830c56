package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"hocvuso/bot"
)

// Lifetimes of the OA tokens (channel-zalo.md §4): the access token lasts
// 25 hours (expires_in "90000"), the refresh token 3 months and only once.
const (
	defaultAccessLifetime  = 25 * time.Hour
	defaultRefreshLifetime = 90 * 24 * time.Hour
)

// Tokens is the OA's token pair as stored (SeedHash: of ZALO_REFRESH_TOKEN).
type Tokens = bot.TokenPair

// TokenStore keeps the OA's token pair where every replica sees it.
//
// The refresh token is single-use and rotates: a pair lost, or a refresh
// token used twice, means an administrator must grant access again in a
// browser. Rotate is therefore exclusive across replicas, and stores the
// new pair before anyone uses it.
type TokenStore interface {
	// Load returns the pair, ok false when none was ever stored.
	Load(ctx context.Context) (t Tokens, ok bool, err error)
	// Seed stores t when no pair is stored yet, and reports whether it did.
	Seed(ctx context.Context, t Tokens) (bool, error)
	// Rotate calls fn with the stored pair while holding it exclusively (one
	// replica at a time); a pair fn returns is stored, durably, before
	// Rotate returns it. fn returns nil to keep the pair as it is; its
	// error leaves the pair unchanged. With no pair stored, Rotate returns
	// bot.ErrNoTokenPair without calling fn.
	Rotate(ctx context.Context, fn func(cur Tokens) (*Tokens, error)) (Tokens, error)
}

// ErrNoGrant means the token store holds no pair: ZALO_REFRESH_TOKEN must
// seed it.
var ErrNoGrant = errors.New("zalo: no OA token pair stored: set ZALO_REFRESH_TOKEN to the refresh token of the OA's grant")

// ErrGrantRefused means Zalo refused the stored refresh token: an
// administrator of the OA must grant the app access again, and the new
// refresh token seed the store.
var ErrGrantRefused = errors.New("zalo: the refresh token was refused; the OA must grant the app access again")

// SeedHash is the value of Tokens.SeedHash for a seed refresh token.
func SeedHash(refresh string) string {
	h := sha256.Sum256([]byte(refresh))
	return hex.EncodeToString(h[:])
}

// MemoryTokens is a TokenStore in this process: for tests and a single
// local replica. Rotate holds a mutex, as the database holds a row lock.
type MemoryTokens struct {
	mu sync.Mutex
	t  *Tokens
}

// Load implements TokenStore.
func (m *MemoryTokens) Load(context.Context) (Tokens, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.t == nil {
		return Tokens{}, false, nil
	}
	return *m.t, true, nil
}

// Seed implements TokenStore.
func (m *MemoryTokens) Seed(_ context.Context, t Tokens) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.t != nil {
		return false, nil
	}
	m.t = &t
	return true, nil
}

// Rotate implements TokenStore.
func (m *MemoryTokens) Rotate(_ context.Context, fn func(Tokens) (*Tokens, error)) (Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.t == nil {
		return Tokens{}, bot.ErrNoTokenPair
	}
	next, err := fn(*m.t)
	if err != nil {
		return *m.t, err
	}
	if next != nil {
		m.t = next
	}
	return *m.t, nil
}

// tokenSource hands out the access token, refreshing it ahead of expiry or
// when Zalo rejects it. Within a replica one refresh runs at a time (mu);
// across replicas TokenStore.Rotate serialises them, and whoever gets the
// lock second finds the pair already renewed and does not refresh again.
type tokenSource struct {
	store    TokenStore
	appID    string
	secret   string
	oauthURL string
	hc       *http.Client
	ahead    time.Duration
	now      func() time.Time
	onError  func(error)

	mu  sync.Mutex
	cur Tokens
}

// fresh reports whether t's access token can be used without refreshing.
func (s *tokenSource) fresh(t Tokens) bool {
	return t.Access != "" && s.now().Before(t.AccessExpires.Add(-s.ahead))
}

// access returns a usable access token.
func (s *tokenSource) access(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh(s.cur) {
		return s.cur.Access, nil
	}
	// Another replica may have renewed it.
	t, ok, err := s.store.Load(ctx)
	if err != nil {
		return "", fmt.Errorf("zalo: load tokens: %w", err)
	}
	if !ok {
		return "", ErrNoGrant
	}
	if s.fresh(t) {
		s.cur = t
		return t.Access, nil
	}
	return s.rotate(ctx, "")
}

// rejected returns a new access token after Zalo rejected token: renewed by
// someone else already, or refreshed now.
func (s *tokenSource) rejected(ctx context.Context, token string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.Access != token && s.fresh(s.cur) {
		return s.cur.Access, nil
	}
	return s.rotate(ctx, token)
}

// rotate renews the pair under the store's lock, unless the stored access
// token is fresh and not the one rejected. Called with s.mu held.
func (s *tokenSource) rotate(ctx context.Context, rejected string) (string, error) {
	t, err := s.store.Rotate(ctx, func(cur Tokens) (*Tokens, error) {
		if cur.Access != rejected && s.fresh(cur) {
			return nil, nil // renewed by another replica meanwhile
		}
		if cur.Refresh == "" {
			return nil, ErrNoGrant
		}
		next, err := s.refresh(ctx, cur.Refresh)
		if err != nil {
			return nil, err
		}
		next.SeedHash = cur.SeedHash
		return next, nil
	})
	if errors.Is(err, bot.ErrNoTokenPair) {
		err = ErrNoGrant
	}
	if err != nil {
		if s.onError != nil {
			s.onError(err)
		}
		return "", err
	}
	s.cur = t
	if t.Access == "" {
		return "", ErrNoGrant
	}
	return t.Access, nil
}

// oauthResponse is the token endpoint's answer: the pair, or an error.
// expires_in comes as a string ("90000").
type oauthResponse struct {
	AccessToken           string `json:"access_token"`
	RefreshToken          string `json:"refresh_token"`
	ExpiresIn             str    `json:"expires_in"`
	RefreshTokenExpiresIn str    `json:"refresh_token_expires_in"`
	Error                 str    `json:"error"`
	ErrorName             string `json:"error_name"`
	ErrorDescription      string `json:"error_description"`
	Message               string `json:"message"`
}

// refresh exchanges a refresh token for a new pair at
// POST $ZALO_OAUTH_URL/v4/oa/access_token (form refresh_token, app_id,
// grant_type=refresh_token; header secret_key: the app secret).
func (s *tokenSource) refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	form := url.Values{"refresh_token": {refreshToken}, "app_id": {s.appID}, "grant_type": {"refresh_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.oauthURL+"/v4/oa/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", s.secret)
	resp, err := s.hc.Do(req)
	if err != nil {
		observe("oauth/access_token", "error")
		return nil, fmt.Errorf("zalo: refresh tokens: %w", redact(err, refreshToken, s.secret))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		observe("oauth/access_token", "error")
		return nil, fmt.Errorf("zalo: refresh tokens: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		observe("oauth/access_token", strconv.Itoa(resp.StatusCode))
		return nil, fmt.Errorf("zalo: refresh tokens: HTTP %s", resp.Status)
	}
	var r oauthResponse
	if err := json.Unmarshal(body, &r); err != nil {
		observe("oauth/access_token", "error")
		return nil, fmt.Errorf("zalo: refresh tokens: unreadable answer: %w", err)
	}
	if code, _ := strconv.Atoi(string(r.Error)); code != 0 || r.AccessToken == "" || r.RefreshToken == "" {
		observe("oauth/access_token", string(r.Error))
		desc := strings.TrimSpace(r.ErrorName + " " + r.ErrorDescription + " " + r.Message)
		if code == 0 {
			desc = "no token pair in the answer"
		}
		// An answer with an error: the refresh token was not accepted. It
		// stays stored, in case the error was Zalo's, but a human must
		// look (the refresh token may be dead).
		return nil, fmt.Errorf("%w (error %s: %s)", ErrGrantRefused, r.Error, desc)
	}
	observe("oauth/access_token", "200")
	now := s.now()
	t := &Tokens{Access: r.AccessToken, Refresh: r.RefreshToken,
		AccessExpires: now.Add(seconds(r.ExpiresIn, defaultAccessLifetime)), RefreshExpires: now.Add(seconds(r.RefreshTokenExpiresIn, defaultRefreshLifetime))}
	return t, nil
}

// seconds reads a lifetime in seconds, or gives def.
func seconds(s str, def time.Duration) time.Duration {
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil || n <= 0 || n > 10*365*24*3600 {
		return def
	}
	return time.Duration(n) * time.Second
}
