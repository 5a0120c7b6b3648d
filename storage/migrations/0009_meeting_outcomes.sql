-- What a branch meeting (团员大会) decided for each candidate, and how many places it voted
-- for: the nominee's timeline and the export show why a candidate who was voted on stays
-- submitted (no quorum, over the quota, a tie for the last place).

ALTER TABLE branch_meetings ADD COLUMN places INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meeting_votes ADD COLUMN outcome TEXT NOT NULL DEFAULT ''
    CHECK (outcome IN ('', 'passed', 'no_majority', 'over_quota', 'tied', 'no_quorum'));
