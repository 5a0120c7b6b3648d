-- Every update as it arrived, written before Telegram hears that it was received (the next
-- getUpdates, or the webhook's answer): a crash between the two loses nothing, since the bot
-- handles what it holds unhandled when it starts again. Once handled, only the id stays (the
-- body goes), so that Telegram sending it again is recognised; ids are kept for a week.
CREATE TABLE update_journal (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    handled_at TEXT
);
CREATE INDEX update_journal_unhandled ON update_journal (update_id) WHERE handled_at IS NULL;
