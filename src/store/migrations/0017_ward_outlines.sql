-- The ward's outline moves out of its `wards` row into a table of its own.
-- The row's counters (last_event, paperwork, imports) change with every
-- event, record and import, and SQLite rewrites a whole row on UPDATE: with
-- the outline in it (2.4 MB at a million parcels), each event copied the
-- outline once.
CREATE TABLE ward_outlines (
    ward    INTEGER PRIMARY KEY REFERENCES wards(id),
    outline BLOB NOT NULL                           -- WKB MultiPolygon (union of group outlines)
) STRICT;
INSERT INTO ward_outlines (ward, outline)
    SELECT id, outline FROM wards WHERE outline IS NOT NULL;
ALTER TABLE wards DROP COLUMN outline;
