-- Trainings (团校课程, 青年干部培训班, 创业青年夜校, 支部学习) and who takes part in them.
-- Times are UTC ISO-8601 text; hours are kept in tenths so 1.5 学时 adds up exactly.

CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    hours_tenths INTEGER NOT NULL CHECK (hours_tenths > 0),
    -- open to members of this unit and every unit below it
    audience_unit_id INTEGER NOT NULL REFERENCES org_units (id) ON DELETE RESTRICT,
    signup_deadline TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'published'
        CHECK (state IN ('published', 'cancelled', 'closed')),
    -- the secret in the check-in QR code's deep link (/start ck_<token>)
    checkin_token TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- grows with every edit, so an edit applies only to the version the cadre saw
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at),
    CHECK (signup_deadline <= starts_at)
);
CREATE INDEX trainings_by_start ON trainings (state, starts_at);
CREATE INDEX trainings_by_audience ON trainings (audience_unit_id);

-- One row per member and training: signing up again after cancelling reuses the row and
-- joins the queue at its end.
CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE RESTRICT,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
    state TEXT NOT NULL CHECK (state IN ('enrolled', 'waitlisted', 'offered', 'cancelled',
                                         'declined', 'expired', 'attended', 'no_show')),
    -- arrival order within the training: the waitlist is served by it
    queue_seq INTEGER NOT NULL,
    offer_expires_at TEXT,
    walk_in INTEGER NOT NULL DEFAULT 0,
    checked_in_at TEXT,
    -- set when the training closes and the hours are credited
    hours_tenths INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (training_id, member_id),
    UNIQUE (training_id, queue_seq)
);
CREATE INDEX enrolments_by_member ON enrolments (member_id, state);
CREATE INDEX enrolments_by_state ON enrolments (training_id, state, queue_seq);
