-- +goose Up
-- The attempt a user has in progress, looked up when an attempt starts
-- (the one left over is abandoned) and when the quiz resumes: a partial
-- index of the unfinished attempts alone, one row per user at most, instead
-- of every attempt the user ever made through quiz_attempts_user.
CREATE INDEX quiz_attempts_unfinished ON quiz_attempts (user_id, started_at DESC)
    WHERE finished_at IS NULL AND abandoned_at IS NULL;

-- +goose Down
DROP INDEX quiz_attempts_unfinished;
