package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
)

// ZaloTokens is the Zalo OA's token pair in PostgreSQL (zalo_tokens), one
// row per Zalo app. It implements bot/zalo's TokenStore (the wiring checks
// it): stores remember, and know no channel adapter.
type ZaloTokens struct {
	db    *DB
	appID string
}

// ZaloTokens returns the token store of a Zalo app.
func (db *DB) ZaloTokens(appID string) *ZaloTokens { return &ZaloTokens{db: db, appID: appID} }

const zaloTokenColumns = `access_token, coalesce(access_expires_at, 'epoch'), refresh_token,
	coalesce(refresh_expires_at, 'epoch'), seed_sha256`

func scanTokens(row pgx.Row) (bot.TokenPair, error) {
	var t bot.TokenPair
	err := row.Scan(&t.Access, &t.AccessExpires, &t.Refresh, &t.RefreshExpires, &t.SeedHash)
	return t, err
}

// Load returns the app's pair, ok false when none is stored.
func (z *ZaloTokens) Load(ctx context.Context) (bot.TokenPair, bool, error) {
	t, err := scanTokens(z.db.Pool.QueryRow(ctx, `SELECT `+zaloTokenColumns+` FROM zalo_tokens WHERE app_id = $1`, z.appID))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.TokenPair{}, false, nil
	}
	return t, err == nil, err
}

// Seed stores t, only when the app has no pair, whatever the number of
// replicas starting at once, and reports whether it did.
func (z *ZaloTokens) Seed(ctx context.Context, t bot.TokenPair) (bool, error) {
	tag, err := z.db.Pool.Exec(ctx, `INSERT INTO zalo_tokens
		(app_id, access_token, access_expires_at, refresh_token, refresh_expires_at, seed_sha256)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app_id) DO NOTHING`,
		z.appID, t.Access, nullTime(t.AccessExpires), t.Refresh, nullTime(t.RefreshExpires), t.SeedHash)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// saveTimeout bounds the saving of a new pair, which no caller may cancel:
// once Zalo has rotated the pair, the new one is the only valid one.
const saveTimeout = 10 * time.Second

// Rotate calls fn with the stored pair and stores the pair it returns, if
// any (bot.ErrNoTokenPair when there is none). The row is locked (SELECT … FOR
// UPDATE) while fn runs, so replicas renew one at a time and whoever waited
// sees the pair the other stored. The new pair is written and committed on
// a context the caller cannot cancel; if the commit fails, it is written
// again outside the transaction before giving up, since Zalo has already
// spent the old refresh token.
func (z *ZaloTokens) Rotate(ctx context.Context, fn func(bot.TokenPair) (*bot.TokenPair, error)) (bot.TokenPair, error) {
	tx, err := z.db.Pool.Begin(ctx)
	if err != nil {
		return bot.TokenPair{}, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	cur, err := scanTokens(tx.QueryRow(ctx, `SELECT `+zaloTokenColumns+` FROM zalo_tokens WHERE app_id = $1 FOR UPDATE`, z.appID))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.TokenPair{}, bot.ErrNoTokenPair
	}
	if err != nil {
		return bot.TokenPair{}, err
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return cur, err
	}
	save, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	const update = `UPDATE zalo_tokens SET access_token = $2, access_expires_at = $3, refresh_token = $4,
		refresh_expires_at = $5, rotations = rotations + 1, updated_at = now() WHERE app_id = $1`
	_, err = tx.Exec(save, update, z.appID, next.Access, nullTime(next.AccessExpires), next.Refresh, nullTime(next.RefreshExpires))
	if err == nil {
		err = tx.Commit(save)
	}
	if err == nil {
		return *next, nil
	}
	// The transaction failed after Zalo rotated: keep the new pair anyway.
	// The row is no longer locked, but no other replica can have renewed
	// it meanwhile with the dead refresh token.
	for range 3 {
		if _, err2 := z.db.Pool.Exec(save, update+` AND refresh_token IN ($6, $4)`, z.appID, next.Access,
			nullTime(next.AccessExpires), next.Refresh, nullTime(next.RefreshExpires), cur.Refresh); err2 == nil {
			if stored, ok, err3 := z.Load(save); err3 == nil && ok && stored.Refresh == next.Refresh {
				return stored, nil
			}
		}
		if serr := sleepCtx(save, 500*time.Millisecond); serr != nil {
			break
		}
	}
	return cur, fmt.Errorf("store: the new Zalo token pair could not be saved: %w", err)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ChoiceLists keeps, per chat, the numbered lists a channel showed in
// place of buttons (Zalo: more than 5 options), in Redis beside the
// conversations. It implements bot/zalo's Choices (the wiring checks it).
type ChoiceLists struct {
	rdb    redis.UniversalClient
	prefix string
	// TTL is how long a list is remembered: the 7 days of Zalo's window.
	TTL time.Duration
}

// ChoiceLists returns the numbered lists kept in the state's Redis.
func (s *State) ChoiceLists() *ChoiceLists {
	return &ChoiceLists{rdb: s.rdb, prefix: s.prefix, TTL: 7 * 24 * time.Hour}
}

func (c *ChoiceLists) key(chat bot.ChatKey) string {
	return c.prefix + "choices:{" + string(chat.Channel) + ":" + chat.ChatID + "}"
}

// PutChoices records the list shown in chat; a list without data deletes
// the key.
func (c *ChoiceLists) PutChoices(ctx context.Context, chat bot.ChatKey, l bot.ChoiceList) error {
	if len(l.Data) == 0 {
		return c.rdb.Del(ctx, c.key(chat)).Err()
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return c.rdb.Set(ctx, c.key(chat), b, c.TTL).Err()
}

// Choices returns the list last shown in chat, without data when there is
// none.
func (c *ChoiceLists) Choices(ctx context.Context, chat bot.ChatKey) (bot.ChoiceList, error) {
	var l bot.ChoiceList
	b, err := c.rdb.Get(ctx, c.key(chat)).Bytes()
	if errors.Is(err, redis.Nil) {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	if len(b) > 0 && b[0] == '[' {
		// Written before lists kept their screen: the data alone, kept
		// until the next reply on some screen.
		if json.Unmarshal(b, &l.Data) != nil {
			l.Data = nil
		}
		return l, nil
	}
	if err := json.Unmarshal(b, &l); err != nil {
		// Unreadable: as if there were no list; numbers stay text.
		return bot.ChoiceList{}, nil
	}
	return l, nil
}
