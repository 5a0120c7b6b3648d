-- Foundation: the organisation tree, Telegram accounts, members, wizard drafts and the audit log.
-- Times are UTC ISO-8601 text; calendar dates are ISO dates (YYYY-MM-DD).

CREATE TABLE org_units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org_units (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL CHECK (kind IN ('district', 'street', 'committee', 'branch')),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- materialised path '/1/4/9/': a subtree is one indexed prefix search
    path TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX org_units_by_parent ON org_units (parent_id, sort_order, name);

-- A Telegram account that has talked to the bot, registered or not.
CREATE TABLE accounts (
    telegram_user_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    language TEXT NOT NULL DEFAULT 'zh',
    reachable INTEGER NOT NULL DEFAULT 1,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    -- NULL for people known only from an imported roster who have not opened the bot yet
    telegram_user_id INTEGER UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    birth_date TEXT,
    org_unit_id INTEGER REFERENCES org_units (id) ON DELETE RESTRICT,
    status TEXT NOT NULL CHECK (status IN ('youth', 'league_member', 'league_cadre')),
    league_join_date TEXT,
    party_application_date TEXT,
    consent_at TEXT,
    source TEXT NOT NULL DEFAULT 'self' CHECK (source IN ('self', 'roster')),
    deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX members_by_org_unit ON members (org_unit_id);
CREATE INDEX members_by_phone ON members (phone);

-- The member's half-finished wizard: what they typed and the step they are on.
CREATE TABLE drafts (
    journey TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL,
    -- changes every time a wizard starts, so buttons of an older wizard are recognised as stale
    nonce TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (journey, chat_id, user_id)
);

-- Append-only record of every change: who, when, what, from, to, why.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before TEXT,
    after TEXT,
    comment TEXT
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id);
