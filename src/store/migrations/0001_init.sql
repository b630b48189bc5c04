-- hiendat schema, version 1. Geometry is WKB (little-endian) in WGS84 lon/lat.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE residential_groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE segments (
    id               INTEGER PRIMARY KEY,
    fid              TEXT NOT NULL UNIQUE,      -- the id as the file gave it
    fid_is_number    INTEGER NOT NULL CHECK (fid_is_number IN (0, 1)),
    name             TEXT NOT NULL,
    current_width_m  REAL,
    planned_width_m  REAL,
    planned_left_m   REAL,
    planned_right_m  REAL,
    centerline       BLOB NOT NULL,             -- WKB MultiLineString
    corridor         BLOB,                      -- WKB MultiPolygon, the planned right-of-way when given
    geometry_hash    INTEGER NOT NULL           -- of centerline, corridor and widths
) STRICT;

CREATE TABLE parcels (
    id                INTEGER PRIMARY KEY,
    fid               TEXT NOT NULL UNIQUE,
    fid_is_number     INTEGER NOT NULL CHECK (fid_is_number IN (0, 1)),
    map_sheet         TEXT,
    parcel_no         TEXT,
    owner             TEXT,
    land_use          TEXT,
    legal_area_m2     REAL,
    residential_group INTEGER REFERENCES residential_groups(id),
    geometry          BLOB NOT NULL,            -- WKB MultiPolygon
    geometry_hash     INTEGER NOT NULL
) STRICT;
CREATE INDEX parcels_group ON parcels(residential_group);

-- Parcel bounding boxes (lon/lat) for viewport queries; id = parcels.id.
CREATE VIRTUAL TABLE parcel_bbox USING rtree(id, min_lon, max_lon, min_lat, max_lat);

CREATE TABLE households (
    id               INTEGER PRIMARY KEY,
    parcel           INTEGER NOT NULL REFERENCES parcels(id),
    head_name        TEXT NOT NULL,
    address          TEXT,
    phone            TEXT,
    is_member_family INTEGER NOT NULL DEFAULT 0 CHECK (is_member_family IN (0, 1)),
    UNIQUE (parcel, head_name)
) STRICT;

CREATE TABLE structures (
    id        INTEGER PRIMARY KEY,
    parcel    INTEGER NOT NULL REFERENCES parcels(id),
    kind      TEXT NOT NULL,                    -- wall, gate, house front, awning, tree...
    quantity  REAL,
    unit      TEXT,
    value_vnd INTEGER,
    donated   INTEGER NOT NULL DEFAULT 0 CHECK (donated IN (0, 1))
) STRICT;
CREATE INDEX structures_parcel ON structures(parcel);

-- Materialised from the engine: one row per parcel and segment whose corridor
-- holds more than compute::MIN_PAIR_AREA_M2 of the parcel.
CREATE TABLE donations (
    parcel              INTEGER NOT NULL REFERENCES parcels(id),
    segment             INTEGER NOT NULL REFERENCES segments(id),
    area_in_corridor_m2 REAL NOT NULL,
    attributed_area_m2  REAL NOT NULL,
    frontage_m          REAL NOT NULL,
    depth_mean_m        REAL NOT NULL,
    depth_max_m         REAL NOT NULL,
    PRIMARY KEY (parcel, segment)
) STRICT, WITHOUT ROWID;
CREATE INDEX donations_segment ON donations(segment);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash TEXT NOT NULL                 -- argon2 PHC string
) STRICT;

-- The campaign event log: append-only (see the triggers below).
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    parcel       INTEGER NOT NULL REFERENCES parcels(id),
    status       TEXT NOT NULL CHECK (status IN
                   ('not_contacted', 'persuading', 'declined', 'agreed', 'signed', 'handed_over')),
    occurred_on  TEXT NOT NULL,                 -- YYYY-MM-DD
    entered_at   TEXT NOT NULL,                 -- RFC 3339, UTC
    entered_by   TEXT NOT NULL,
    party_member TEXT,
    note         TEXT,
    corrects     INTEGER REFERENCES events(id)
) STRICT;
CREATE INDEX events_parcel ON events(parcel, occurred_on);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'nhật ký sự kiện chỉ được ghi thêm / the event log is append-only: events are never updated');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'nhật ký sự kiện chỉ được ghi thêm / the event log is append-only: events are never deleted');
END;
