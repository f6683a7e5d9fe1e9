//! The schema, as an append-only list of migrations (tracked in SQLite's `user_version`).
//! Never edit a migration that has shipped: add the next one.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE kiosks (
    id               TEXT PRIMARY KEY,            -- a UUID
    name             TEXT NOT NULL UNIQUE,
    place            TEXT NOT NULL,
    token_hash       TEXT UNIQUE,                 -- sha256 hex of the device token; NULL until enrolled
    receipt_prefix   TEXT NOT NULL UNIQUE,        -- two characters of the receipt alphabet
    created_at       TEXT NOT NULL,
    enrolled_at      TEXT,
    revoked_at       TEXT,
    -- the last heartbeat
    software_version TEXT,
    flows            TEXT,                        -- JSON: [{"id": ..., "version": ...}]
    queue_length     INTEGER,
    last_error       TEXT,
    free_disk_bytes  INTEGER,
    last_seen_at     TEXT
) STRICT;

CREATE TABLE enrolment_codes (
    code_hash  TEXT PRIMARY KEY,                  -- sha256 hex of the canonical code
    kiosk_id   TEXT NOT NULL REFERENCES kiosks (id),
    created_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE TABLE submissions (
    id                TEXT PRIMARY KEY,           -- the kiosk's UUID, the idempotency key
    kiosk_id          TEXT NOT NULL REFERENCES kiosks (id),
    flow_id           TEXT NOT NULL,
    flow_version      INTEGER NOT NULL,
    service           TEXT NOT NULL,
    receipt           TEXT NOT NULL UNIQUE,       -- normalized: AB3-7KQ
    created_at        TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    content_digest    TEXT NOT NULL,              -- wire::SubmissionUpload::content_digest
    answers_json      TEXT NOT NULL,              -- the opened (decrypted) submission JSON
    status            TEXT NOT NULL DEFAULT 'recu'
                      CHECK (status IN ('recu', 'en_cours', 'traite', 'rejete')),
    status_updated_at TEXT NOT NULL,
    status_note       TEXT
) STRICT;

CREATE INDEX submissions_by_service ON submissions (service, received_at);
CREATE INDEX submissions_by_received_at ON submissions (received_at);

CREATE TABLE status_history (
    id            INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    at            TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('recu', 'en_cours', 'traite', 'rejete')),
    note          TEXT,
    "by"          TEXT NOT NULL                   -- who: 'borne', 'cli', later an agent
) STRICT;

CREATE INDEX status_history_by_submission ON status_history (submission_id, at);

CREATE TABLE help_calls (
    id             TEXT PRIMARY KEY,              -- the kiosk's UUID, the idempotency key
    kiosk_id       TEXT NOT NULL REFERENCES kiosks (id),
    flow_id        TEXT NOT NULL,
    step_id        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    handled_at     TEXT
) STRICT;

CREATE INDEX help_calls_open ON help_calls (handled_at, received_at);
"#;

/// Every migration, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
