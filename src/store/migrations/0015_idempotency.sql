-- Idempotency keys (issue 15, item 3): a write sent again with the same
-- `Idempotency-Key` by the same user (a phone's queue retrying after a
-- lost answer) is answered from here, never written twice. Kept 30 days.
CREATE TABLE idempotency_keys (
    user         INTEGER NOT NULL,              -- users.id
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,                 -- sha256 of method, path and body (hex)
    status       INTEGER NOT NULL,
    content_type TEXT,
    etag         TEXT,
    body         BLOB NOT NULL,
    created_at   TEXT NOT NULL,                 -- RFC 3339, UTC
    PRIMARY KEY (user, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
