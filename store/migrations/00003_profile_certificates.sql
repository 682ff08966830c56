-- +goose Up
-- The optional profile, asked once: commune or ward of residence and group.
ALTER TABLE users
    ADD COLUMN commune_code     text,
    ADD COLUMN user_group       text CHECK (user_group IN ('citizen', 'public_employee', 'student', 'worker')),
    ADD COLUMN profile_asked_at timestamptz;
CREATE INDEX users_commune ON users (commune_code) WHERE commune_code IS NOT NULL;

-- A certificate issued when every competence area is passed.
CREATE TABLE certificates (
    code      text PRIMARY KEY,               -- the verification code printed on it
    user_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name      text        NOT NULL,           -- as the user gave it
    areas     jsonb       NOT NULL,           -- [{area, score, total, passed_at}]
    issued_at timestamptz NOT NULL
);
CREATE INDEX certificates_user ON certificates (user_id);

-- +goose Down
DROP TABLE certificates;
ALTER TABLE users DROP COLUMN profile_asked_at, DROP COLUMN user_group, DROP COLUMN commune_code;
