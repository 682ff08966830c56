-- +goose Up
-- A person who agreed to the privacy notice. Nothing personal is stored
-- before consent_at.
CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    display_name    text        NOT NULL DEFAULT '',
    language        text        NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    consent_at      timestamptz NOT NULL,
    consent_version text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A user's identity on one channel. One person may link several.
CREATE TABLE accounts (
    channel      text        NOT NULL,
    external_id  text        NOT NULL,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_id      text        NOT NULL,
    blocked_at   timestamptz,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX accounts_user_id ON accounts (user_id);

-- +goose Down
DROP TABLE accounts;
DROP TABLE users;
