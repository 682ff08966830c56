-- +goose Up
-- The weekly learning nudge (issue 5): a citizen who has not passed every
-- competence area of the quiz may ask for one reminder a week, and stop it
-- with one tap. One row per user who ever chose; no row means never asked
-- for (so no nudge). last_sent_at is the occurrence of the last nudge sent:
-- a nudge is claimed by a conditional update on it, so that it is never
-- sent twice within seven days, whatever the number of replicas.
CREATE TABLE nudge_prefs (
    user_id      bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    opted_in     boolean     NOT NULL,
    chosen_at    timestamptz NOT NULL,      -- when the user last turned it on or off
    last_sent_at timestamptz                -- the occurrence of the last nudge sent
);
-- The planner's question, "who is due?", reads only the opted-in rows.
CREATE INDEX nudge_prefs_due ON nudge_prefs (user_id) INCLUDE (last_sent_at) WHERE opted_in;

-- Which areas a user has passed, read per user by the planning query and
-- /nudge: a small index of the passed attempts alone, read without the heap.
CREATE INDEX quiz_attempts_passed_area ON quiz_attempts (user_id, area) WHERE passed;

-- +goose Down
DROP INDEX quiz_attempts_passed_area;
DROP TABLE nudge_prefs;
