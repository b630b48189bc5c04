-- hiendat schema, version 3: every parcel's current status, materialised
-- from the event log so that current-state reads need not replay it. One
-- row per parcel whose log has an event that still counts: the status of
-- the last such event (by occurred_on, entered_at, id) and its date. A
-- parcel without a row is not contacted. Filled by the store when this
-- migration is applied and kept up to date by Store::append_event in the
-- same transaction; the log stays the record.

CREATE TABLE parcel_status (
    parcel    INTEGER PRIMARY KEY REFERENCES parcels(id),
    status    TEXT NOT NULL CHECK (status IN
                ('not_contacted', 'persuading', 'declined', 'agreed', 'signed', 'handed_over')),
    status_on TEXT NOT NULL                     -- YYYY-MM-DD: occurred_on of that event
) STRICT;
CREATE INDEX parcel_status_on ON parcel_status(status_on);

-- The current tallies the summaries read, from parcel_status and donations:
-- per segment and status, its donating parcels and their attributed area;
-- per residential group (0: parcels without one) and status, its parcels,
-- those affected (with a donation) and their donated area over all
-- segments. Rebuilt by every import, updated by Store::append_event for the
-- parcel's segments and group.
CREATE TABLE segment_tally (
    segment  INTEGER NOT NULL,
    status   TEXT NOT NULL,
    parcels  INTEGER NOT NULL,
    area_m2  REAL NOT NULL,
    PRIMARY KEY (segment, status)
) STRICT, WITHOUT ROWID;

CREATE TABLE group_tally (
    grp      INTEGER NOT NULL,
    status   TEXT NOT NULL,
    parcels  INTEGER NOT NULL,
    affected INTEGER NOT NULL,
    area_m2  REAL NOT NULL,
    PRIMARY KEY (grp, status)
) STRICT, WITHOUT ROWID;
