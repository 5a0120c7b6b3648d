-- A member who is not enrolled scanned a training's check-in code, and the training's cadre was
-- asked whether to let them in. Only a request recorded here can be admitted: the admit button
-- carries a member id, and a forged one must not credit or name anyone else.
CREATE TABLE walk_in_requests (
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (training_id, member_id)
);
