-- Members' control of their data: when a record's personal data was erased (at the member's
-- request with /deleteme, or by the retention rule for members who left), so it is erased once.
-- An erased record keeps its id, unit and status for the counts and decisions that stay.

ALTER TABLE members ADD COLUMN erased_at TEXT;
-- The retention job's daily question: who left (removed from the roll, or sent back at
-- registration and never corrected) long enough ago and still has personal data.
CREATE INDEX members_leaving ON members (updated_at)
    WHERE erased_at IS NULL AND (deleted = 1 OR review_state = 'rejected');
