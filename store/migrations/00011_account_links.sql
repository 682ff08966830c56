-- +goose Up
-- One person, several chat accounts (/link). A user asks for a code on one
-- channel and types it on another; the code links the second account to the
-- same user, merging two users when both had one. Only the code's SHA-256
-- is kept. A code works once (used_at) and for 10 minutes; a user has at
-- most one live code. The asking account is told when its code is used.
CREATE TABLE link_codes (
    code_hash       bytea PRIMARY KEY,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel         text        NOT NULL,   -- the account that asked for it
    external_id     text        NOT NULL,
    chat_id         text        NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    used_by_channel text,                   -- the account that typed it
    used_by_external_id text,
    merged_user_id  bigint,                 -- the user merged into user_id by it, now gone (no key)
    CHECK (expires_at > created_at),
    CHECK ((used_at IS NULL) = (used_by_channel IS NULL))
);
CREATE INDEX link_codes_user ON link_codes (user_id);

-- Every account linked, users merged and account unlinked: who, when and
-- what moved. Erasing a user (/deleteme) erases their lines too: they name
-- their chat accounts.
CREATE TABLE account_link_audit (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL,
    action         text        NOT NULL CHECK (action IN ('attach', 'merge', 'unlink')),
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,  -- the user kept
    merged_user_id bigint,      -- merge: the user merged into user_id, now gone
    channel        text        NOT NULL,   -- the account linked or unlinked
    external_id    text        NOT NULL,
    detail         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX account_link_audit_user ON account_link_audit (user_id, at);

-- +goose Down
DROP TABLE account_link_audit;
DROP TABLE link_codes;
