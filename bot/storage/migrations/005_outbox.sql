-- The safety outbox: every crisis reply, staff page, re-page and follow-up, so that none is
-- lost to a failing Bot API or a restart. `parts` holds the rendered text while the letter
-- is pending (never the person's own words) and is cleared once it is done.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    event_id    INTEGER REFERENCES safety_events (id) ON DELETE SET NULL,
    parts       TEXT,
    buttons     TEXT,
    sent_parts  INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    timeouts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    message_id  INTEGER,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    done_at     TEXT
);
CREATE INDEX outbox_pending ON outbox (status) WHERE status = 'pending';
CREATE INDEX outbox_event ON outbox (event_id);

-- Pages sent before the outbox existed, so "I'm on it" still updates them.
INSERT INTO outbox (key, kind, chat_id, event_id, status, attempts, message_id, created_at,
                    done_at)
SELECT 'page-' || rowid, 'page', chat_id, event_id, 'sent', 1, message_id, sent_at, sent_at
FROM safety_pages;
DROP TABLE safety_pages;
