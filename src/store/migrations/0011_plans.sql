-- Plans and targets (issue 13, item 3): a plan for a residential group, a
-- road segment or a party cell, with milestones (a due date, a target of
-- households that reached agreement and/or of area handed over). A plan is
-- never deleted (cancelled instead); each version it goes through is kept,
-- append-only, in plan_history with the whole plan as it left it (JSON).
-- `version` counts the versions: an edit names the one it was made from,
-- and a newer one is a conflict, never overwritten.

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    area_kind   TEXT NOT NULL CHECK (area_kind IN ('group', 'segment', 'cell')),
    area_code   TEXT NOT NULL,                  -- group name, segment id, cell code
    area_name   TEXT NOT NULL,
    title       TEXT NOT NULL,
    note        TEXT,
    set_by      TEXT NOT NULL,
    created_at  TEXT NOT NULL,                  -- RFC 3339, UTC
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
) STRICT;

-- The current milestones of each plan, in due-date order (`seq`).
CREATE TABLE plan_milestones (
    plan        INTEGER NOT NULL REFERENCES plans(id),
    seq         INTEGER NOT NULL,
    due         TEXT NOT NULL,                  -- YYYY-MM-DD
    households  INTEGER CHECK (households >= 0),
    area_m2     REAL CHECK (area_m2 >= 0),
    CHECK (households IS NOT NULL OR area_m2 IS NOT NULL),
    PRIMARY KEY (plan, seq)
) STRICT;

CREATE TABLE plan_history (
    id          INTEGER PRIMARY KEY,
    plan        INTEGER NOT NULL REFERENCES plans(id),
    version     INTEGER NOT NULL,
    what        TEXT NOT NULL CHECK (what IN ('created', 'edited', 'cancelled')),
    entered_at  TEXT NOT NULL,                  -- RFC 3339, UTC
    entered_by  TEXT NOT NULL,
    plan_json   TEXT NOT NULL,                  -- the plan as this version left it
    UNIQUE (plan, version)
) STRICT;

CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans
BEGIN
    SELECT RAISE(ABORT, 'kế hoạch không bị xóa, chỉ hủy / a plan is never deleted, only cancelled');
END;
CREATE TRIGGER plan_history_no_update BEFORE UPDATE ON plan_history
BEGIN
    SELECT RAISE(ABORT, 'lịch sử kế hoạch chỉ được ghi thêm / the plan history is append-only: never updated');
END;
CREATE TRIGGER plan_history_no_delete BEFORE DELETE ON plan_history
BEGIN
    SELECT RAISE(ABORT, 'lịch sử kế hoạch chỉ được ghi thêm / the plan history is append-only: never deleted');
END;
