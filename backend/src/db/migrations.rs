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

/// The people's side: agents, administrators, services, sessions, login throttling, and the
/// notification outbox; the commune of each submission, for the inbox's filter; who changed
/// a status.
///
/// Applied migrations are history and never change: the submissions stored before V2 (whose
/// kiosks did not yet say which dataset an answer came from) were filed under their
/// `commune` step's answer; every submission since is filed at ingest by
/// [`crate::opened::commune`], the answer from the communes dataset.
const V2: &str = r#"
CREATE TABLE services (
    id             TEXT PRIMARY KEY,              -- as flows name it: 'voirie'
    name           TEXT NOT NULL,
    email          TEXT,                          -- where new requests are announced
    webhook_url    TEXT,
    webhook_secret TEXT,                          -- HMAC-SHA256 key; in clear, it signs
    created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    password_hash TEXT NOT NULL,                  -- argon2id, PHC string
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
) STRICT;

CREATE TABLE user_services (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, service_id)
) STRICT;

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,                -- sha256 hex of the cookie's value
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE, -- NULL before login
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_failures (
    key             TEXT PRIMARY KEY,             -- 'compte:<email>' or 'ip:<address>'
    failures        INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until    TEXT
) STRICT;

CREATE TABLE notification_outbox (
    id              INTEGER PRIMARY KEY,
    submission_id   TEXT NOT NULL REFERENCES submissions (id),
    service_id      TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'skipped')),
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,                         -- without personal data
    done_at         TEXT,
    UNIQUE (submission_id, channel)
) STRICT;

CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at);

ALTER TABLE submissions ADD COLUMN commune TEXT;  -- the `commune` answer's display
UPDATE submissions SET commune = (
    SELECT json_extract(a.value, '$.display')
    FROM json_each(submissions.answers_json, '$.answers') AS a
    WHERE json_extract(a.value, '$.step_id') = 'commune'
    LIMIT 1
) WHERE json_valid(answers_json);
CREATE INDEX submissions_by_commune ON submissions (commune);

ALTER TABLE status_history ADD COLUMN user_id INTEGER REFERENCES users (id); -- by = 'agent'
"#;

/// Urgent requests (`urgent:` on a flow's `submit`): the inbox lists them first. Submissions
/// stored before V3 were sealed by kiosks that never said so; any that did (a newer kiosk in
/// front of an older back end) are read from their JSON.
const V3: &str = r#"
ALTER TABLE submissions ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
UPDATE submissions SET urgent = 1
    WHERE json_valid(answers_json) AND json_extract(answers_json, '$.urgent') = 1;
"#;

/// Every migration, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(super::flow_catalog::SCHEMA),
        M::up(super::open311::SCHEMA),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// Submissions stored at `version` (`rows`: the `VALUES` of their id and answers_json),
    /// then `column` of each after the latest migration, by id.
    fn migrated<T: rusqlite::types::FromSql>(version: usize, rows: &str, column: &str) -> Vec<T> {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let migrations = super::migrations();
        migrations.to_version(&mut conn, version).unwrap();
        conn.execute_batch(&format!(
            r#"INSERT INTO kiosks (id, name, place, receipt_prefix, created_at)
               VALUES ('k', 'K', 'P', 'AB', 't');
               CREATE TEMP TABLE stored (id TEXT, answers_json TEXT);
               INSERT INTO stored VALUES {rows};
               INSERT INTO submissions (id, kiosk_id, flow_id, flow_version, service, receipt,
                 created_at, received_at, content_digest, answers_json, status_updated_at)
               SELECT id, 'k', 'f', 1, 'voirie', 'AB2-' || id, 't', 't', 'd', answers_json, 't'
               FROM stored;"#
        ))
        .unwrap();
        migrations.to_latest(&mut conn).unwrap();
        let mut select = conn
            .prepare(&format!("SELECT {column} FROM submissions ORDER BY id"))
            .unwrap();
        let values = select
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        values
    }

    #[test]
    fn v2_fills_the_commune_of_earlier_submissions() {
        let communes: Vec<Option<String>> = migrated(
            1,
            r#"('s1', '{"answers": [{"step_id": "lieu", "display": "Rue"},
                                     {"step_id": "commune", "display": "Duisans"}]}'),
               ('s2', '{}')"#,
            "commune",
        );
        assert_eq!(communes, [Some("Duisans".to_string()), None]);
    }

    #[test]
    fn v3_reads_the_urgency_of_earlier_submissions() {
        let urgent: Vec<bool> = migrated(
            2,
            r#"('s1', '{"answers": [], "urgent": true}'), ('s2', '{"answers": []}'),
               ('s3', 'pas du json')"#,
            "urgent",
        );
        assert_eq!(urgent, [true, false, false]);
    }
}
