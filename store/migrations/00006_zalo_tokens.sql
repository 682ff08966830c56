-- +goose Up
-- The Zalo Official Account's token pair, one row per Zalo app. The access
-- token lasts about 25 hours; the refresh token 3 months, and only once:
-- every refresh returns a new pair and the old refresh token dies. A
-- replica renews the pair holding the row (SELECT … FOR UPDATE) and commits
-- the new pair before anyone uses it, so that no race or crash loses the
-- only valid refresh token. Seeded once from ZALO_REFRESH_TOKEN.
CREATE TABLE zalo_tokens (
    app_id             text PRIMARY KEY,
    access_token       text        NOT NULL DEFAULT '',
    access_expires_at  timestamptz,
    refresh_token      text        NOT NULL,
    refresh_expires_at timestamptz,
    seed_sha256        text        NOT NULL DEFAULT '', -- of the token that seeded the row
    rotations          bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE zalo_tokens;
