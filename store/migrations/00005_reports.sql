-- +goose Up
-- The units' plans and progress reports (issue 4). Periods and forms are
-- configuration (flows/report/config); these tables hold who may report for
-- which unit, and everything reported. Nothing here is ever overwritten in
-- place: a submitted report gets new versions, every change of a draft is
-- in the audit log. When a person erases their data (users row deleted),
-- their roles go with them, but what they reported for their unit stays,
-- no longer linked to them (ON DELETE SET NULL).

-- A participating unit. kind is one of flows/report/config.Kinds (section
-- II.1.a of Decision 1470/QĐ-UBND); a new kind needs this CHECK changed too.
CREATE TABLE units (
    code       text PRIMARY KEY,            -- an official code ("03670") or one the admin chose ("SNV")
    name       text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN
                   ('party', 'department', 'armed', 'front', 'public_service', 'commune', 'enterprise')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX units_kind ON units (kind);

-- A one-time code an admin hands out: whoever opens it becomes a focal
-- point of the unit, or an official. Only the code's SHA-256 is kept.
CREATE TABLE report_invites (
    id         bigserial PRIMARY KEY,
    code_hash  bytea       NOT NULL UNIQUE,
    role       text        NOT NULL CHECK (role IN ('focal', 'official')),
    unit_code  text        REFERENCES units (code),
    created_by text        NOT NULL,        -- the admin, as named on the command line
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,                 -- set once: a code is used at most once
    used_by    bigint      REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((role = 'focal') = (unit_code IS NOT NULL)),
    CHECK (expires_at > created_at)
);

-- Who may act: a focal point of a unit (several per unit are fine), or an
-- official of Sở Nội vụ / Sở Khoa học và Công nghệ (no unit). Revoking sets
-- revoked_at; rows are not deleted.
CREATE TABLE report_roles (
    id         bigserial PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('focal', 'official')),
    unit_code  text        REFERENCES units (code),
    invite_id  bigint      REFERENCES report_invites (id),
    granted_by text        NOT NULL,        -- "invite" or the admin
    granted_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_by text,
    CHECK ((role = 'focal') = (unit_code IS NOT NULL))
);
CREATE UNIQUE INDEX report_roles_active ON report_roles (user_id, role, coalesce(unit_code, ''))
    WHERE revoked_at IS NULL;
CREATE INDEX report_roles_unit ON report_roles (unit_code) WHERE revoked_at IS NULL;

-- Every form version drafts and reports were made with, as shipped: the
-- answers of an old report can always be read with their own form.
CREATE TABLE report_forms (
    form_id     text        NOT NULL,
    version     int         NOT NULL CHECK (version >= 1),
    hash        text        NOT NULL,       -- config.Form.Hash: the content, comments aside
    content     bytea       NOT NULL,       -- the YAML file
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- The report a unit is writing for a period: one per unit and period,
-- shared by its focal points. answers maps a field key to its value (JSON of
-- config.Value); answered maps a field key to the draft version that last
-- set it, so that two focal points editing different fields never conflict
-- and editing the same one never overwrites silently. A draft started
-- after a report was submitted holds that report's answers and amends it
-- (base_version). Submitting deletes the draft.
CREATE TABLE report_drafts (
    unit_code    text        NOT NULL REFERENCES units (code),
    period_id    text        NOT NULL,
    form_id      text        NOT NULL,
    form_version int         NOT NULL,
    answers      jsonb       NOT NULL DEFAULT '{}',
    answered     jsonb       NOT NULL DEFAULT '{}',
    base_version int         NOT NULL DEFAULT 0,  -- the report version amended; 0 before the first submission
    version      bigint      NOT NULL DEFAULT 1,  -- bumped by every change: optimistic concurrency
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    updated_by   bigint      REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (unit_code, period_id),
    FOREIGN KEY (form_id, form_version) REFERENCES report_forms (form_id, version)
);

-- A unit's report for a period. seq numbers the period's reports in the
-- order they were first submitted: the receipt number.
CREATE TABLE reports (
    id                 bigserial PRIMARY KEY,
    unit_code          text        NOT NULL REFERENCES units (code),
    period_id          text        NOT NULL,
    seq                int         NOT NULL,
    current_version    int         NOT NULL,
    first_submitted_at timestamptz NOT NULL,
    UNIQUE (unit_code, period_id),
    UNIQUE (period_id, seq)
);

-- The last seq given in each period.
CREATE TABLE report_counters (
    period_id text PRIMARY KEY,
    last_seq  int NOT NULL
);

-- Every submitted version of a report, never changed. Lateness is counted
-- against the due date in force for the unit's kind when it was submitted,
-- in calendar days in Asia/Ho_Chi_Minh.
CREATE TABLE report_versions (
    report_id    bigint      NOT NULL REFERENCES reports (id),
    version      int         NOT NULL CHECK (version >= 1),
    receipt      text        NOT NULL UNIQUE,   -- "<period>-<seq>.<version>": "annual-2025-0007.2"
    form_id      text        NOT NULL,
    form_version int         NOT NULL,
    answers      jsonb       NOT NULL,
    submitted_at timestamptz NOT NULL,
    submitted_by bigint      REFERENCES users (id) ON DELETE SET NULL,
    due_on       date        NOT NULL,
    days_late    int         NOT NULL CHECK (days_late >= 0),
    reason       text,                          -- why it was amended: required from version 2 on
    PRIMARY KEY (report_id, version),
    FOREIGN KEY (form_id, form_version) REFERENCES report_forms (form_id, version),
    CHECK ((version = 1) = (reason IS NULL))
);

-- An attached file, stored once by its content.
CREATE TABLE report_attachments (
    sha256      text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint      NOT NULL,
    mime        text        NOT NULL,
    name        text        NOT NULL,           -- as first received
    content     bytea       NOT NULL,
    uploaded_by bigint      REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at timestamptz NOT NULL,
    CHECK (size = length(content))
);

-- Who did what: units imported, invites made and used, roles granted and
-- revoked, every draft answer (old and new value), reports submitted and
-- amended, files received.
CREATE TABLE report_audit (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL,
    user_id   bigint      REFERENCES users (id) ON DELETE SET NULL,
    actor     text        NOT NULL DEFAULT '',  -- who, when not a user of the bot: the admin
    action    text        NOT NULL,
    unit_code text,
    period_id text,
    detail    jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX report_audit_unit ON report_audit (unit_code, at);

-- +goose Down
DROP TABLE report_audit;
DROP TABLE report_attachments;
DROP TABLE report_versions;
DROP TABLE report_counters;
DROP TABLE reports;
DROP TABLE report_drafts;
DROP TABLE report_forms;
DROP TABLE report_roles;
DROP TABLE report_invites;
DROP TABLE units;
