-- An objection still open when its nomination leaves the public notice (another objection was
-- upheld, or the nominee withdrew) is closed with it: nobody has to rule on it any more, and
-- its objector is told. SQLite cannot change a CHECK constraint, so the table is rebuilt.

CREATE TABLE objections_next (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    objector_user_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'dismissed', 'upheld', 'closed')),
    created_at TEXT NOT NULL,
    resolved_by INTEGER,
    resolved_at TEXT,
    resolution TEXT NOT NULL DEFAULT ''
);
INSERT INTO objections_next
    (id, nomination_id, objector_user_id, text, state, created_at, resolved_by, resolved_at,
     resolution)
SELECT id, nomination_id, objector_user_id, text, state, created_at, resolved_by, resolved_at,
       resolution
FROM objections;
DROP TABLE objections;
ALTER TABLE objections_next RENAME TO objections;
CREATE INDEX objections_by_nomination ON objections (nomination_id, state);
-- Objections left open by nominations that already left the notice before this migration.
UPDATE objections SET state = 'closed',
    resolved_at = (SELECT n.state_since FROM nominations n WHERE n.id = objections.nomination_id)
WHERE state = 'open'
  AND (SELECT n.state FROM nominations n WHERE n.id = objections.nomination_id) <> 'in_notice';
