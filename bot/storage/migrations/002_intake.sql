-- Consultation requests. A draft holds the answers given so far (JSON of domain Answers);
-- `step` is the question being asked, also while a submitted request is being updated.
CREATE TABLE requests (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    status            TEXT NOT NULL,
    step              TEXT,
    answers           TEXT NOT NULL DEFAULT '{}',
    saved_answers     TEXT,
    referral          TEXT,
    language          TEXT,
    tier              INTEGER,
    undisclosed       TEXT,
    deadlines         TEXT,
    referred_at       TEXT,
    due_at            TEXT,
    due_kind          TEXT,
    half_at           TEXT,
    realerted_at      TEXT,
    paged_at          TEXT,
    handled_by        INTEGER,
    scheduled_for     TEXT,
    reason            TEXT,
    alert_chat_id     INTEGER,
    alert_message_id  INTEGER,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX requests_one_active_per_person ON requests (user_id)
    WHERE status IN ('draft', 'open', 'claimed', 'contacted', 'scheduled');
CREATE INDEX requests_watch ON requests (status, half_at, due_at);

-- Every re-alert and page the deadline watcher sent.
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (request_id, kind)
);

-- A staff member's pending answer (a date for "Scheduled", a reason for "Not a fit"),
-- accepted only as a reply to the prompt message `message_id`.
CREATE TABLE staff_prompts (
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    message_id  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
