-- hiendat schema, version 9: roles that match the party's organisation.
--
-- Beside admin, editor and viewer: the Standing Committee (standing), the
-- Inspection Committee (inspection), a cell secretary (secretary) and a
-- party member (member). A secretary or member user is tied to the party
-- member they are, by code (party_members.code, kept across `import --org`).
-- SQLite cannot change a CHECK, so users is rebuilt, and sessions with it
-- (they refer to users by id, which the copies keep): the new tables are
-- filled first and the old ones dropped children first, so no foreign key
-- is ever broken and everyone stays logged in.

CREATE TABLE users_v9 (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN
                    ('admin', 'editor', 'viewer', 'standing', 'inspection', 'secretary', 'member')),
    password_hash TEXT NOT NULL,                -- argon2 PHC string
    member_code   TEXT                          -- party_members.code, for secretary and member
) STRICT;
INSERT INTO users_v9 (id, name, role, password_hash)
    SELECT id, name, role, password_hash FROM users;

CREATE TABLE sessions_v9 (
    token_hash TEXT PRIMARY KEY,                -- hex SHA-256 of the cookie's token
    user       INTEGER NOT NULL REFERENCES users_v9(id),
    created_at TEXT NOT NULL,                   -- RFC 3339, UTC
    expires_at TEXT NOT NULL                    -- RFC 3339, UTC
) STRICT;
INSERT INTO sessions_v9 SELECT token_hash, user, created_at, expires_at FROM sessions;

DROP TABLE sessions;
DROP TABLE users;
-- Renaming rewrites sessions_v9's reference to the new name.
ALTER TABLE users_v9 RENAME TO users;
ALTER TABLE sessions_v9 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user);
