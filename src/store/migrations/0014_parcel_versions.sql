-- Parcel versions (issue 15, item 4): every parcel has a version that
-- moves on every write touching it, so that a write sent from a stale
-- screen (`If-Match`) is refused instead of silently undoing a newer one.
-- The triggers below keep it: whatever door writes (the API, an import,
-- the demo, a script through the store), the version moves. `changed_at`
-- and `changed_by` say who moved it last and when (NULL by: a write that
-- names no author, e.g. an import or an assignment).
CREATE TABLE parcel_versions (
    parcel     INTEGER PRIMARY KEY,             -- parcels.id (parcels are never deleted)
    version    INTEGER NOT NULL,
    changed_at TEXT,                            -- RFC 3339, UTC
    changed_by TEXT
) STRICT;

-- Existing parcels start at version 1.
INSERT INTO parcel_versions (parcel, version) SELECT id, 1 FROM parcels;

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

CREATE TRIGGER events_version AFTER INSERT ON events
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER contacts_version AFTER INSERT ON contacts
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER grievances_version_new AFTER INSERT ON grievances
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER grievances_version_answer AFTER UPDATE ON grievances
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NEW.answered_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER records_version AFTER INSERT ON records
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER attachments_version AFTER INSERT ON attachments
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.uploaded_at, changed_by = NEW.uploaded_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER households_version_new AFTER INSERT ON households
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER households_version_edit AFTER UPDATE ON households
WHEN OLD.parcel IS NOT NEW.parcel OR OLD.head_name IS NOT NEW.head_name
  OR OLD.address IS NOT NEW.address OR OLD.phone IS NOT NEW.phone
  OR OLD.is_member_family IS NOT NEW.is_member_family OR OLD.note IS NOT NEW.note
  OR OLD.may_be_named IS NOT NEW.may_be_named
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel IN (OLD.parcel, NEW.parcel);
END;

CREATE TRIGGER households_version_gone AFTER DELETE ON households
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = OLD.parcel;
END;

-- Written after the flags' update in the same transaction: names who.
CREATE TRIGGER household_changes_version AFTER INSERT ON household_changes
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.changed_at, changed_by = NEW.changed_by
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER assignments_version_new AFTER INSERT ON assignments
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER assignments_version_edit AFTER UPDATE ON assignments
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel IN (OLD.parcel, NEW.parcel);
END;

CREATE TRIGGER assignments_version_gone AFTER DELETE ON assignments
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = OLD.parcel;
END;

CREATE TRIGGER structures_version_new AFTER INSERT ON structures
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = NEW.parcel;
END;

CREATE TRIGGER structures_version_edit AFTER UPDATE ON structures
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel IN (OLD.parcel, NEW.parcel);
END;

CREATE TRIGGER structures_version_gone AFTER DELETE ON structures
BEGIN
    UPDATE parcel_versions SET version = version + 1,
        changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), changed_by = NULL
    WHERE parcel = OLD.parcel;
END;

-- Written after the structure's own row in the same transaction: names who.
CREATE TRIGGER structure_changes_version AFTER INSERT ON structure_changes
BEGIN
    UPDATE parcel_versions SET version = version + 1, changed_at = NEW.entered_at, changed_by = NEW.entered_by
    WHERE parcel = NEW.parcel;
END;
