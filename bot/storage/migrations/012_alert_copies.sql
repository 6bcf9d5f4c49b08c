-- Copies of a request's alert that staff opened from /queue, tracked like the original
-- (requests.alert_chat_id, alert_message_id), so a withdrawal or /delete clears every one.
CREATE TABLE alert_copies (
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX alert_copies_request ON alert_copies (request_id);
