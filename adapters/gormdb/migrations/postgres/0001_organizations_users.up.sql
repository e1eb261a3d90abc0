CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('PERP', 'SERP', 'REGISTRY', 'ORG', 'CU')),
    created_at TIMESTAMPTZ NOT NULL
);

-- domain.DefaultOrganizationID: users who register without naming one belong to it.
INSERT INTO organizations (id, name, type, created_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'Default', 'ORG', date_trunc('microseconds', now()));

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    permissions     TEXT NOT NULL DEFAULT '[]', -- JSON array of permission names
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX users_organization_id_idx ON users (organization_id);
