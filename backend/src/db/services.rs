//! Services: the intercommunality's departments that receive requests ("voirie",
//! "petite-enfance"), each with an optional address to announce new requests by email and an
//! optional webhook, signed with its own secret.

use crate::secrets;
use anyhow::bail;
use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// As flows name it (`service: voirie`).
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the webhook; set whenever `webhook_url` is.
    pub webhook_secret: Option<String>,
    pub created_at: String,
    /// How many days its requests are kept after their last change; `None`: the default
    /// ([`crate::db::retention::DEFAULT_RETENTION_DAYS`]).
    pub retention_days: Option<u32>,
}

impl Service {
    /// The retention period in force, in days.
    pub fn retention(&self) -> u32 {
        self.retention_days
            .unwrap_or(crate::db::retention::DEFAULT_RETENTION_DAYS)
    }
}

/// What an administrator types to create or change a service (already trimmed and checked by
/// [`check`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceInput {
    pub name: String,
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    /// Set apart from [`check`], by [`crate::db::retention::parse_days`]; `None`: the default.
    pub retention_days: Option<u32>,
}

const COLUMNS: &str = "id, name, email, webhook_url, webhook_secret, created_at, retention_days";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        webhook_url: row.get(3)?,
        webhook_secret: row.get(4)?,
        created_at: row.get(5)?,
        retention_days: row.get(6)?,
    })
}

/// Whether `id` can name a service: `[a-z0-9_-]{1,64}`, as flows name it
/// ([`kiosk_flow::ids::is_valid_id`]).
pub fn valid_id(id: &str) -> bool {
    kiosk_flow::ids::is_valid_id(id)
}

/// Checks and normalizes what was typed: every problem, in French, at once.
/// A webhook's address, trimmed, if it is an http or https address; else the problem in
/// French.
pub fn check_webhook_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(url.to_string())
        }
        _ => Err(format!(
            "L'adresse du webhook « {url} » n'est pas une adresse http ou https."
        )),
    }
}

pub fn check(
    name: &str,
    email: Option<&str>,
    webhook_url: Option<&str>,
) -> Result<ServiceInput, Vec<String>> {
    let mut problems = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        problems.push("Le nom du service est obligatoire.".to_string());
    }
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email {
        if email.parse::<lettre::Address>().is_err() {
            problems.push(format!("L'adresse e-mail « {email} » n'est pas valide."));
        }
    }
    let webhook_url = webhook_url.map(str::trim).filter(|u| !u.is_empty());
    if let Some(url) = webhook_url {
        if let Err(problem) = check_webhook_url(url) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(ServiceInput {
            name: name.to_string(),
            email: email.map(str::to_string),
            webhook_url: webhook_url.map(str::to_string),
            retention_days: None,
        })
    } else {
        Err(problems)
    }
}

/// Adds a service. A webhook gets a fresh secret.
pub fn add(
    conn: &Connection,
    id: &str,
    input: &ServiceInput,
    now: &str,
) -> anyhow::Result<Service> {
    if !valid_id(id) {
        bail!(
            "identifiant de service invalide « {} » : lettres minuscules, chiffres, - et _, \
             64 caractères au plus (comme dans les démarches, par exemple « voirie »)",
            id.escape_debug()
        );
    }
    if get(conn, id)?.is_some() {
        bail!("le service « {id} » existe déjà");
    }
    let secret = input.webhook_url.as_ref().map(|_| secrets::new_token());
    conn.execute(
        "INSERT INTO services (id, name, email, webhook_url, webhook_secret, created_at, \
         retention_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            input.name,
            input.email,
            input.webhook_url,
            secret,
            now,
            input.retention_days
        ],
    )?;
    get(conn, id)?.ok_or_else(|| anyhow::anyhow!("le service « {id} » a disparu"))
}

/// Changes a service's name, email, webhook and retention period. A webhook keeps its secret unless
/// `new_secret` (or it had none); removing the webhook removes its secret.
pub fn update(
    conn: &Connection,
    id: &str,
    input: &ServiceInput,
    new_secret: bool,
) -> anyhow::Result<Option<Service>> {
    let Some(current) = get(conn, id)? else {
        return Ok(None);
    };
    let secret = match (&input.webhook_url, current.webhook_secret) {
        (None, _) => None,
        (Some(_), Some(secret)) if !new_secret => Some(secret),
        (Some(_), _) => Some(secrets::new_token()),
    };
    conn.execute(
        "UPDATE services SET name = ?2, email = ?3, webhook_url = ?4, webhook_secret = ?5, \
         retention_days = ?6 WHERE id = ?1",
        params![
            id,
            input.name,
            input.email,
            input.webhook_url,
            secret,
            input.retention_days
        ],
    )?;
    get(conn, id)
}

/// Deletes a service and its agents' membership; its requests stay (administrators see
/// them). `false` if there was no such service.
pub fn delete(conn: &Connection, id: &str) -> anyhow::Result<bool> {
    Ok(conn.execute("DELETE FROM services WHERE id = ?1", [id])? > 0)
}

pub fn get(conn: &Connection, id: &str) -> anyhow::Result<Option<Service>> {
    let service = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM services WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    Ok(service)
}

/// Every service, by name.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<Service>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM services ORDER BY name COLLATE NOCASE, id"
    ))?;
    let services = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn services_are_checked_added_changed_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let problems = check(" ", Some("pas-une-adresse"), Some("ftp://x")).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let input = check(" Voirie ", Some("voirie@example.org"), None).unwrap();
        assert_eq!(input.name, "Voirie");
        assert!(db.with(|c| add(c, "Voirie", &input, "t")).is_err());
        let added = db.with(|c| add(c, "voirie", &input, "t")).unwrap();
        assert_eq!(added.webhook_secret, None);
        assert!(db.with(|c| add(c, "voirie", &input, "t")).is_err());

        let hooked = check("Voirie", None, Some("https://outil.example.org/hook")).unwrap();
        let changed = db
            .with(|c| update(c, "voirie", &hooked, false))
            .unwrap()
            .unwrap();
        let secret = changed.webhook_secret.clone().unwrap();
        let kept = db
            .with(|c| update(c, "voirie", &hooked, false))
            .unwrap()
            .unwrap();
        assert_eq!(kept.webhook_secret.as_deref(), Some(secret.as_str()));
        let renewed = db
            .with(|c| update(c, "voirie", &hooked, true))
            .unwrap()
            .unwrap();
        assert_ne!(renewed.webhook_secret.as_deref(), Some(secret.as_str()));
        let unhooked = db
            .with(|c| update(c, "voirie", &input, false))
            .unwrap()
            .unwrap();
        assert_eq!(unhooked.webhook_secret, None);

        assert_eq!(db.with(|c| list(c)).unwrap().len(), 1);
        assert!(db.with(|c| delete(c, "voirie")).unwrap());
        assert!(!db.with(|c| delete(c, "voirie")).unwrap());
    }
}
