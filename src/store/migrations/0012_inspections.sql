-- Inspection and supervision (kiểm tra, giám sát) by the Inspection
-- Committee (issue 13, item 4): an inspection of a party cell or a party
-- member, its required actions with deadlines and their follow-up, its
-- attachments, and an append-only history of every change.
--
-- The subject is named by its code (and its name as it was when entered),
-- not by a foreign key: an inspection outlives a member who leaves.
-- `version` counts the inspection's (an action's) changes: an edit names
-- the version it was made from, a stale one is refused (409).
CREATE TABLE inspections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('cell', 'member')),
    subject_code  TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('inspection', 'supervision')),
    held_on       TEXT NOT NULL,                  -- YYYY-MM-DD
    scope         TEXT NOT NULL,
    findings      TEXT NOT NULL,
    conclusion    TEXT NOT NULL DEFAULT '',
    entered_at    TEXT NOT NULL,                  -- RFC 3339, UTC
    entered_by    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX inspections_subject ON inspections(subject_kind, subject_code);

CREATE TABLE inspection_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection  INTEGER NOT NULL REFERENCES inspections(id),
    text        TEXT NOT NULL,
    deadline    TEXT NOT NULL,                    -- YYYY-MM-DD
    done_on     TEXT,                             -- YYYY-MM-DD
    follow_up   TEXT NOT NULL DEFAULT '',
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX inspection_actions_inspection ON inspection_actions(inspection);

-- Scans and photos of the minutes (the parcels' `attachments` are tied to
-- a parcel): the same checks (PDF, JPEG, PNG, WebP by their bytes; size
-- limit; SHA-256).
CREATE TABLE inspection_attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection  INTEGER NOT NULL REFERENCES inspections(id),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
) STRICT;
CREATE INDEX inspection_attachments_inspection ON inspection_attachments(inspection);

-- Every change, with the values it left (JSON), who made it and when.
CREATE TABLE inspection_history (
    id          INTEGER PRIMARY KEY,
    inspection  INTEGER NOT NULL REFERENCES inspections(id),
    action      INTEGER REFERENCES inspection_actions(id),
    what        TEXT NOT NULL CHECK (what IN ('created', 'edited', 'action_added', 'action_followed_up', 'attached')),
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL
) STRICT;
CREATE INDEX inspection_history_inspection ON inspection_history(inspection);

CREATE TRIGGER inspection_history_no_update BEFORE UPDATE ON inspection_history
BEGIN
    SELECT RAISE(ABORT, 'lịch sử kiểm tra, giám sát chỉ được ghi thêm / the inspection history is append-only: never updated');
END;
CREATE TRIGGER inspection_history_no_delete BEFORE DELETE ON inspection_history
BEGIN
    SELECT RAISE(ABORT, 'lịch sử kiểm tra, giám sát chỉ được ghi thêm / the inspection history is append-only: never deleted');
END;
