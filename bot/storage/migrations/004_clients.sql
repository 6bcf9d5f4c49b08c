-- Enrolled clients. `user_id` is bound when the client opens their invite link.
CREATE TABLE clients (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    request_id      INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    user_id         INTEGER UNIQUE,
    language        TEXT,
    video_link      TEXT,
    reminders_on    INTEGER NOT NULL DEFAULT 1,
    stopped_at      TEXT,
    unreachable_at  TEXT,
    awaiting_reason INTEGER,
    enrolled_at     TEXT NOT NULL,
    enrolled_by     INTEGER NOT NULL
);

-- One-time invite links. Only a hash of the token is kept.
CREATE TABLE invites (
    token_hash  TEXT PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER
);

-- A recurring session rule; its sessions are filled a bounded time ahead.
CREATE TABLE series (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    rule          TEXT NOT NULL,
    filled_until  TEXT NOT NULL,
    cancelled_at  TEXT
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    series_id     INTEGER REFERENCES series (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    minutes       INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'scheduled',
    attendance    TEXT,
    reason        TEXT,
    responded_at  TEXT,
    lesson_sent   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (client_id, kind, starts_at)
);
CREATE INDEX sessions_client ON sessions (client_id, starts_at);

-- The reminder outbox: every reminder is a row, sent by the dispatcher job.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    offset_min   INTEGER NOT NULL,
    due_at       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try_at  TEXT,
    sent_at      TEXT,
    message_id   INTEGER,
    error        TEXT,
    UNIQUE (session_id, offset_min)
);
CREATE INDEX reminders_due ON reminders (status, due_at);

CREATE TABLE lesson_deliveries (
    client_id  INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    lesson_id  TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    helpful    INTEGER,
    PRIMARY KEY (client_id, lesson_id)
);
