-- People who agreed to the privacy notice. Nothing is stored before consent.
CREATE TABLE people (
    user_id          INTEGER PRIMARY KEY,
    language         TEXT,
    consent_version  TEXT NOT NULL,
    consent_at       TEXT NOT NULL,
    unreachable_at   TEXT,
    stopped_at       TEXT
);

-- Every staff action, and every change made on a person's behalf. Never message text.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    actor_name TEXT,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX audit_log_subject ON audit_log (subject);
