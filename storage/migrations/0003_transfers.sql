-- Branch transfers (组织关系转接): every move a member asked for, and what became of it.
-- Decided and withdrawn requests stay as the member's history.

CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
    from_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    to_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    requested_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
    -- the Telegram user who approved, rejected or (the member) withdrew the request
    decided_by INTEGER,
    decided_at TEXT,
    comment TEXT,
    CHECK (from_unit_id <> to_unit_id)
);
-- At most one open request per member: a second one waits until the first is settled.
CREATE UNIQUE INDEX transfers_one_pending ON transfers (member_id) WHERE state = 'pending';
CREATE INDEX transfers_by_member ON transfers (member_id, requested_at);
CREATE INDEX transfers_pending_by_target ON transfers (to_unit_id) WHERE state = 'pending';
