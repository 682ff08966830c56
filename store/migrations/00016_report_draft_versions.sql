-- +goose Up
-- A draft's version is what a focal point's review is checked against when
-- they send or drop it. A new draft used to start again at 1, so once a
-- draft was sent or dropped, the next one (an amendment) came to the same
-- numbers, and a review of the old draft sent the new one. The last version
-- of the unit's last draft for the period, sent or dropped, is kept with
-- the report, and a new draft goes on from it: a version names one draft.
ALTER TABLE reports ADD COLUMN last_draft_version bigint NOT NULL DEFAULT 0;

-- The drafts gone already: every change of a draft is in the audit log with
-- its version (a draft never changed was at 1).
UPDATE reports r SET last_draft_version = greatest(1, (
    SELECT max((a.detail ->> 'draft_version')::bigint) FROM report_audit a
    WHERE a.unit_code = r.unit_code AND a.period_id = r.period_id AND a.detail ? 'draft_version'));

-- An amendment under way was numbered from 1 too: moved above, so a review
-- of an older draft written before this migration no longer matches it.
-- answered keeps its numbers: they stay below every version from now on,
-- so what was answered after a view is still found by them.
UPDATE report_drafts d SET version = d.version + r.last_draft_version
    FROM reports r WHERE r.unit_code = d.unit_code AND r.period_id = d.period_id;

-- +goose Down
ALTER TABLE reports DROP COLUMN last_draft_version;
