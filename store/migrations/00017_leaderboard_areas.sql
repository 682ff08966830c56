-- +goose Up
-- The leaderboard counts as passed the users who passed an area's test, as
-- /progress does: a quick test (area '') passes no area. The query reads the
-- area then, so the participation indexes include it, and both views still
-- read only an index (see 00004).
DROP INDEX quiz_attempts_participation_month;
DROP INDEX quiz_attempts_participation_user;
CREATE INDEX quiz_attempts_participation_month ON quiz_attempts (finished_at, user_id) INCLUDE (passed, area)
    WHERE finished_at IS NOT NULL;
CREATE INDEX quiz_attempts_participation_user ON quiz_attempts (user_id) INCLUDE (passed, area)
    WHERE finished_at IS NOT NULL;

-- +goose Down
DROP INDEX quiz_attempts_participation_user;
DROP INDEX quiz_attempts_participation_month;
CREATE INDEX quiz_attempts_participation_month ON quiz_attempts (finished_at, user_id) INCLUDE (passed)
    WHERE finished_at IS NOT NULL;
CREATE INDEX quiz_attempts_participation_user ON quiz_attempts (user_id) INCLUDE (passed)
    WHERE finished_at IS NOT NULL;
