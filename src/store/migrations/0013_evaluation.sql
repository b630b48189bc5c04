-- The annual evaluation (issue 13, item 5): per year, the thresholds the
-- committee sets for the suggested bands, and the rating it decides for
-- each party member and cell. Both are append-only histories: a change is
-- a new row, the current one is the latest. `version` of the thresholds
-- counts a year's rows (1 for the first set); a rating's version is the
-- count of its subject's rows in the year. A write names the version it
-- was made from, and a newer one is refused (409), never overwritten.

CREATE TABLE evaluation_thresholds (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    thresholds  TEXT NOT NULL,                 -- JSON of the bands' minimums
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,                 -- RFC 3339, UTC
    UNIQUE (year, version)
) STRICT;

CREATE TABLE evaluation_ratings (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('member', 'cell')),
    subject     TEXT NOT NULL,                 -- member code / cell code
    version     INTEGER NOT NULL CHECK (version >= 1),
    band        TEXT NOT NULL CHECK (band IN ('excellent', 'good', 'completed', 'not_completed')),
    note        TEXT,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,                 -- RFC 3339, UTC
    UNIQUE (year, kind, subject, version)
) STRICT;

CREATE TRIGGER evaluation_thresholds_no_update BEFORE UPDATE ON evaluation_thresholds
BEGIN
    SELECT RAISE(ABORT, 'lịch sử ngưỡng đánh giá chỉ được ghi thêm / the evaluation thresholds history is append-only: never updated');
END;
CREATE TRIGGER evaluation_thresholds_no_delete BEFORE DELETE ON evaluation_thresholds
BEGIN
    SELECT RAISE(ABORT, 'lịch sử ngưỡng đánh giá chỉ được ghi thêm / the evaluation thresholds history is append-only: never deleted');
END;
CREATE TRIGGER evaluation_ratings_no_update BEFORE UPDATE ON evaluation_ratings
BEGIN
    SELECT RAISE(ABORT, 'lịch sử xếp loại chỉ được ghi thêm / the ratings history is append-only: never updated');
END;
CREATE TRIGGER evaluation_ratings_no_delete BEFORE DELETE ON evaluation_ratings
BEGIN
    SELECT RAISE(ABORT, 'lịch sử xếp loại chỉ được ghi thêm / the ratings history is append-only: never deleted');
END;
