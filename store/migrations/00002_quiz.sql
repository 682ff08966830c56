-- +goose Up
-- A question bank as imported. Attempts name the version they were drawn
-- from, so editing the bank never rewrites history.
CREATE TABLE quiz_banks (
    version     text PRIMARY KEY,          -- hash of the bank's content
    source      text        NOT NULL,      -- "embedded" or the imported file's name
    content     bytea       NOT NULL,      -- the bank as imported
    imported_at timestamptz NOT NULL DEFAULT now(),
    active      boolean     NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX quiz_banks_one_active ON quiz_banks (active) WHERE active;

-- One attempt at a test: the quick test (area '') or one competence area.
CREATE TABLE quiz_attempts (
    id            bigserial PRIMARY KEY,
    user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bank_version  text        NOT NULL,
    area          text        NOT NULL,     -- '' for the quick test, else the area id ('0'..'6')
    question_ids  text[]      NOT NULL,     -- in the order asked
    option_orders jsonb       NOT NULL,     -- per question, the bank's option indices in the order shown
    total         int         NOT NULL,
    score         int,                      -- set when finished
    passed        boolean,                  -- score/total reached the pass mark in force then
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    abandoned_at  timestamptz
);
CREATE INDEX quiz_attempts_user ON quiz_attempts (user_id, started_at DESC);
CREATE INDEX quiz_attempts_finished ON quiz_attempts (finished_at) WHERE finished_at IS NOT NULL;

-- Every answer given.
CREATE TABLE quiz_answers (
    attempt_id  bigint      NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    position    int         NOT NULL,       -- 0-based index in the attempt
    question_id text        NOT NULL,
    chosen      int         NOT NULL,       -- the option's index in the bank
    correct     boolean     NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (attempt_id, position)
);

-- +goose Down
DROP TABLE quiz_answers;
DROP TABLE quiz_attempts;
DROP TABLE quiz_banks;
