-- +goose Up
-- The reminders, digests and nudges the scheduler plans and sends (issue 5).
-- River's own tables (river_job…) hold the jobs that send them; these hold
-- what was decided, once, and what became of it.

-- One firing of a rule, planned once: the planner inserts it first, and
-- only the transaction that inserted it plans its deliveries. subject tells
-- occurrences of a rule at one time apart ("annual-2025:commune").
CREATE TABLE reminder_occurrences (
    rule       text        NOT NULL,
    occurs_at  timestamptz NOT NULL,        -- the time the rule names, before quiet hours
    subject    text        NOT NULL,
    send_at    timestamptz NOT NULL,        -- after quiet hours
    planned_at timestamptz NOT NULL,
    planned_by text        NOT NULL,        -- "planner", or "remind --at …"
    deliveries int         NOT NULL DEFAULT 0,
    PRIMARY KEY (rule, occurs_at, subject)
);

-- One message (or a few: a digest) for one recipient of an occurrence.
-- state: planned (a job will send it), sending (an attempt is under way;
-- found so by the next attempt, the message may have gone: uncertain),
-- sent, cancelled (no longer due: the unit submitted, the role ended,
-- nothing to nudge about), blocked (the recipient blocked the bot, or has
-- no account), unreachable (on Zalo only, silent for 7 days, and no
-- template could carry it), failed (gave up; reason says why).
CREATE TABLE deliveries (
    id          bigserial   PRIMARY KEY,
    rule        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('deadline', 'overdue', 'digest', 'escalation', 'nudge')),
    occurs_at   timestamptz NOT NULL,
    send_at     timestamptz NOT NULL,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject     text        NOT NULL,       -- the occurrence's subject
    unit_code   text,                       -- deadline and overdue
    period_id   text,                       -- deadline, overdue, escalation
    due_on      date,                       -- the period's due date for the unit's kind
    state       text        NOT NULL DEFAULT 'planned'
                CHECK (state IN ('planned', 'sending', 'sent', 'cancelled', 'blocked', 'unreachable', 'failed')),
    reason      text        NOT NULL DEFAULT '',
    attempts    int         NOT NULL DEFAULT 0,
    parts_sent  int         NOT NULL DEFAULT 0,   -- of a reply of several messages, those sent
    uncertain   boolean     NOT NULL DEFAULT false,
    channel     text,                       -- where it went: set when sent or tried
    chat_id     text,
    lang        text,
    planned_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    FOREIGN KEY (rule, occurs_at, subject) REFERENCES reminder_occurrences (rule, occurs_at, subject)
);
-- One delivery per recipient of an occurrence (per unit, for a focal point
-- of several units).
CREATE UNIQUE INDEX deliveries_once ON deliveries (rule, occurs_at, subject, user_id, coalesce(unit_code, ''));
CREATE INDEX deliveries_state ON deliveries (state, rule);
CREATE INDEX deliveries_user ON deliveries (user_id);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE reminder_occurrences;
