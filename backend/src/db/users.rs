//! Agents, ambassadors and administrators: accounts (email, name, role, argon2 hash), the services an
//! agent works for, password changes and deactivation. Changing a password or deactivating
//! an account ends its sessions.

use anyhow::{bail, Context};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sees and processes the requests of their services.
    Agent,
    /// Sees every request, and manages services, accounts and kiosks.
    Admin,
    /// A digital mediator: sees the kiosks they supervise and their calls for help
    /// ([`crate::db::ambassadors`]), never a request.
    Ambassador,
}

impl Role {
    pub fn as_db(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Ambassador => "ambassadeur",
        }
    }

    /// The role spelled `text` in the database, on the command line or in a form.
    pub fn from_db(text: &str) -> Option<Role> {
        match text.trim().to_lowercase().as_str() {
            "agent" => Some(Role::Agent),
            "admin" | "administrateur" => Some(Role::Admin),
            "ambassadeur" | "ambassadrice" | "ambassador" => Some(Role::Ambassador),
            _ => None,
        }
    }

    pub fn french(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "administrateur",
            Role::Ambassador => "ambassadeur",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub disabled_at: Option<String>,
    /// The ids of the services the account works for, sorted.
    pub services: Vec<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the account may open the ambassadors' pages (administrators see them all).
    pub fn sees_help_calls(&self) -> bool {
        matches!(self.role, Role::Ambassador | Role::Admin)
    }
}

const COLUMNS: &str = "id, email, name, role, created_at, disabled_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = row.get(3)?;
    let role = Role::from_db(&role).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            3,
            rusqlite::types::Type::Text,
            format!("rôle inconnu : {role}").into(),
        )
    })?;
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role,
        created_at: row.get(4)?,
        disabled_at: row.get(5)?,
        services: Vec::new(),
    })
}

fn with_services(conn: &Connection, mut user: User) -> anyhow::Result<User> {
    let mut stmt = conn.prepare_cached(
        "SELECT service_id FROM user_services WHERE user_id = ?1 ORDER BY service_id",
    )?;
    user.services = stmt
        .query_map([user.id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(user)
}

/// The normalized form of a typed email address, or the problem in French.
pub fn check_email(email: &str) -> Result<String, String> {
    let email = email.trim();
    match email.parse::<lettre::Address>() {
        Ok(_) => Ok(email.to_string()),
        Err(_) => Err(format!("L'adresse e-mail « {email} » n'est pas valide.")),
    }
}

/// Adds an account. `password_hash` comes from [`crate::passwords::hash`].
pub fn add(
    conn: &mut Connection,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    services: &[String],
    now: &str,
) -> anyhow::Result<User> {
    let email = check_email(email).map_err(anyhow::Error::msg)?;
    let name = name.trim();
    if name.is_empty() {
        bail!("le nom est obligatoire");
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?1)",
        [&email],
        |row| row.get(0),
    )?;
    if taken {
        bail!("un compte existe déjà pour {email}");
    }
    tx.execute(
        "INSERT INTO users (email, name, role, password_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![email, name, role.as_db(), password_hash, now],
    )?;
    let id = tx.last_insert_rowid();
    replace_services(&tx, id, services)?;
    tx.commit()?;
    get(conn, id)?.context("le compte ajouté a disparu")
}

/// Sets the services of account `id` to `services`, which must all exist.
fn replace_services(conn: &Connection, id: i64, services: &[String]) -> anyhow::Result<()> {
    let mut unknown = Vec::new();
    for service in services {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM services WHERE id = ?1)",
            [service],
            |row| row.get(0),
        )?;
        if !exists {
            unknown.push(service.as_str());
        }
    }
    if !unknown.is_empty() {
        bail!(
            "service(s) inconnu(s) : {} (ajoutez-les d'abord : backend service add ID --name NOM)",
            unknown.join(", ")
        );
    }
    conn.execute("DELETE FROM user_services WHERE user_id = ?1", [id])?;
    for service in services {
        conn.execute(
            "INSERT OR IGNORE INTO user_services (user_id, service_id) VALUES (?1, ?2)",
            params![id, service],
        )?;
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> anyhow::Result<Option<User>> {
    let user = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    user.map(|user| with_services(conn, user)).transpose()
}

/// The account for `email` (case-insensitive) and its password hash.
pub fn by_email(conn: &Connection, email: &str) -> anyhow::Result<Option<(User, String)>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE email = ?1"
        ))?
        .query_row([email.trim()], |row| Ok((from_row(row)?, row.get(6)?)))
        .optional()?;
    found
        .map(|(user, hash)| Ok((with_services(conn, user)?, hash)))
        .transpose()
}

/// The password hash of account `id`.
pub fn password_hash(conn: &Connection, id: i64) -> anyhow::Result<Option<String>> {
    let hash = conn
        .query_row(
            "SELECT password_hash FROM users WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(hash)
}

/// Every account, by name.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM users ORDER BY name COLLATE NOCASE, id"
    ))?;
    let users: Vec<User> = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    users
        .into_iter()
        .map(|user| with_services(conn, user))
        .collect()
}

/// Changes an account's name, role and services. `None` if there is no such account.
pub fn update(
    conn: &mut Connection,
    id: i64,
    name: &str,
    role: Role,
    services: &[String],
) -> anyhow::Result<Option<User>> {
    let name = name.trim();
    if name.is_empty() {
        bail!("le nom est obligatoire");
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE users SET name = ?2, role = ?3 WHERE id = ?1",
        params![id, name, role.as_db()],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    replace_services(&tx, id, services)?;
    tx.commit()?;
    get(conn, id)
}

/// Replaces the password of account `id` and ends its sessions. `false` if no such account.
pub fn set_password(conn: &mut Connection, id: i64, password_hash: &str) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![id, password_hash],
    )?;
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    tx.commit()?;
    Ok(changed > 0)
}

/// Deactivates (`Some(now)`) or reactivates (`None`) account `id`; deactivation ends its
/// sessions. `false` if no such account.
pub fn set_disabled(
    conn: &mut Connection,
    id: i64,
    disabled_at: Option<&str>,
) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE users SET disabled_at = ?2 WHERE id = ?1",
        params![id, disabled_at],
    )?;
    if disabled_at.is_some() {
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    }
    tx.commit()?;
    Ok(changed > 0)
}

/// How many active administrators there are (the last one cannot be demoted or disabled).
pub fn active_admins(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
        [],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{services, Db};

    #[test]
    fn accounts_have_services_and_unique_emails() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let input = services::check("Voirie", None, None).unwrap();
        db.with(|c| services::add(c, "voirie", &input, "t"))
            .unwrap();
        let unknown = db.with(|c| {
            add(
                c,
                "a@example.org",
                "A",
                Role::Agent,
                "h",
                &["eclairage".into()],
                "t",
            )
        });
        assert!(unknown.unwrap_err().to_string().contains("eclairage"));
        let user = db
            .with(|c| {
                add(
                    c,
                    " Agent@Example.org ",
                    "Agnès",
                    Role::Agent,
                    "h",
                    &["voirie".into()],
                    "t",
                )
            })
            .unwrap();
        assert_eq!(user.email, "Agent@Example.org");
        assert_eq!(user.services, vec!["voirie".to_string()]);
        assert!(db
            .with(|c| add(c, "agent@example.org", "B", Role::Agent, "h", &[], "t"))
            .is_err());
        let (found, hash) = db
            .with(|c| by_email(c, "AGENT@example.org"))
            .unwrap()
            .unwrap();
        assert_eq!((found.id, hash.as_str()), (user.id, "h"));
        assert!(db
            .with(|c| add(c, "pas-une-adresse", "C", Role::Admin, "h", &[], "t"))
            .is_err());

        let updated = db
            .with(|c| update(c, user.id, "Agnès B.", Role::Admin, &[]))
            .unwrap()
            .unwrap();
        assert!(updated.is_admin());
        assert!(updated.services.is_empty());
        assert_eq!(db.with(|c| active_admins(c)).unwrap(), 1);
        assert!(db.with(|c| set_disabled(c, user.id, Some("t2"))).unwrap());
        assert_eq!(db.with(|c| active_admins(c)).unwrap(), 0);
        assert!(db.with(|c| set_password(c, user.id, "h2")).unwrap());
        assert_eq!(
            db.with(|c| password_hash(c, user.id)).unwrap().as_deref(),
            Some("h2")
        );
        assert!(!db.with(|c| set_password(c, 999, "h2")).unwrap());
    }
}
