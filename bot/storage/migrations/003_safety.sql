-- Distress detections and help requests. Kept without consent under the medical-emergency
-- exception (42 CFR 2.51); the message text itself is never stored.
CREATE TABLE safety_events (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL,
    category       TEXT NOT NULL,
    severity       TEXT NOT NULL,
    rule           TEXT,
    language       TEXT,
    detected_at    TEXT NOT NULL,
    response       TEXT,
    responded_at   TEXT,
    follow_up_at   TEXT,
    followed_up_at TEXT,
    acked_by       INTEGER,
    acked_name     TEXT,
    acked_at       TEXT,
    pages          INTEGER NOT NULL DEFAULT 0,
    next_page_at   TEXT
);
CREATE INDEX safety_events_user ON safety_events (user_id, id);
CREATE INDEX safety_events_due ON safety_events (acked_at, next_page_at);

-- Each page message sent, so acknowledgement can update all of them.
CREATE TABLE safety_pages (
    event_id    INTEGER NOT NULL REFERENCES safety_events (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    sent_at     TEXT NOT NULL
);

-- Disclosures to medical personnel in an emergency (42 CFR 2.51), kept apart from all else.
CREATE TABLE emergency_disclosures (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER REFERENCES safety_events (id),
    user_id         INTEGER NOT NULL,
    recipient       TEXT NOT NULL,
    nature          TEXT NOT NULL,
    disclosed_at    TEXT NOT NULL,
    disclosed_by    INTEGER NOT NULL,
    disclosed_name  TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
