-- hiendat schema, version 2: login sessions. Only a SHA-256 of the session
-- token is kept, so a copy of the file does not let anyone log in.

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,                -- hex SHA-256 of the cookie's token
    user       INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,                   -- RFC 3339, UTC
    expires_at TEXT NOT NULL                    -- RFC 3339, UTC
) STRICT;
CREATE INDEX sessions_user ON sessions(user);
