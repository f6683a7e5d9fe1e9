//! The `backend` command line: `init`, `kiosk add|list|revoke`, `serve`, `submissions`,
//! `status set`. Messages are French; results go to stdout, explanations to stderr.

use crate::data_dir::DataDir;
use crate::db::{self, kiosks, submissions};
use crate::secrets;
use crate::serve::{serve, shutdown_signal};
use crate::state::AppState;
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use kiosk_sync::wire::{normalize_receipt, RequestStatus};
use serde::Serialize;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "backend",
    version,
    about = "Back end intercommunal des bornes : API des bornes et administration"
)]
pub struct Cli {
    /// Dossier des données (base SQLite et clé secrète).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "./.backend-data"
    )]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée le dossier des données, la base et la paire de clés (une seule fois).
    Init,
    /// Gère les bornes : ajout, liste, révocation.
    Kiosk {
        #[command(subcommand)]
        command: KioskCommand,
    },
    /// Lance l'API des bornes.
    Serve {
        /// Adresse d'écoute (port 0 : un port libre au hasard).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Affiche les demandes reçues, ouvertes.
    Submissions {
        /// Une ligne JSON par demande, réponses comprises.
        #[arg(long)]
        json: bool,
    },
    /// Statut des demandes.
    Status {
        #[command(subcommand)]
        command: StatusCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KioskCommand {
    /// Ajoute une borne et affiche son code d'enrôlement à usage unique.
    Add {
        /// Nom de la borne (unique), par exemple « Mairie de Duisans ».
        name: String,
        /// Lieu de la borne.
        #[arg(long)]
        place: String,
    },
    /// Liste les bornes.
    List,
    /// Révoque une borne : son jeton ne marche plus.
    Revoke {
        /// Nom ou identifiant de la borne.
        name_or_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Change le statut d'une demande (recu, en_cours, traite, rejete).
    Set {
        /// Code de reçu, par exemple AB3-7KQ.
        receipt: String,
        /// Nouveau statut : recu, en_cours, traite ou rejete.
        #[arg(value_parser = parse_status)]
        status: RequestStatus,
        /// Note pour l'usager (lue par la borne).
        #[arg(long)]
        note: Option<String>,
    },
}

/// Who `status set` is recorded as in the history.
const BY_CLI: &str = "cli";

fn parse_status(text: &str) -> Result<RequestStatus, String> {
    let folded: String = text
        .trim()
        .to_lowercase()
        .replace('ç', "c")
        .replace('é', "e")
        .replace(['-', ' '], "_");
    submissions::status_from_db(&folded)
        .ok_or_else(|| format!("statut inconnu « {text} » : recu, en_cours, traite ou rejete"))
}

/// Runs one command; the exit code on success, an error (printed by `main`) otherwise.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = DataDir::new(cli.data_dir);
    match cli.command {
        Command::Init => init(&data_dir),
        Command::Kiosk { command } => match command {
            KioskCommand::Add { name, place } => kiosk_add(&data_dir, &name, &place),
            KioskCommand::List => kiosk_list(&data_dir),
            KioskCommand::Revoke { name_or_id } => kiosk_revoke(&data_dir, &name_or_id),
        },
        Command::Serve { listen } => serve_command(&data_dir, &listen),
        Command::Submissions { json } => list_submissions(&data_dir, json),
        Command::Status { command } => match command {
            StatusCommand::Set {
                receipt,
                status,
                note,
            } => status_set(&data_dir, &receipt, status, note.as_deref()),
        },
    }
}

fn init(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let done = data_dir.init()?;
    eprintln!("Dossier des données prêt : {}", data_dir.root().display());
    eprintln!("  base : {}", done.db_path.display());
    eprintln!(
        "  clé secrète : {} (à sauvegarder, ne jamais la partager)",
        done.key_path.display()
    );
    eprintln!("Clé publique (envoyée aux bornes à l'enrôlement) :");
    println!("{}", done.public_key);
    Ok(ExitCode::SUCCESS)
}

fn kiosk_add(data_dir: &DataDir, name: &str, place: &str) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let added = db.with(|conn| kiosks::add(conn, name, place, &db::now()))?;
    eprintln!(
        "Borne « {} » ajoutée à {} (identifiant {}, préfixe des reçus {}).",
        added.kiosk.name, added.kiosk.place, added.kiosk.id, added.kiosk.receipt_prefix
    );
    eprintln!(
        "Code d'enrôlement à saisir sur la borne à son installation. Il ne sert qu'une fois \
         et n'est plus affiché : notez-le maintenant."
    );
    println!("{}", secrets::display_enrolment_code(&added.code));
    Ok(ExitCode::SUCCESS)
}

fn kiosk_list(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let all = db.with(|conn| kiosks::list(conn))?;
    if all.is_empty() {
        eprintln!("Aucune borne. Ajoutez-en une : backend kiosk add NOM --place LIEU");
        return Ok(ExitCode::SUCCESS);
    }
    let yes_no = |flag: bool| if flag { "oui" } else { "non" };
    let mut rows = vec![[
        "NOM".to_string(),
        "LIEU".to_string(),
        "ENRÔLÉE".to_string(),
        "RÉVOQUÉE".to_string(),
        "DERNIER CONTACT".to_string(),
        "FILE D'ATTENTE".to_string(),
    ]];
    for kiosk in &all {
        rows.push([
            kiosk.name.clone(),
            kiosk.place.clone(),
            yes_no(kiosk.enrolled_at.is_some()).to_string(),
            yes_no(kiosk.revoked_at.is_some()).to_string(),
            kiosk
                .last_seen_at
                .clone()
                .unwrap_or_else(|| "jamais".into()),
            kiosk
                .queue_length
                .map_or_else(|| "-".into(), |n| n.to_string()),
        ]);
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = width - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn kiosk_revoke(data_dir: &DataDir, name_or_id: &str) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let revoked = db.with(|conn| kiosks::revoke(conn, name_or_id, &db::now()))?;
    if revoked.already {
        eprintln!(
            "La borne « {} » était déjà révoquée (depuis {}).",
            revoked.kiosk.name,
            revoked.kiosk.revoked_at.as_deref().unwrap_or("?")
        );
    } else {
        eprintln!(
            "Borne « {} » révoquée : son jeton est refusé dès maintenant.",
            revoked.kiosk.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn serve_command(data_dir: &DataDir, listen: &str) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();
    let state = AppState::open(data_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("impossible de démarrer le moteur asynchrone")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("impossible d'écouter sur {listen}"))?;
        let address = listener.local_addr()?;
        println!("Le back end écoute sur http://{address}");
        io::stdout().flush()?;
        serve(listener, state, shutdown_signal())
            .await
            .context("le serveur s'est arrêté sur une erreur")?;
        eprintln!("Le back end s'est arrêté.");
        Ok(ExitCode::SUCCESS)
    })
}

/// One line of `backend submissions --json`.
#[derive(Serialize)]
struct SubmissionLine<'a> {
    id: &'a str,
    kiosk_id: &'a str,
    flow_id: &'a str,
    flow_version: u32,
    service: &'a str,
    receipt: &'a str,
    created_at: &'a str,
    received_at: &'a str,
    status: RequestStatus,
    answers: serde_json::Value,
}

fn list_submissions(data_dir: &DataDir, json: bool) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut count = 0usize;
    let written = db.with(|conn| {
        submissions::for_each(conn, |s| {
            count += 1;
            if json {
                let answers = serde_json::from_str(&s.answers_json)
                    .with_context(|| format!("réponses illisibles pour la demande {}", s.id))?;
                let line = SubmissionLine {
                    id: &s.id,
                    kiosk_id: &s.kiosk_id,
                    flow_id: &s.flow_id,
                    flow_version: s.flow_version,
                    service: &s.service,
                    receipt: &s.receipt,
                    created_at: &s.created_at,
                    received_at: &s.received_at,
                    status: s.status,
                    answers,
                };
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}  {}  {} v{}  reçue le {}  {}",
                    s.receipt,
                    s.service,
                    s.flow_id,
                    s.flow_version,
                    s.received_at,
                    s.status.french()
                )?;
            }
            Ok(())
        })
    });
    let flushed = written.and_then(|()| out.flush().map_err(anyhow::Error::from));
    if let Err(error) = flushed {
        // `backend submissions --json | head` is not an error.
        let broken_pipe = error
            .chain()
            .filter_map(|cause| cause.downcast_ref::<io::Error>())
            .any(|io| io.kind() == io::ErrorKind::BrokenPipe);
        if broken_pipe {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(error);
    }
    if !json {
        eprintln!("{count} demande(s).");
    }
    Ok(ExitCode::SUCCESS)
}

fn status_set(
    data_dir: &DataDir,
    receipt: &str,
    status: RequestStatus,
    note: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let Some(normalized) = normalize_receipt(receipt) else {
        bail!("« {receipt} » n'est pas un code de reçu (six caractères, comme AB3-7KQ)");
    };
    let db = data_dir.open_db()?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let found = db.with(|conn| {
        submissions::set_status(conn, &normalized, status, note, BY_CLI, &db::now())
    })?;
    if !found {
        bail!("aucune demande n'a le reçu {normalized}");
    }
    eprintln!("Demande {normalized} : {}.", status.french());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_forgiving() {
        assert_eq!(parse_status("reçu"), Ok(RequestStatus::Recu));
        assert_eq!(parse_status("en-cours"), Ok(RequestStatus::EnCours));
        assert_eq!(parse_status("Traité"), Ok(RequestStatus::Traite));
        assert_eq!(parse_status("rejete"), Ok(RequestStatus::Rejete));
        assert!(parse_status("fini").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
