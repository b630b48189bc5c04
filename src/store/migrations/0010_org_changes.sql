-- The organisation edited from the page (issue 13, item 7): every change of
-- a party cell, party member, area lead or assignment is kept, append-only,
-- with the values before and after (JSON text), the day it took effect, who
-- entered it and when. The current tables (party_cells, cell_groups,
-- party_members, area_leads, assignments) are kept in step in the same write
-- transaction. `import --org` writes one 'imported' row per item it leaves
-- (effective NULL: from the beginning), so every item has a version: the id
-- of its last row here.
--
-- `item`: a cell's or member's code, an area lead's id, an assignment's
-- parcel id (the file's). Not a foreign key: a removed item's history stays.
CREATE TABLE org_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    what        TEXT NOT NULL CHECK (what IN ('cell', 'member', 'lead', 'assignment')),
    item        TEXT NOT NULL,
    change      TEXT NOT NULL CHECK (change IN ('added', 'edited', 'removed', 'imported')),
    before      TEXT,                           -- JSON, NULL when added or imported
    after       TEXT,                           -- JSON, NULL when removed
    effective   TEXT,                           -- YYYY-MM-DD; NULL when imported
    entered_at  TEXT NOT NULL,                  -- RFC 3339, UTC
    entered_by  TEXT NOT NULL
) STRICT;
CREATE INDEX org_changes_item ON org_changes(what, item);

CREATE TRIGGER org_changes_no_update BEFORE UPDATE ON org_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử tổ chức chỉ được ghi thêm / the organisation history is append-only: never updated');
END;
CREATE TRIGGER org_changes_no_delete BEFORE DELETE ON org_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử tổ chức chỉ được ghi thêm / the organisation history is append-only: never deleted');
END;

-- The organisation already in the file stands as imported: each item starts
-- its history (and its version) here.
INSERT INTO org_changes (what, item, change, after, entered_at, entered_by)
    SELECT 'cell', c.code, 'imported',
           json_object('code', c.code, 'name', c.name, 'secretary', c.secretary,
                       'groups', (SELECT json_group_array(g.name) FROM cell_groups cg
                                  JOIN residential_groups g ON g.id = cg.residential_group
                                  WHERE cg.cell = c.id)),
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'hiendat import'
    FROM party_cells c ORDER BY c.code;
INSERT INTO org_changes (what, item, change, after, entered_at, entered_by)
    SELECT 'member', m.code, 'imported',
           json_object('code', m.code, 'name', m.name, 'cell', c.code, 'role', m.role,
                       'household', p.fid),
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'hiendat import'
    FROM party_members m JOIN party_cells c ON c.id = m.cell
    LEFT JOIN parcels p ON p.id = m.household ORDER BY m.code;
INSERT INTO org_changes (what, item, change, after, entered_at, entered_by)
    SELECT 'lead', CAST(l.id AS TEXT), 'imported',
           json_object('name', l.name, 'title', l.title, 'group', g.name, 'segment', s.fid),
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'hiendat import'
    FROM area_leads l LEFT JOIN residential_groups g ON g.id = l.residential_group
    LEFT JOIN segments s ON s.id = l.segment ORDER BY l.id;
