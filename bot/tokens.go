package bot

import (
	"errors"
	"time"
)

// TokenPair is a channel's rotating credentials as stored: an access token
// and the single-use refresh token that renews it (the Zalo OA's). It lives
// here, with the channel-neutral types, so that the store keeping it and
// the channel using it need not know each other.
type TokenPair struct {
	Access         string
	AccessExpires  time.Time
	Refresh        string
	RefreshExpires time.Time
	// SeedHash is the hex sha256 of the refresh token the store was seeded
	// with, to tell whether the configured one has changed since.
	SeedHash string
}

// ErrNoTokenPair is a token store's answer when it holds no pair.
var ErrNoTokenPair = errors.New("no token pair stored")
