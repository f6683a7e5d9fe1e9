//! `kiosk enroll`, `sync`, `outbox` and `status`: the store, the back end and the wire between.

use crate::catalog_sync::{self, CatalogOutcome};
use crate::sync_loop;
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::Duration;

pub fn open_store(data_dir: &std::path::Path) -> Result<kiosk_store::Store> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("impossible de créer {}", data_dir.display()))?;
    Ok(kiosk_store::Store::open(data_dir.join("kiosk.db"))?)
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub fn client_for(store: &kiosk_store::Store) -> Result<kiosk_sync::client::Client> {
    let identity = store
        .identity()?
        .context("la borne n'est pas inscrite : lancez d'abord « kiosk enroll URL CODE »")?;
    Ok(kiosk_sync::client::Client::new(
        &identity.backend_url,
        Some(identity.token.clone()),
    )?)
}

pub fn enroll(data_dir: &std::path::Path, url: &str, code: &str, force: bool) -> Result<ExitCode> {
    let _span = tracing::info_span!("enroll").entered();
    let store = open_store(data_dir)?;
    if let Err(refusal) = may_enroll(&store, force) {
        eprintln!("{refusal}");
        return Ok(ExitCode::FAILURE);
    }
    let client = kiosk_sync::client::Client::new(url, None)?;
    warn_if_plain_http(&client, url);
    let response = match runtime()?.block_on(client.enroll(code)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Inscription refusée : {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    store.set_identity(&kiosk_store::Identity::from_enrollment(
        &response,
        url,
        chrono::Utc::now(),
    ))?;
    println!(
        "Borne inscrite : {} ({}), identifiant {}",
        response.name, response.place, response.kiosk_id
    );
    println!(
        "Empreinte des clés du serveur : {}",
        kiosk_sync::wire::key_fingerprint(&response.public_key, &response.catalog_key)
    );
    println!(
        "Comparez-la avec celle qu'affiche le serveur (backend init, backend kiosk add ou la \
         page des bornes). Si elles diffèrent, ne mettez pas la borne en service : \
         prévenez l'administrateur."
    );
    Ok(ExitCode::SUCCESS)
}

/// Warns (stderr) when the back end is reached over plain http on another machine.
fn warn_if_plain_http(client: &kiosk_sync::client::Client, url: &str) {
    if client.is_plain_http_outside_loopback() {
        eprintln!(
            "Attention : {url} est en http, sans chiffrement. Sur le réseau, quelqu'un pourrait \
             lire le jeton de la borne et remplacer la clé du serveur. Utilisez une adresse \
             https, ou vérifiez bien l'empreinte des clés affichée ci-dessous."
        );
    }
}

/// Whether `kiosk enroll` may replace the identity: not while submissions or calls for help
/// wait to be sent (they are sealed to, and sent under, the current one). With `force`, only
/// once nothing is pending any more (a successful `kiosk sync --once --all`): what the back
/// end refused stays on the kiosk, sealed to its old key, shown as refused.
fn may_enroll(store: &kiosk_store::Store, force: bool) -> Result<(), String> {
    if store.identity().ok().flatten().is_none() {
        return Ok(());
    }
    let pending = store.pending_count().map_err(|e| e.to_string())?;
    let refused = store.refused_count().map_err(|e| e.to_string())?;
    if pending > 0 {
        return Err(format!(
            "Inscription refusée : {pending} envoi(s) attendent encore le back end de l'inscription \
             actuelle. Lancez d'abord « kiosk sync --once --all » jusqu'à ce qu'il réussisse.{}",
            if force {
                " (--force ne suffit pas : ces demandes seraient perdues.)"
            } else {
                ""
            }
        ));
    }
    if refused > 0 && !force {
        return Err(format!(
            "Inscription refusée : {refused} demande(s) refusée(s) par le back end restent sur la \
             borne. Pour réinscrire quand même, ajoutez --force : elles seront gardées, scellées à \
             l'ancienne clé, et montrées comme refusées."
        ));
    }
    Ok(())
}

/// `kiosk sync --retry-refused`: the supervisor's « Réessayer » from the command line.
pub fn retry_refused(data_dir: &std::path::Path) -> Result<ExitCode> {
    let store = open_store(data_dir)?;
    let count = store.retry_refused()?;
    println!("{count} demande(s) refusée(s) remise(s) en attente d'envoi.");
    Ok(ExitCode::SUCCESS)
}

pub fn sync(data_dir: &std::path::Path, once: bool, all: bool) -> Result<ExitCode> {
    let store = open_store(data_dir)?;
    let client = client_for(&store)?;
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let rt = runtime()?;
    if !once {
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        rt.block_on(async move {
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                stop.cancel();
            });
            sync_loop::run(
                store,
                client,
                data_dir.to_path_buf(),
                Duration::from_secs(2),
                shutdown,
                |_, _| {},
            )
            .await;
        });
        return Ok(ExitCode::SUCCESS);
    }
    let report = rt.block_on(sync_loop::sync_once(&store, &client, all))?;
    let catalog = rt.block_on(catalog_sync::catalog_pass(&store, &client))?;
    let availability = rt.block_on(sync_loop::availability_pass(&store, &client))?;
    let _ = rt.block_on(sync_loop::heartbeat(
        &store,
        &client,
        data_dir.to_path_buf(),
        report.last_error.clone(),
    ));
    println!(
        "{} envoyé(s), {} à réessayer, {} refusé(s), {} en attente.",
        report.delivered, report.retried, report.refused, report.remaining
    );
    if let Some(error) = &report.last_error {
        eprintln!("Dernière erreur : {error}");
    }
    if report.refused_total > 0 {
        eprintln!(
            "{} demande(s) refusée(s) par le back end attendent une personne : elles restent sur \
             la borne, réessayées chaque jour (ou « kiosk sync --retry-refused »).",
            report.refused_total
        );
    }
    match catalog {
        CatalogOutcome::Unchanged => {}
        CatalogOutcome::Installed { version, flows } => {
            println!("Catalogue des parcours version {version} installé : {flows} parcours.")
        }
        CatalogOutcome::Refused { reason, .. } => {
            eprintln!("Catalogue des parcours refusé, la borne garde ses parcours : {reason}")
        }
        CatalogOutcome::Failed(why) => eprintln!("Catalogue des parcours non vérifié : {why}"),
    }
    if availability.is_some() {
        println!("Disponibilités des réservations à jour.");
    }
    Ok(if report.remaining == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn outbox(data_dir: &std::path::Path) -> Result<ExitCode> {
    let store = open_store(data_dir)?;
    for item in store.outbox_listing(usize::MAX)? {
        let line = serde_json::json!({
            "id": item.id,
            "flow_id": item.flow_id,
            "flow_version": item.flow_version,
            "service": item.service,
            "receipt": item.receipt,
            "created_at": item.created_at,
            "state": item.state.as_str(),
            "attempts": item.attempts,
            "last_error": item.last_error,
            "delivered_at": item.delivered_at,
        });
        println!("{line}");
    }
    eprintln!("{} demande(s) en attente d'envoi.", store.pending_count()?);
    Ok(ExitCode::SUCCESS)
}

pub fn status(data_dir: &std::path::Path, receipt: &str) -> Result<ExitCode> {
    let Some(receipt) = kiosk_sync::wire::normalize_receipt(receipt) else {
        eprintln!("« {receipt} » n'est pas un code de suivi (6 caractères, par exemple AB3-7KQ).");
        return Ok(ExitCode::FAILURE);
    };
    let store = open_store(data_dir)?;
    let client = client_for(&store)?;
    match runtime()?.block_on(client.status(&receipt)) {
        Ok(Some(s)) => {
            println!("{}", serde_json::to_string(&s)?);
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            eprintln!("Le back end ne connaît pas le code {receipt}.");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
