-- Staff and their roles. STAFF_USER_IDS seeds admins when this table is empty.
CREATE TABLE staff (
    user_id   INTEGER PRIMARY KEY,
    role      TEXT NOT NULL CHECK (role IN ('on_call', 'clinician', 'admin')),
    on_call   INTEGER NOT NULL DEFAULT 0,
    added_by  INTEGER,
    added_at  TEXT NOT NULL
);
