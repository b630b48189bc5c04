-- hiendat schema, version 4: outlines for the map, in WGS84 lon/lat WKB
-- MultiPolygon, derived by every import that changes what they cover (and
-- filled for older files when this migration is applied): each segment's
-- planned corridor, and each residential group's parcels merged into one
-- shape. Display only: measures never read them.

ALTER TABLE segments ADD COLUMN outline BLOB;
ALTER TABLE residential_groups ADD COLUMN outline BLOB;

-- The residential groups of each segment's donating parcels (the segment
-- list filters by group), rebuilt by every import from donations.
CREATE TABLE segment_groups (
    segment           INTEGER NOT NULL REFERENCES segments(id),
    residential_group INTEGER NOT NULL REFERENCES residential_groups(id),
    PRIMARY KEY (segment, residential_group)
) STRICT, WITHOUT ROWID;

-- The households file's free-text note (personal data, like the rest of
-- the row).
ALTER TABLE households ADD COLUMN note TEXT;
