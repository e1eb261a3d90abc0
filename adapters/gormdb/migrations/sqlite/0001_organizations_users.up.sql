-- Timestamps are DATETIME so that the modernc driver returns them as time.Time. They are
-- written in UTC as 'YYYY-MM-DD HH:MM:SS[.fraction]+00:00', which sorts correctly as text.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('PERP', 'SERP', 'REGISTRY', 'ORG', 'CU')),
    created_at DATETIME NOT NULL
);

-- domain.DefaultOrganizationID: users who register without naming one belong to it.
INSERT INTO organizations (id, name, type, created_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'Default', 'ORG', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    permissions     TEXT NOT NULL DEFAULT '[]', -- JSON array of permission names
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);

CREATE INDEX users_organization_id_idx ON users (organization_id);
