//! The schema, as an append-only list of migrations (never edit one that has shipped:
//! add a new one). `PRAGMA user_version` records how many have run.

use rusqlite_migration::{Migrations, M};

/// Every table is `STRICT`; times are RFC 3339 UTC strings with milliseconds
/// (`2026-11-28T10:00:00.000Z`), so they sort and compare as text.
const MIGRATIONS: &[M<'static>] = &[
    M::up(
        r#"
CREATE TABLE identity (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    kiosk_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    place          TEXT NOT NULL,
    backend_url    TEXT NOT NULL,
    token          TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    receipt_prefix TEXT NOT NULL,
    enrolled_at    TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'submission' CHECK (kind IN ('submission')),
    flow_id         TEXT NOT NULL,
    flow_version    INTEGER NOT NULL,
    service         TEXT NOT NULL,
    receipt         TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    sealed          BLOB,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    CHECK (state = 'delivered' OR sealed IS NOT NULL)
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE help_calls (
    id              TEXT PRIMARY KEY,
    flow_id         TEXT NOT NULL,
    step_id         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT
) STRICT;
CREATE INDEX help_calls_due ON help_calls (state, next_attempt_at);

CREATE TABLE installed_flows (
    id           TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    yaml         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    installed_at TEXT NOT NULL
) STRICT;

CREATE TABLE events (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
"#,
    ),
    // The catalog of published flows installed from the back end (the signed bundle as
    // received; `installed_flows` lists its flows), and the back end's signing key.
    M::up(
        r#"
CREATE TABLE installed_catalog (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      INTEGER NOT NULL,
    payload      TEXT NOT NULL,
    signature    TEXT NOT NULL,
    installed_at TEXT NOT NULL
) STRICT;

ALTER TABLE identity ADD COLUMN catalog_key TEXT NOT NULL DEFAULT '';
"#,
    ),
    // The last availability snapshot of the bookable resources, as the back end sent it.
    M::up(
        r#"
CREATE TABLE availability (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    snapshot   TEXT NOT NULL,                     -- JSON: kiosk_flow::booking::Availability
    fetched_at TEXT NOT NULL
) STRICT;
"#,
    ),
    // A submission the back end refuses for good is `refused` with its reason (retried daily
    // or by the supervisor, never deleted by the kiosk), and every submission remembers the
    // back end key it was sealed to (`sealed_to`, base64), so that a re-enrolment cannot send
    // it under an identity whose key does not open it. SQLite cannot change a CHECK: the
    // table is rebuilt.
    M::up(
        r#"
CREATE TABLE outbox_v3 (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'submission' CHECK (kind IN ('submission')),
    flow_id         TEXT NOT NULL,
    flow_version    INTEGER NOT NULL,
    service         TEXT NOT NULL,
    receipt         TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    sealed          BLOB,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    refused_reason  TEXT,
    sealed_to       TEXT NOT NULL DEFAULT '',
    CHECK (state = 'delivered' OR sealed IS NOT NULL),
    CHECK (state <> 'refused' OR refused_reason IS NOT NULL)
) STRICT;
INSERT INTO outbox_v3 (id, kind, flow_id, flow_version, service, receipt, created_at, sealed,
                       state, attempts, next_attempt_at, last_error, delivered_at, sealed_to)
SELECT id, kind, flow_id, flow_version, service, receipt, created_at, sealed,
       state, attempts, next_attempt_at, last_error, delivered_at,
       COALESCE((SELECT public_key FROM identity WHERE id = 1), '')
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
"#,
    ),
];

/// The migrations, in order.
pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// How many migrations exist: the `user_version` of an up-to-date database.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
