-- Audit (issue 16): a household's flags and consent keep their history,
-- and the log of reads of sensitive data can only grow.

-- Each change of a household's flag by an editor (PATCH
-- /api/parcels/{id}/household): which household, which flag, from what to
-- what, who and when. The current value stays in `households`.
CREATE TABLE household_changes (
    id          INTEGER PRIMARY KEY,
    parcel      INTEGER NOT NULL REFERENCES parcels(id),
    head_name   TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('is_member_family', 'may_be_named')),
    old_value   INTEGER NOT NULL CHECK (old_value IN (0, 1)),
    new_value   INTEGER NOT NULL CHECK (new_value IN (0, 1)),
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL
) STRICT;
CREATE INDEX household_changes_parcel ON household_changes(parcel);

CREATE TRIGGER household_changes_no_update BEFORE UPDATE ON household_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử thay đổi hộ gia đình chỉ được ghi thêm / the household change history is append-only: never updated');
END;
CREATE TRIGGER household_changes_no_delete BEFORE DELETE ON household_changes
BEGIN
    SELECT RAISE(ABORT, 'lịch sử thay đổi hộ gia đình chỉ được ghi thêm / the household change history is append-only: never deleted');
END;

-- The date a read looked at (NULL: the current state).
ALTER TABLE access_log ADD COLUMN as_of TEXT;

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'nhật ký truy cập chỉ được ghi thêm / the access log is append-only: never updated');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'nhật ký truy cập chỉ được ghi thêm / the access log is append-only: never deleted');
END;
