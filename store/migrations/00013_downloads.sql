-- +goose Up
-- Files offered by a download link instead of in the chat (package
-- downloads): a channel that cannot carry a file (Zalo takes no XLSX) gets
-- a link to GET /files/{token}. The token itself is never stored, only its
-- SHA-256, so these rows do not open the links. A link lasts a day; rows
-- past expiry are deleted when the next link is made.
CREATE TABLE downloads (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    bigint      REFERENCES users (id) ON DELETE CASCADE, -- who asked; erased with them
    name       text        NOT NULL CHECK (name <> ''),
    mime       text        NOT NULL CHECK (mime <> ''),
    content    bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX downloads_expires_at ON downloads (expires_at);

-- +goose Down
DROP TABLE downloads;
