//! Ambassadors (digital mediators): the kiosks each one supervises, and their own webhook
//! for new calls for help. What they may see is [`crate::db::help_calls::KioskScope`].

use super::kiosks::{self, Kiosk};
use super::users::{Role, User};
use anyhow::bail;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Makes `user` supervise exactly the kiosks named (or identified) in `kiosks`, which must
/// all exist; the account must be an ambassador's.
pub fn set_kiosks(conn: &mut Connection, user: &User, kiosks: &[String]) -> anyhow::Result<()> {
    if user.role != Role::Ambassador && !kiosks.is_empty() {
        bail!(
            "seul un compte ambassadeur supervise des bornes ({} est {})",
            user.email,
            user.role.french()
        );
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = resolve_kiosks(&tx, kiosks)?;
    tx.execute(
        "DELETE FROM ambassador_kiosks WHERE user_id = ?1",
        [user.id],
    )?;
    for id in ids {
        tx.execute(
            "INSERT OR IGNORE INTO ambassador_kiosks (user_id, kiosk_id) VALUES (?1, ?2)",
            params![user.id, id],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The ids of the kiosks named (or identified) in `kiosks`; an error names every unknown one.
pub fn resolve_kiosks(conn: &Connection, kiosks: &[String]) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for name in kiosks {
        let id: Option<String> = conn
            .query_row(
                "SELECT id FROM kiosks WHERE name = ?1 OR id = ?1",
                [name.trim()],
                |row| row.get(0),
            )
            .optional()?;
        match id {
            Some(id) => ids.push(id),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "borne(s) inconnue(s) : {} (voir backend kiosk list)",
            unknown.join(", ")
        );
    }
    Ok(ids)
}

/// The kiosks `user_id` supervises, by name.
pub fn kiosks_of(conn: &Connection, user_id: i64) -> anyhow::Result<Vec<Kiosk>> {
    let mine: Vec<String> = conn
        .prepare_cached("SELECT kiosk_id FROM ambassador_kiosks WHERE user_id = ?1")?
        .query_map([user_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(kiosks::list(conn)?
        .into_iter()
        .filter(|k| mine.contains(&k.id))
        .collect())
}

/// Gives `user` a webhook for new calls for help (`None`: removes it); returns the secret
/// that signs its deliveries, to show once.
pub fn set_webhook(
    conn: &Connection,
    user_id: i64,
    url: Option<&str>,
) -> anyhow::Result<Option<String>> {
    let (url, secret) = match url {
        Some(url) => {
            let url = super::services::check_webhook_url(url).map_err(anyhow::Error::msg)?;
            (Some(url), Some(crate::secrets::new_token()))
        }
        None => (None, None),
    };
    conn.execute(
        "UPDATE users SET webhook_url = ?2, webhook_secret = ?3 WHERE id = ?1",
        params![user_id, url, secret],
    )?;
    Ok(secret)
}

/// The webhook of `user_id`, if any: its address and secret.
pub fn webhook(conn: &Connection, user_id: i64) -> anyhow::Result<Option<(String, String)>> {
    let found: Option<(Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT webhook_url, webhook_secret FROM users WHERE id = ?1",
            [user_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    Ok(match found {
        Some((Some(url), Some(secret))) => Some((url, secret)),
        _ => None,
    })
}
