-- An intake paused after a crisis reply: no question is asked until the person continues.
ALTER TABLE requests ADD COLUMN paused_at TEXT;
