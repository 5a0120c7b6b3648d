-- Campaigns (推优入党, 推优 to 发展对象, honours) and the nominations made in them, with the
-- branch meetings that vote on them, the public notice's objections, and every step of each
-- nomination as a timeline. Times are UTC ISO-8601 text, dates ISO dates.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('activist', 'development', 'honour')),
    title TEXT NOT NULL,
    honour TEXT NOT NULL DEFAULT '',
    -- bot.domain.campaigns.CampaignRules as JSON
    rules TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    -- members of this unit and everything below it take part
    scope_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    cancelled INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (closes_at > opens_at)
);
CREATE INDEX campaigns_by_window ON campaigns (cancelled, closes_at);

CREATE TABLE nominations (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE RESTRICT,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
    -- the nominee's branch when nominated: the quota and the reviewers follow it
    branch_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    nominator_user_id INTEGER NOT NULL,
    self_applied INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'branch_passed',
        'committee_approved', 'in_notice', 'approved', 'rejected', 'returned', 'withdrawn')),
    -- raised by every change: a decision applies only to the version the cadre saw
    version INTEGER NOT NULL DEFAULT 1,
    submitted_at TEXT,
    -- when the state last changed: how long a reviewer has kept it waiting
    state_since TEXT NOT NULL,
    notice_starts_at TEXT,
    notice_ends_at TEXT,
    decided_at TEXT,
    -- an approved recommendation is valid until this date (two years by default)
    valid_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, member_id)
);
CREATE INDEX nominations_by_state ON nominations (campaign_id, state, branch_id);
CREATE INDEX nominations_by_member ON nominations (member_id);
CREATE INDEX nominations_by_branch ON nominations (branch_id, state);

-- Photos and documents sent with an application; kept per version so a reviewer sees what
-- the version they decide on carried.
CREATE TABLE nomination_attachments (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL
);
CREATE INDEX nomination_attachments_by_nomination ON nomination_attachments (nomination_id);

-- The nominee's timeline: every step, who took it, at which level, with the comment.
CREATE TABLE nomination_events (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    step TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    level TEXT CHECK (level IS NULL OR level IN ('branch', 'committee', 'district')),
    comment TEXT NOT NULL DEFAULT '',
    -- the version the step applied to
    version INTEGER NOT NULL
);
CREATE INDEX nomination_events_by_nomination ON nomination_events (nomination_id, id);

-- A branch meeting (团员大会) of one campaign: who was entitled, who came.
CREATE TABLE branch_meetings (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE RESTRICT,
    branch_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    held_on TEXT NOT NULL,
    entitled INTEGER NOT NULL CHECK (entitled > 0),
    present INTEGER NOT NULL CHECK (present >= 0 AND present <= entitled),
    recorded_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX branch_meetings_by_branch ON branch_meetings (campaign_id, branch_id);

CREATE TABLE meeting_votes (
    meeting_id INTEGER NOT NULL REFERENCES branch_meetings (id) ON DELETE CASCADE,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    yes_votes INTEGER NOT NULL CHECK (yes_votes >= 0),
    passed INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, nomination_id)
);

-- Objections raised during a public notice. The objector is shown to the reviewing cadre only.
CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    objector_user_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'dismissed', 'upheld')),
    created_at TEXT NOT NULL,
    resolved_by INTEGER,
    resolved_at TEXT,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX objections_by_nomination ON objections (nomination_id, state);
