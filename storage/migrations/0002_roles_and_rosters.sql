-- Cadre roles, one-time invitations, and the confirmation of self-registered members.

-- Self-registered members wait for their branch cadre; roster members are confirmed by import.
ALTER TABLE members ADD COLUMN review_state TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (review_state IN ('pending', 'confirmed', 'rejected'));
ALTER TABLE members ADD COLUMN review_comment TEXT;
UPDATE members SET review_state = 'pending' WHERE source = 'self';
CREATE INDEX members_by_review ON members (org_unit_id, review_state);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL,
    org_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    role TEXT NOT NULL CHECK (role IN ('branch_secretary', 'committee_cadre', 'admin')),
    granted_by INTEGER,
    granted_at TEXT NOT NULL,
    revoked_by INTEGER,
    revoked_at TEXT
);
-- A person holds a role on a unit at most once at a time; history stays as revoked rows.
CREATE UNIQUE INDEX roles_active ON roles (telegram_user_id, org_unit_id, role)
    WHERE revoked_at IS NULL;
CREATE INDEX roles_by_unit ON roles (org_unit_id) WHERE revoked_at IS NULL;

CREATE TABLE invitations (
    token TEXT PRIMARY KEY,
    org_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    role TEXT NOT NULL CHECK (role IN ('branch_secretary', 'committee_cadre', 'admin')),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by INTEGER,
    used_at TEXT,
    revoked_by INTEGER,
    revoked_at TEXT
);
