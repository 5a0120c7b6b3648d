-- Everything the bot sends on its own initiative goes through the outbox; broadcasts and
-- reminders are stored campaigns and schedules, so a restart loses none of them.

CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    author_user_id INTEGER NOT NULL,
    -- the text as Telegram HTML, so the author's formatting is kept
    text TEXT NOT NULL,
    -- who receives it, as JSON (scope unit, statuses, registered/confirmed)
    audience TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'scheduled', 'running', 'paused', 'done', 'cancelled')),
    scheduled_at TEXT,
    recipients INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    reported_at TEXT
);
CREATE INDEX broadcasts_by_author ON broadcasts (author_user_id, id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    telegram_user_id INTEGER,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    parse_mode TEXT,
    reply_markup TEXT,
    -- urgent messages are sent during quiet hours too
    urgent INTEGER NOT NULL DEFAULT 0,
    broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE RESTRICT,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unreachable', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT,
    -- a broadcast or reminder recipient appears once: a repeated enqueue is a no-op
    dedupe_key TEXT UNIQUE
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE state = 'pending';
CREATE INDEX outbox_by_broadcast ON outbox (broadcast_id, state);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
    done_at TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, target, due_at)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE state = 'pending';
