-- +goose Up
-- The officials' notices of a report submitted or amended (issue 4) are the
-- scheduler's deliveries: planned in the submission's transaction, one per
-- active official, sent by the river jobs that send reminders, with their
-- rate limit, retries and states. Each submission is an occurrence of the
-- rule report-submitted or report-amended, its subject the receipt, so a
-- version is announced once to each official whatever happens.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
    CHECK (kind IN ('deadline', 'overdue', 'digest', 'escalation', 'nudge', 'report'));
-- The version announced (kind report): the notice is written from it when sent.
ALTER TABLE deliveries ADD COLUMN report_version int;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN report_version;
DELETE FROM deliveries WHERE kind = 'report';
DELETE FROM reminder_occurrences WHERE rule IN ('report-submitted', 'report-amended');
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
    CHECK (kind IN ('deadline', 'overdue', 'digest', 'escalation', 'nudge'));
