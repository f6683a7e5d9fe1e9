//! The agents' view of submissions: what an account may see ([`Scope`]), the inbox's filters
//! and pages, counts per status, and one request with its history.
//!
//! Every query here takes a [`Scope`]: an agent's queries only ever reach the services of
//! the agent, whichever filter or id is asked for.

use super::submissions::{status_from_db, status_to_db, Submission};
use crate::opened;
use kiosk_sync::wire::RequestStatus;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

/// What an account may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Administrators: everything.
    All,
    /// Agents: the requests of these services (none if the list is empty).
    Services(Vec<String>),
}

/// The inbox's filters; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub service: Option<String>,
    pub status: Option<RequestStatus>,
    pub flow: Option<String>,
    pub commune: Option<String>,
    /// Received at or after this time (RFC 3339 UTC, as stored).
    pub received_from: Option<String>,
    /// Received before this time.
    pub received_before: Option<String>,
    /// The start of a receipt code, upper case, without its dash (`AB37`).
    pub receipt: Option<String>,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: String,
    pub receipt: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    pub commune: Option<String>,
    pub kiosk_name: Option<String>,
    pub received_at: String,
    pub status: RequestStatus,
    pub status_updated_at: String,
    pub status_note: Option<String>,
    /// The flow marked it urgent: listed first while it is not dealt with.
    pub urgent: bool,
}

/// A request as its page shows it.
#[derive(Debug, Clone)]
pub struct Detail {
    pub submission: Submission,
    pub commune: Option<String>,
    pub kiosk_name: Option<String>,
    pub kiosk_place: Option<String>,
    /// Oldest first.
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: String,
    pub status: RequestStatus,
    pub note: Option<String>,
    /// `borne`, `cli` or `agent`.
    pub by: String,
    /// The agent's name and address, when an agent did it.
    pub user: Option<(String, String)>,
}

fn status_column(row: &Row<'_>, index: usize) -> rusqlite::Result<RequestStatus> {
    let text: String = row.get(index)?;
    status_from_db(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("statut inconnu : {text}").into(),
        )
    })
}

/// The `WHERE` clause (on `submissions AS s`) and its parameters.
fn conditions(scope: &Scope, filter: &Filter) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    match scope {
        Scope::All => {}
        Scope::Services(services) if services.is_empty() => clauses.push("0".to_string()),
        Scope::Services(services) => {
            let marks = vec!["?"; services.len()].join(", ");
            clauses.push(format!("s.service IN ({marks})"));
            values.extend(services.iter().cloned().map(Value::Text));
        }
    }
    let mut equal = |column: &str, value: Option<String>| {
        if let Some(value) = value {
            clauses.push(format!("{column} = ?"));
            values.push(Value::Text(value));
        }
    };
    equal("s.service", filter.service.clone());
    equal(
        "s.status",
        filter.status.map(|status| status_to_db(status).to_string()),
    );
    equal("s.flow_id", filter.flow.clone());
    equal("s.commune", filter.commune.clone());
    if let Some(from) = &filter.received_from {
        clauses.push("s.received_at >= ?".into());
        values.push(Value::Text(from.clone()));
    }
    if let Some(before) = &filter.received_before {
        clauses.push("s.received_at < ?".into());
        values.push(Value::Text(before.clone()));
    }
    if let Some(receipt) = &filter.receipt {
        // Only letters and digits reach here, so no LIKE wildcard can.
        let prefix: String = receipt
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        clauses.push("replace(s.receipt, '-', '') LIKE ?".into());
        values.push(Value::Text(format!("{prefix}%")));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

/// The kiosk's name; for a request from an Open311 client, "Open311 : NAME" (its place).
const LINE_COLUMNS: &str = "s.id, s.receipt, s.flow_id, s.flow_version, s.service, s.commune, \
     CASE k.kind WHEN 'open311' THEN k.place ELSE k.name END, s.received_at, s.status, s.status_updated_at, s.status_note, s.urgent";

fn line_from_row(row: &Row<'_>) -> rusqlite::Result<Line> {
    Ok(Line {
        id: row.get(0)?,
        receipt: row.get(1)?,
        flow_id: row.get(2)?,
        flow_version: row.get(3)?,
        service: row.get(4)?,
        commune: row.get(5)?,
        kiosk_name: row.get(6)?,
        received_at: row.get(7)?,
        status: status_column(row, 8)?,
        status_updated_at: row.get(9)?,
        status_note: row.get(10)?,
        urgent: row.get(11)?,
    })
}

/// Urgent requests not yet dealt with (reçu, en cours) first, then new requests (status
/// "reçu"), then the most recent. A treated urgent request keeps its mark but not its place.
const ORDER: &str = "ORDER BY (s.urgent = 1 AND s.status IN ('recu', 'en_cours')) DESC, \
     (s.status = 'recu') DESC, s.received_at DESC, s.id";

/// One page of the inbox: `limit` lines from `offset`.
pub fn page(
    conn: &Connection,
    scope: &Scope,
    filter: &Filter,
    offset: usize,
    limit: usize,
) -> anyhow::Result<Vec<Line>> {
    let (condition, mut values) = conditions(scope, filter);
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    values.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare(&format!(
        "SELECT {LINE_COLUMNS} FROM submissions s LEFT JOIN kiosks k ON k.id = s.kiosk_id \
         {condition} {ORDER} LIMIT ? OFFSET ?"
    ))?;
    let lines = stmt
        .query_map(params_from_iter(values), line_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(lines)
}

/// How many requests match, in all.
pub fn count(conn: &Connection, scope: &Scope, filter: &Filter) -> anyhow::Result<usize> {
    let (condition, values) = conditions(scope, filter);
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM submissions s {condition}"),
        params_from_iter(values),
        |row| row.get(0),
    )?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// How many requests match each status (the filter's own status is ignored), in the
/// order reçu, en cours, traité, rejeté.
pub fn counts_by_status(
    conn: &Connection,
    scope: &Scope,
    filter: &Filter,
) -> anyhow::Result<Vec<(RequestStatus, usize)>> {
    let any_status = Filter {
        status: None,
        ..filter.clone()
    };
    let (condition, values) = conditions(scope, &any_status);
    let mut stmt = conn.prepare(&format!(
        "SELECT s.status, count(*) FROM submissions s {condition} GROUP BY s.status"
    ))?;
    let found: Vec<(RequestStatus, i64)> = stmt
        .query_map(params_from_iter(values), |row| {
            Ok((status_column(row, 0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok([
        RequestStatus::Recu,
        RequestStatus::EnCours,
        RequestStatus::Traite,
        RequestStatus::Rejete,
    ]
    .into_iter()
    .map(|status| {
        let n = found
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
        (status, n)
    })
    .collect())
}

/// The distinct values of `column` among what the scope sees, sorted (for the filters'
/// lists).
fn distinct(conn: &Connection, scope: &Scope, column: &str) -> anyhow::Result<Vec<String>> {
    let (condition, values) = conditions(scope, &Filter::default());
    let extra = if condition.is_empty() {
        format!("WHERE {column} IS NOT NULL")
    } else {
        format!("{condition} AND {column} IS NOT NULL")
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT {column} FROM submissions s {extra} ORDER BY {column} COLLATE NOCASE"
    ))?;
    let found = stmt
        .query_map(params_from_iter(values), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(found)
}

/// The flows the scope has requests from.
pub fn flows(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<String>> {
    distinct(conn, scope, "s.flow_id")
}

/// The communes the scope has requests from.
pub fn communes(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<String>> {
    distinct(conn, scope, "s.commune")
}

/// The services the scope has requests for (administrators may see requests for services
/// that are not set up).
pub fn services(conn: &Connection, scope: &Scope) -> anyhow::Result<Vec<String>> {
    distinct(conn, scope, "s.service")
}

/// Calls `each` on every matching request with its opened submission, in inbox order (for
/// the CSV export), without holding them all.
pub fn for_each(
    conn: &Connection,
    scope: &Scope,
    filter: &Filter,
    mut each: impl FnMut(Line, opened::Submission) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (condition, values) = conditions(scope, filter);
    let mut stmt = conn.prepare(&format!(
        "SELECT {LINE_COLUMNS}, s.answers_json FROM submissions s \
         LEFT JOIN kiosks k ON k.id = s.kiosk_id {condition} {ORDER}"
    ))?;
    let mut rows = stmt.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        let line = line_from_row(row)?;
        let answers_json: String = row.get(12)?;
        let opened = opened::stored(&line.id, &answers_json)?;
        each(line, opened)?;
    }
    Ok(())
}

/// The request `id`, if the scope may see it. A request outside the scope is "not found",
/// exactly like one that does not exist.
pub fn detail(conn: &Connection, scope: &Scope, id: &str) -> anyhow::Result<Option<Detail>> {
    let (condition, mut values) = conditions(scope, &Filter::default());
    let condition = if condition.is_empty() {
        "WHERE s.id = ?".to_string()
    } else {
        format!("{condition} AND s.id = ?")
    };
    values.push(Value::Text(id.to_string()));
    let found = conn
        .prepare(&format!(
            "SELECT s.id, s.kiosk_id, s.flow_id, s.flow_version, s.service, s.receipt, \
             s.created_at, s.received_at, s.status, s.status_updated_at, s.status_note, \
             s.answers_json, s.commune, k.name, k.place, s.urgent \
             FROM submissions s LEFT JOIN kiosks k ON k.id = s.kiosk_id {condition}"
        ))?
        .query_row(params_from_iter(values), |row| {
            Ok((
                Submission {
                    id: row.get(0)?,
                    kiosk_id: row.get(1)?,
                    flow_id: row.get(2)?,
                    flow_version: row.get(3)?,
                    service: row.get(4)?,
                    receipt: row.get(5)?,
                    created_at: row.get(6)?,
                    received_at: row.get(7)?,
                    status: status_column(row, 8)?,
                    status_updated_at: row.get(9)?,
                    status_note: row.get(10)?,
                    answers_json: row.get(11)?,
                    urgent: row.get(15)?,
                },
                row.get::<_, Option<String>>(12)?,
                row.get::<_, Option<String>>(13)?,
                row.get::<_, Option<String>>(14)?,
            ))
        })
        .optional()?;
    let Some((submission, commune, kiosk_name, kiosk_place)) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT h.at, h.status, h.note, h.\"by\", u.name, u.email FROM status_history h \
         LEFT JOIN users u ON u.id = h.user_id WHERE h.submission_id = ?1 ORDER BY h.at, h.id",
    )?;
    let history = stmt
        .query_map([&submission.id], |row| {
            let name: Option<String> = row.get(4)?;
            let email: Option<String> = row.get(5)?;
            Ok(HistoryEntry {
                at: row.get(0)?,
                status: status_column(row, 1)?,
                note: row.get(2)?,
                by: row.get(3)?,
                user: name.zip(email),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(Detail {
        submission,
        commune,
        kiosk_name,
        kiosk_place,
        history,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn db_with_requests() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        db.with(|c| {
            c.execute_batch(
                "INSERT INTO kiosks (id, name, place, receipt_prefix, created_at) \
                 VALUES ('k', 'Mairie de Duisans', 'Duisans', 'AB', 't');
                 INSERT INTO submissions (id, kiosk_id, flow_id, flow_version, service, receipt, \
                 created_at, received_at, content_digest, answers_json, status, \
                 status_updated_at, commune) VALUES \
                 ('s1', 'k', 'eclairage', 1, 'voirie', 'AB2-222', 't', \
                  '2026-01-01T10:00:00.000Z', 'd', '{}', 'traite', 't', 'Duisans'), \
                 ('s2', 'k', 'eclairage', 1, 'voirie', 'AB3-333', 't', \
                  '2026-01-02T10:00:00.000Z', 'd', '{}', 'recu', 't', 'Tincques'), \
                 ('s3', 'k', 'voirie', 1, 'voirie', 'AB4-444', 't', \
                  '2026-01-03T10:00:00.000Z', 'd', '{}', 'en_cours', 't', 'Duisans'), \
                 ('s4', 'k', 'creche', 1, 'petite-enfance', 'AB5-555', 't', \
                  '2026-01-04T10:00:00.000Z', 'd', '{}', 'recu', 't', NULL);
                 UPDATE submissions SET urgent = 1 WHERE id IN ('s1', 's3');",
            )
        })
        .unwrap();
        (dir, db)
    }

    fn ids(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.id.as_str()).collect()
    }

    #[test]
    fn scopes_filters_order_and_counts() {
        let (_dir, db) = db_with_requests();
        let voirie = Scope::Services(vec!["voirie".into()]);
        let all = db
            .with(|c| page(c, &Scope::All, &Filter::default(), 0, 10))
            .unwrap();
        // Urgent and not dealt with first (s3, en cours; s1 is treated), then new, then the
        // most recent.
        assert_eq!(ids(&all), ["s3", "s4", "s2", "s1"]);
        assert!(all[0].urgent && !all[1].urgent && all[3].urgent);
        assert_eq!(all[0].kiosk_name.as_deref(), Some("Mairie de Duisans"));
        let mine = db
            .with(|c| page(c, &voirie, &Filter::default(), 0, 10))
            .unwrap();
        assert_eq!(ids(&mine), ["s3", "s2", "s1"]);
        let nobody = Scope::Services(vec![]);
        assert_eq!(
            db.with(|c| count(c, &nobody, &Filter::default())).unwrap(),
            0
        );
        // Asking for another service's requests gives nothing.
        let elsewhere = Filter {
            service: Some("petite-enfance".into()),
            ..Filter::default()
        };
        assert_eq!(db.with(|c| count(c, &voirie, &elsewhere)).unwrap(), 0);

        let duisans = Filter {
            commune: Some("Duisans".into()),
            flow: Some("eclairage".into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&db.with(|c| page(c, &voirie, &duisans, 0, 10)).unwrap()),
            ["s1"]
        );
        let dated = Filter {
            received_from: Some("2026-01-02T00:00:00.000Z".into()),
            received_before: Some("2026-01-03T00:00:00.000Z".into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&db.with(|c| page(c, &voirie, &dated, 0, 10)).unwrap()),
            ["s2"]
        );
        let by_receipt = Filter {
            receipt: Some("AB4%".into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&db.with(|c| page(c, &voirie, &by_receipt, 0, 10)).unwrap()),
            ["s3"]
        );
        let paged = db
            .with(|c| page(c, &voirie, &Filter::default(), 1, 1))
            .unwrap();
        assert_eq!(ids(&paged), ["s2"]);

        let treated = Filter {
            status: Some(RequestStatus::Traite),
            ..Filter::default()
        };
        let counts = db.with(|c| counts_by_status(c, &voirie, &treated)).unwrap();
        assert_eq!(
            counts,
            [
                (RequestStatus::Recu, 1),
                (RequestStatus::EnCours, 1),
                (RequestStatus::Traite, 1),
                (RequestStatus::Rejete, 0)
            ]
        );
        assert_eq!(
            db.with(|c| communes(c, &voirie)).unwrap(),
            ["Duisans", "Tincques"]
        );
        assert_eq!(
            db.with(|c| flows(c, &voirie)).unwrap(),
            ["eclairage", "voirie"]
        );
        assert_eq!(
            db.with(|c| services(c, &Scope::All)).unwrap(),
            ["petite-enfance", "voirie"]
        );

        assert!(db.with(|c| detail(c, &voirie, "s4")).unwrap().is_none());
        assert!(db.with(|c| detail(c, &voirie, "s9")).unwrap().is_none());
        let detail = db.with(|c| detail(c, &Scope::All, "s4")).unwrap().unwrap();
        assert_eq!(detail.submission.receipt, "AB5-555");
        assert!(!detail.submission.urgent);
        let urgent = db
            .with(|c| super::detail(c, &Scope::All, "s3"))
            .unwrap()
            .unwrap();
        assert!(urgent.submission.urgent);
        assert_eq!(detail.kiosk_place.as_deref(), Some("Duisans"));
    }
}
