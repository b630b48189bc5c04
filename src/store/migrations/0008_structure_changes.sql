-- Structures recorded from the page and the API (issue 14, item 3): each
-- change of a structure on a parcel's land is kept, append-only, with the
-- full values it left, the day it took effect, who entered it and when.
-- `structures` stays the current state, kept in step in the same write
-- transaction; a structure without history rows (imported from a file or
-- by the demo) stands from the beginning as it is.

-- Structure ids are stable and never given again (AUTOINCREMENT): a
-- removed structure's history must not be read as a new one's.
CREATE TABLE structures_stable (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    parcel    INTEGER NOT NULL REFERENCES parcels(id),
    kind      TEXT NOT NULL,                    -- wall, gate, house front, awning, tree...
    quantity  REAL,
    unit      TEXT,
    value_vnd INTEGER,
    donated   INTEGER NOT NULL DEFAULT 0 CHECK (donated IN (0, 1))
) STRICT;
INSERT INTO structures_stable (id, parcel, kind, quantity, unit, value_vnd, donated)
    SELECT id, parcel, kind, quantity, unit, value_vnd, donated FROM structures;
DROP TABLE structures;
ALTER TABLE structures_stable RENAME TO structures;
CREATE INDEX structures_parcel ON structures(parcel);

-- `what`: 'imported' holds the values an imported structure had before its
-- first change (effective NULL: from the beginning); 'added', 'edited',
-- 'removed' take effect on `effective` (YYYY-MM-DD). `structure` is not a
-- foreign key: a removed structure leaves `structures`, its history stays.
CREATE TABLE structure_changes (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    structure   INTEGER NOT NULL,
    what        TEXT NOT NULL CHECK (what IN ('imported', 'added', 'edited', 'removed')),
    kind        TEXT NOT NULL,
    quantity    REAL,
    unit        TEXT,
    value_vnd   INTEGER,
    donated     INTEGER NOT NULL CHECK (donated IN (0, 1)),
    effective   TEXT CHECK ((what = 'imported') = (effective IS NULL)),
    entered_at  TEXT NOT NULL,                  -- RFC 3339, UTC
    entered_by  TEXT NOT NULL,
    note        TEXT
) STRICT;
CREATE INDEX structure_changes_parcel ON structure_changes(parcel, structure);

CREATE TRIGGER structure_changes_no_update BEFORE UPDATE ON structure_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử công trình trên đất chỉ được ghi thêm / the structure history is append-only: never updated');
END;
CREATE TRIGGER structure_changes_no_delete BEFORE DELETE ON structure_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử công trình trên đất chỉ được ghi thêm / the structure history is append-only: never deleted');
END;
