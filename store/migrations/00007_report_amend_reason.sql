-- +goose Up
-- The reason of an amendment is asked when the amendment starts, before any
-- answer is changed, and kept with the draft until it is submitted: two
-- focal points of a unit share it, and it survives a lost conversation.
ALTER TABLE report_drafts ADD COLUMN reason text NOT NULL DEFAULT '';

-- Officials are told of every report; they are found by their role.
CREATE INDEX report_roles_official ON report_roles (user_id) WHERE role = 'official' AND revoked_at IS NULL;

-- +goose Down
DROP INDEX report_roles_official;
ALTER TABLE report_drafts DROP COLUMN reason;
