-- hiendat schema, version 5: the campaign's organisation, consent records,
-- persuasion contacts, grievances, attachments, frozen reports and the log
-- of reads of sensitive data.

-- Party cells (chi bộ) and the residential groups each covers.
CREATE TABLE party_cells (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    secretary TEXT
) STRICT;

CREATE TABLE cell_groups (
    cell              INTEGER NOT NULL REFERENCES party_cells(id),
    residential_group INTEGER NOT NULL REFERENCES residential_groups(id),
    PRIMARY KEY (cell, residential_group)
) STRICT, WITHOUT ROWID;

CREATE TABLE party_members (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    cell      INTEGER NOT NULL REFERENCES party_cells(id),
    role      TEXT,
    household INTEGER REFERENCES parcels(id)    -- the member's own household's parcel
) STRICT;

-- Who persuades which household: from_date inclusive, to_date exclusive
-- (NULL while it lasts). A re-assignment ends the old row and adds a new
-- one, so the history stays.
CREATE TABLE assignments (
    id         INTEGER PRIMARY KEY,
    member     INTEGER NOT NULL REFERENCES party_members(id),
    parcel     INTEGER NOT NULL REFERENCES parcels(id),
    from_date  TEXT NOT NULL,
    to_date    TEXT,
    CHECK (to_date IS NULL OR to_date > from_date)
) STRICT;
CREATE INDEX assignments_parcel ON assignments(parcel, from_date);
CREATE INDEX assignments_member ON assignments(member);

-- Committee members in charge of an area: a residential group or a segment.
CREATE TABLE area_leads (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    title             TEXT,
    residential_group INTEGER REFERENCES residential_groups(id),
    segment           INTEGER REFERENCES segments(id),
    CHECK ((residential_group IS NULL) <> (segment IS NULL))
) STRICT;

-- Whether the household agreed to be named on a public commendation list.
ALTER TABLE households ADD COLUMN may_be_named INTEGER NOT NULL DEFAULT 0 CHECK (may_be_named IN (0, 1));

-- Uploaded files (scanned records, photos), kept in the database so that a
-- copy of the file is a copy of everything. Never updated.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT NOT NULL,                  -- hex, of content
    caption     TEXT,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,                  -- RFC 3339, UTC
    uploaded_by TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_parcel ON attachments(parcel);

-- Signed donation records (biên bản hiến đất). A parcel reaches `signed`
-- only with one on file.
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    number      TEXT NOT NULL UNIQUE,
    signed_on   TEXT NOT NULL,                  -- YYYY-MM-DD
    signatories TEXT NOT NULL,                  -- one name per line
    witness     TEXT NOT NULL,
    attachment  INTEGER REFERENCES attachments(id),
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL
) STRICT;
CREATE INDEX records_parcel ON records(parcel);

-- Persuasion visits, kept apart from consent: who visited, when, what was said.
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    parcel       INTEGER NOT NULL REFERENCES parcels(id),
    contacted_on TEXT NOT NULL,
    member       TEXT NOT NULL,                 -- who visited (a member's name or code)
    summary      TEXT NOT NULL,
    entered_at   TEXT NOT NULL,
    entered_by   TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_parcel ON contacts(parcel, contacted_on);

-- Grievances (kiến nghị) and their answers.
CREATE TABLE grievances (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    raised_on   TEXT NOT NULL,
    raised_by   TEXT NOT NULL,
    content     TEXT NOT NULL,
    answer      TEXT,
    answered_on TEXT,
    answered_by TEXT,
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    CHECK ((answer IS NULL) = (answered_on IS NULL))
) STRICT;
CREATE INDEX grievances_parcel ON grievances(parcel);

-- Reports as issued: the document (JSON of report::Report) is kept, never
-- changed, so that what was reported stays what was reported.
CREATE TABLE frozen_reports (
    id         INTEGER PRIMARY KEY,
    cut        TEXT NOT NULL,
    title      TEXT NOT NULL,
    as_of      TEXT NOT NULL,
    from_date  TEXT,
    issued_on  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    document   TEXT NOT NULL
) STRICT;

CREATE TRIGGER frozen_reports_no_update BEFORE UPDATE ON frozen_reports
BEGIN
    SELECT RAISE(ABORT, 'báo cáo đã chốt không được sửa / a frozen report is never changed');
END;
CREATE TRIGGER frozen_reports_no_delete BEFORE DELETE ON frozen_reports
BEGIN
    SELECT RAISE(ABORT, 'báo cáo đã chốt không được xóa / a frozen report is never deleted');
END;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'tệp đính kèm không được sửa / an attachment is never changed');
END;

-- Every read of sensitive data (party-member flags, assignments, contacts,
-- grievances, notes) by a user: who, when, what.
CREATE TABLE access_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user    TEXT NOT NULL,
    role    TEXT NOT NULL,
    what    TEXT NOT NULL,                      -- e.g. "parcel 12", "report member"
    detail  TEXT
) STRICT;
CREATE INDEX access_log_at ON access_log(at);
