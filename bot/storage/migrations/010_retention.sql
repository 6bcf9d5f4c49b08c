-- A revoked consent: nothing is processed for the person but crisis replies until they agree
-- again. The consent's version and time stay, to show what was agreed and when.
ALTER TABLE people ADD COLUMN revoked_at TEXT;
-- Closed requests are purged by age; safety events by age and person.
CREATE INDEX requests_closed ON requests (status, updated_at);
CREATE INDEX safety_events_age ON safety_events (detected_at);
