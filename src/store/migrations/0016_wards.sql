-- Many wards in one database (issue 18, item 2). Applied with foreign keys
-- off (src/store/mod.rs `migrate`, SQLite's 12-step procedure, checked by
-- `foreign_key_check` before it commits): the tables whose text ids become
-- unique per ward are rebuilt (SQLite cannot change a UNIQUE constraint),
-- keeping every row id, so every reference and every parcel version stays
-- as it was. The database's one ward becomes ward 1, from what `meta` said
-- of it; `store::wards::on_upgrade` then gives it its code and extent.

CREATE TABLE wards (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE            -- in URLs and --ward: 'ngoc-son'
                   CHECK (length(code) BETWEEN 1 AND 40 AND code NOT GLOB '*[^a-z0-9-]*'),
    name           TEXT NOT NULL,                  -- 'Ngọc Sơn' (letterhead, headers)
    kind           TEXT NOT NULL DEFAULT 'phuong' CHECK (kind IN ('phuong', 'xa', 'thi_tran')),
    town           TEXT,                           -- thành phố / thị xã / huyện
    crs            TEXT,                           -- PROJ string donations are measured in (was meta 'crs')
    imports        INTEGER NOT NULL DEFAULT 0,     -- was meta 'imports'    } data_version
    last_event     INTEGER NOT NULL DEFAULT 0,     -- kept by events_ward_last } "imports.events.paperwork"
    paperwork      INTEGER NOT NULL DEFAULT 0,     -- was meta 'paperwork'  } per ward
    outlines_stale INTEGER NOT NULL DEFAULT 0 CHECK (outlines_stale IN (0, 1)),
    min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,   -- extent, kept by imports
    outline        BLOB,                           -- WKB MultiPolygon (union of group outlines)
    created_at     TEXT NOT NULL
) STRICT;

INSERT INTO wards (id, code, name, crs, imports, last_event, paperwork, outlines_stale, created_at)
VALUES (1, '1',
        coalesce((SELECT value FROM meta WHERE key = 'ward'), '(chưa đặt tên)'),
        (SELECT value FROM meta WHERE key = 'crs'),
        coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'imports'), 0),
        (SELECT coalesce(max(id), 0) FROM events),
        coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'paperwork'), 0),
        EXISTS (SELECT 1 FROM meta WHERE key = 'outlines_stale'),
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
DELETE FROM meta WHERE key IN ('ward', 'crs', 'imports', 'paperwork', 'outlines_stale');

-- 1. residential groups
CREATE TABLE residential_groups_v16 (
    id      INTEGER PRIMARY KEY,
    ward    INTEGER NOT NULL REFERENCES wards(id),
    name    TEXT NOT NULL,
    outline BLOB,
    UNIQUE (ward, name)
) STRICT;
INSERT INTO residential_groups_v16 (id, ward, name, outline)
    SELECT id, 1, name, outline FROM residential_groups;
DROP TABLE residential_groups;
ALTER TABLE residential_groups_v16 RENAME TO residential_groups;

-- 2. segments
CREATE TABLE segments_v16 (
    id               INTEGER PRIMARY KEY,
    ward             INTEGER NOT NULL REFERENCES wards(id),
    fid              TEXT NOT NULL,             -- the id as the file gave it
    fid_is_number    INTEGER NOT NULL CHECK (fid_is_number IN (0, 1)),
    name             TEXT NOT NULL,
    current_width_m  REAL,
    planned_width_m  REAL,
    planned_left_m   REAL,
    planned_right_m  REAL,
    centerline       BLOB NOT NULL,             -- WKB MultiLineString
    corridor         BLOB,                      -- WKB MultiPolygon, the planned right-of-way when given
    geometry_hash    INTEGER NOT NULL,          -- of centerline, corridor and widths
    outline          BLOB,
    UNIQUE (ward, fid)
) STRICT;
INSERT INTO segments_v16 (id, ward, fid, fid_is_number, name, current_width_m, planned_width_m,
        planned_left_m, planned_right_m, centerline, corridor, geometry_hash, outline)
    SELECT id, 1, fid, fid_is_number, name, current_width_m, planned_width_m,
        planned_left_m, planned_right_m, centerline, corridor, geometry_hash, outline FROM segments;
DROP TABLE segments;
ALTER TABLE segments_v16 RENAME TO segments;

-- 3. parcels (its index and its two version triggers go with it: recreated verbatim)
CREATE TABLE parcels_v16 (
    id                INTEGER PRIMARY KEY,
    ward              INTEGER NOT NULL REFERENCES wards(id),
    fid               TEXT NOT NULL,
    fid_is_number     INTEGER NOT NULL CHECK (fid_is_number IN (0, 1)),
    map_sheet         TEXT,
    parcel_no         TEXT,
    owner             TEXT,
    land_use          TEXT,
    legal_area_m2     REAL,
    residential_group INTEGER REFERENCES residential_groups(id),
    geometry          BLOB NOT NULL,            -- WKB MultiPolygon
    geometry_hash     INTEGER NOT NULL,
    UNIQUE (ward, fid)
) STRICT;
INSERT INTO parcels_v16 (id, ward, fid, fid_is_number, map_sheet, parcel_no, owner, land_use,
        legal_area_m2, residential_group, geometry, geometry_hash)
    SELECT id, 1, fid, fid_is_number, map_sheet, parcel_no, owner, land_use,
        legal_area_m2, residential_group, geometry, geometry_hash FROM parcels;
DROP TABLE parcels;
ALTER TABLE parcels_v16 RENAME TO parcels;
CREATE INDEX parcels_group ON parcels(residential_group);

CREATE TRIGGER parcels_version_new AFTER INSERT ON parcels
BEGIN
    INSERT OR IGNORE INTO parcel_versions (parcel, version, changed_at)
    VALUES (NEW.id, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;

CREATE TRIGGER parcels_version_edit AFTER UPDATE ON parcels
WHEN OLD.map_sheet IS NOT NEW.map_sheet OR OLD.parcel_no IS NOT NEW.parcel_no
  OR OLD.owner IS NOT NEW.owner OR OLD.land_use IS NOT NEW.land_use
  OR OLD.residential_group IS NOT NEW.residential_group OR OLD.geometry_hash IS NOT NEW.geometry_hash
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = NEW.id;
END;

-- 4. party cells
CREATE TABLE party_cells_v16 (
    id        INTEGER PRIMARY KEY,
    ward      INTEGER NOT NULL REFERENCES wards(id),
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    secretary TEXT,
    UNIQUE (ward, code)
) STRICT;
INSERT INTO party_cells_v16 (id, ward, code, name, secretary)
    SELECT id, 1, code, name, secretary FROM party_cells;
DROP TABLE party_cells;
ALTER TABLE party_cells_v16 RENAME TO party_cells;

-- 5. party members
CREATE TABLE party_members_v16 (
    id        INTEGER PRIMARY KEY,
    ward      INTEGER NOT NULL REFERENCES wards(id),
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    cell      INTEGER NOT NULL REFERENCES party_cells(id),
    role      TEXT,
    household INTEGER REFERENCES parcels(id),   -- the member's own household's parcel
    UNIQUE (ward, code)
) STRICT;
INSERT INTO party_members_v16 (id, ward, code, name, cell, role, household)
    SELECT id, 1, code, name, cell, role, household FROM party_members;
DROP TABLE party_members;
ALTER TABLE party_members_v16 RENAME TO party_members;

-- 6. records: the ward last (its parcel's), so the old columns keep their order
CREATE TABLE records_v16 (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    number      TEXT NOT NULL,
    signed_on   TEXT NOT NULL,                  -- YYYY-MM-DD
    signatories TEXT NOT NULL,                  -- one name per line
    witness     TEXT NOT NULL,
    attachment  INTEGER REFERENCES attachments(id),
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    ward        INTEGER NOT NULL REFERENCES wards(id),
    UNIQUE (ward, number)
) STRICT;
INSERT INTO records_v16 (id, parcel, number, signed_on, signatories, witness, attachment,
        entered_at, entered_by, ward)
    SELECT r.id, r.parcel, r.number, r.signed_on, r.signatories, r.witness, r.attachment,
        r.entered_at, r.entered_by, p.ward
    FROM records r JOIN parcels p ON p.id = r.parcel;
DROP TABLE records;
ALTER TABLE records_v16 RENAME TO records;
CREATE INDEX records_parcel ON records(parcel);

CREATE TRIGGER records_version AFTER INSERT ON records
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;

-- 7. evaluation thresholds (ward last)
CREATE TABLE evaluation_thresholds_v16 (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    thresholds  TEXT NOT NULL,                 -- JSON of the bands' minimums
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,                 -- RFC 3339, UTC
    ward        INTEGER NOT NULL REFERENCES wards(id),
    UNIQUE (ward, year, version)
) STRICT;
INSERT INTO evaluation_thresholds_v16 (id, year, version, thresholds, set_by, set_at, ward)
    SELECT id, year, version, thresholds, set_by, set_at, 1 FROM evaluation_thresholds;
DROP TABLE evaluation_thresholds;
ALTER TABLE evaluation_thresholds_v16 RENAME TO evaluation_thresholds;

CREATE TRIGGER evaluation_thresholds_no_update BEFORE UPDATE ON evaluation_thresholds
BEGIN
    SELECT RAISE(ABORT, 'lịch sử ngưỡng đánh giá chỉ được ghi thêm / the evaluation thresholds history is append-only: never updated');
END;

CREATE TRIGGER evaluation_thresholds_no_delete BEFORE DELETE ON evaluation_thresholds
BEGIN
    SELECT RAISE(ABORT, 'lịch sử ngưỡng đánh giá chỉ được ghi thêm / the evaluation thresholds history is append-only: never deleted');
END;

-- 8. evaluation ratings (ward last)
CREATE TABLE evaluation_ratings_v16 (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('member', 'cell')),
    subject     TEXT NOT NULL,                 -- member code / cell code
    version     INTEGER NOT NULL CHECK (version >= 1),
    band        TEXT NOT NULL CHECK (band IN ('excellent', 'good', 'completed', 'not_completed')),
    note        TEXT,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,                 -- RFC 3339, UTC
    ward        INTEGER NOT NULL REFERENCES wards(id),
    UNIQUE (ward, year, kind, subject, version)
) STRICT;
INSERT INTO evaluation_ratings_v16 (id, year, kind, subject, version, band, note, decided_by,
        decided_at, ward)
    SELECT id, year, kind, subject, version, band, note, decided_by, decided_at, 1
    FROM evaluation_ratings;
DROP TABLE evaluation_ratings;
ALTER TABLE evaluation_ratings_v16 RENAME TO evaluation_ratings;

CREATE TRIGGER evaluation_ratings_no_update BEFORE UPDATE ON evaluation_ratings
BEGIN
    SELECT RAISE(ABORT, 'lịch sử xếp loại chỉ được ghi thêm / the ratings history is append-only: never updated');
END;

CREATE TRIGGER evaluation_ratings_no_delete BEFORE DELETE ON evaluation_ratings
BEGIN
    SELECT RAISE(ABORT, 'lịch sử xếp loại chỉ được ghi thêm / the ratings history is append-only: never deleted');
END;

-- Columns added without a rebuild: old rows are not rewritten (the default
-- lives in the schema), so frozen documents and logs stay as they were.
ALTER TABLE users          ADD COLUMN ward INTEGER REFERENCES wards(id);  -- NULL: province-level
-- the ward's staff stay the ward's; admins (whoever set the database up) manage it all
UPDATE users SET ward = 1 WHERE role <> 'admin';
ALTER TABLE frozen_reports ADD COLUMN ward INTEGER NOT NULL DEFAULT 1;
ALTER TABLE access_log     ADD COLUMN ward INTEGER DEFAULT 1;            -- NULL: a province-level read
ALTER TABLE plans          ADD COLUMN ward INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inspections    ADD COLUMN ward INTEGER NOT NULL DEFAULT 1;
ALTER TABLE org_changes    ADD COLUMN ward INTEGER NOT NULL DEFAULT 1;

DROP INDEX inspections_subject;
CREATE INDEX inspections_subject ON inspections(ward, subject_kind, subject_code);
DROP INDEX org_changes_item;
CREATE INDEX org_changes_item ON org_changes(ward, what, item);
CREATE INDEX plans_ward ON plans(ward);
CREATE INDEX frozen_reports_ward ON frozen_reports(ward, issued_on);
CREATE INDEX access_log_ward ON access_log(ward, at);
CREATE INDEX users_ward ON users(ward);

-- data_version per ward: the ward's last event, kept as events are appended
CREATE TRIGGER events_ward_last AFTER INSERT ON events
BEGIN
    UPDATE wards SET last_event = NEW.id
    WHERE id = (SELECT ward FROM parcels WHERE id = NEW.parcel);
END;

-- A feature never changes ward, and links never cross wards: a scoping
-- slip in the store is an error, never a silent write into another ward.
CREATE TRIGGER parcels_ward_fixed BEFORE UPDATE OF ward ON parcels
WHEN OLD.ward IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'thửa đất không chuyển sang phường khác / a parcel never moves to another ward');
END;

CREATE TRIGGER segments_ward_fixed BEFORE UPDATE OF ward ON segments
WHEN OLD.ward IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'đoạn tuyến không chuyển sang phường khác / a segment never moves to another ward');
END;

CREATE TRIGGER residential_groups_ward_fixed BEFORE UPDATE OF ward ON residential_groups
WHEN OLD.ward IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'tổ dân phố không chuyển sang phường khác / a residential group never moves to another ward');
END;

CREATE TRIGGER party_cells_ward_fixed BEFORE UPDATE OF ward ON party_cells
WHEN OLD.ward IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'chi bộ không chuyển sang phường khác / a party cell never moves to another ward');
END;

CREATE TRIGGER party_members_ward_fixed BEFORE UPDATE OF ward ON party_members
WHEN OLD.ward IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'đảng viên không chuyển sang phường khác / a party member never moves to another ward');
END;

CREATE TRIGGER donations_one_ward BEFORE INSERT ON donations
WHEN (SELECT ward FROM parcels WHERE id = NEW.parcel) IS NOT (SELECT ward FROM segments WHERE id = NEW.segment)
BEGIN
    SELECT RAISE(ABORT, 'thửa đất và đoạn tuyến thuộc hai phường / parcel and segment in two wards');
END;

CREATE TRIGGER parcels_group_one_ward BEFORE INSERT ON parcels
WHEN NEW.residential_group IS NOT NULL
 AND (SELECT ward FROM residential_groups WHERE id = NEW.residential_group) IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'thửa đất thuộc tổ dân phố của phường khác / a parcel in another ward''s residential group');
END;

CREATE TRIGGER parcels_group_one_ward_edit BEFORE UPDATE OF residential_group ON parcels
WHEN NEW.residential_group IS NOT NULL
 AND (SELECT ward FROM residential_groups WHERE id = NEW.residential_group) IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'thửa đất thuộc tổ dân phố của phường khác / a parcel in another ward''s residential group');
END;

CREATE TRIGGER cell_groups_one_ward BEFORE INSERT ON cell_groups
WHEN (SELECT ward FROM party_cells WHERE id = NEW.cell)
     IS NOT (SELECT ward FROM residential_groups WHERE id = NEW.residential_group)
BEGIN
    SELECT RAISE(ABORT, 'chi bộ và tổ dân phố thuộc hai phường / party cell and residential group in two wards');
END;

CREATE TRIGGER party_members_one_ward BEFORE INSERT ON party_members
WHEN (SELECT ward FROM party_cells WHERE id = NEW.cell) IS NOT NEW.ward
  OR (NEW.household IS NOT NULL AND (SELECT ward FROM parcels WHERE id = NEW.household) IS NOT NEW.ward)
BEGIN
    SELECT RAISE(ABORT, 'đảng viên, chi bộ và hộ gia đình thuộc hai phường / party member, cell and household in two wards');
END;

CREATE TRIGGER party_members_one_ward_edit BEFORE UPDATE OF cell, household ON party_members
WHEN (SELECT ward FROM party_cells WHERE id = NEW.cell) IS NOT NEW.ward
  OR (NEW.household IS NOT NULL AND (SELECT ward FROM parcels WHERE id = NEW.household) IS NOT NEW.ward)
BEGIN
    SELECT RAISE(ABORT, 'đảng viên, chi bộ và hộ gia đình thuộc hai phường / party member, cell and household in two wards');
END;

CREATE TRIGGER assignments_one_ward BEFORE INSERT ON assignments
WHEN (SELECT ward FROM party_members WHERE id = NEW.member)
     IS NOT (SELECT ward FROM parcels WHERE id = NEW.parcel)
BEGIN
    SELECT RAISE(ABORT, 'đảng viên và thửa đất thuộc hai phường / party member and parcel in two wards');
END;

CREATE TRIGGER records_one_ward BEFORE INSERT ON records
WHEN (SELECT ward FROM parcels WHERE id = NEW.parcel) IS NOT NEW.ward
BEGIN
    SELECT RAISE(ABORT, 'biên bản và thửa đất thuộc hai phường / record and parcel in two wards');
END;
