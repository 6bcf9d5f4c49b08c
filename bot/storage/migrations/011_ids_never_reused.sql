-- SQLite gives a new row the highest id + 1, so deleting the newest request (a cancelled
-- draft, /delete, the purge) handed its number to the next one, and the append-only audit
-- trail of the old request showed up under the new. New requests and safety events now take
-- ids above every one ever used, including those only the audit log remembers.
CREATE TABLE high_water (
    name  TEXT PRIMARY KEY,
    last  INTEGER NOT NULL
);
INSERT INTO high_water (name, last) SELECT 'requests', MAX(
    COALESCE((SELECT MAX(id) FROM requests), 0),
    COALESCE((SELECT MAX(CAST(substr(subject, 9) AS INTEGER)) FROM audit_log
              WHERE subject LIKE 'request:%'), 0));
INSERT INTO high_water (name, last) SELECT 'safety_events', MAX(
    COALESCE((SELECT MAX(id) FROM safety_events), 0),
    COALESCE((SELECT MAX(CAST(substr(subject, 8) AS INTEGER)) FROM audit_log
              WHERE subject LIKE 'safety:%'), 0));
