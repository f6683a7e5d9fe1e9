//! `backend flow publish|list|retire`: the catalog of published flows from the command line.
//! Problems go to stdout as `file:line:column: message` (as `kiosk flow check` prints them),
//! explanations to stderr; any error publishes nothing and exits 1.

use crate::data_dir::DataDir;
use crate::db::{self, flow_catalog};
use crate::publish;
use clap::Subcommand;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Who the command line publishes as, in the catalog's history.
const BY_CLI: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Vérifie et publie des parcours (et les jeux de données de leur dossier data/).
    Publish {
        /// Fichiers de parcours ou dossiers (comme « kiosk flow check »).
        #[arg(required = true, value_name = "FICHIER")]
        paths: Vec<PathBuf>,
        /// Borne qui reçoit ces parcours (répétable) ; sans --kiosk : toutes les bornes.
        #[arg(long = "kiosk", value_name = "NOM")]
        kiosks: Vec<String>,
    },
    /// Liste les parcours publiés, toutes versions.
    List,
    /// Retire un parcours : les bornes ne le proposent plus à leur prochaine synchronisation.
    Retire {
        /// Identifiant du parcours.
        id: String,
    },
}

pub fn run(data_dir: &DataDir, command: FlowCommand) -> anyhow::Result<ExitCode> {
    match command {
        FlowCommand::Publish { paths, kiosks } => publish_files(data_dir, &paths, &kiosks),
        FlowCommand::List => list(data_dir),
        FlowCommand::Retire { id } => retire(data_dir, &id),
    }
}

fn publish_files(
    data_dir: &DataDir,
    paths: &[PathBuf],
    kiosks: &[String],
) -> anyhow::Result<ExitCode> {
    let uploads = publish::uploads_from_paths(paths)?;
    let db = data_dir.open_db()?;
    // The key must be there before anything is published: kiosks install only signed catalogs.
    data_dir.load_signing_key()?;
    let checked = db.with(|conn| publish::check(conn, &uploads, kiosks))?;
    let mut out = io::stdout().lock();
    for line in checked.lines() {
        writeln!(out, "{line}")?;
    }
    let Some(publication) = checked.publication else {
        eprintln!(
            "{} erreur(s) : rien n'est publié. Corrigez-les, puis publiez à nouveau.",
            checked.error_count()
        );
        return Ok(ExitCode::FAILURE);
    };
    let revision = db.with(|conn| flow_catalog::publish(conn, &publication, BY_CLI, &db::now()))?;
    for flow in &publication.flows {
        eprintln!(
            "Publié : {} version {} « {} »",
            flow.id, flow.version, flow.title
        );
    }
    for dataset in &publication.datasets {
        eprintln!("Jeu de données publié : {}", dataset.id);
    }
    eprintln!(
        "Catalogue version {revision}, pour {}. Les bornes l'installent à leur prochaine \
         synchronisation, entre deux personnes.",
        if kiosks.is_empty() {
            "toutes les bornes".to_string()
        } else {
            format!("les bornes {}", kiosks.join(", "))
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn list(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let all = db.with(|conn| flow_catalog::list(conn))?;
    if all.is_empty() {
        eprintln!("Aucun parcours publié. Publiez-en un : backend flow publish FICHIER");
    }
    let mut out = io::stdout().lock();
    for flow in all {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            flow.id,
            flow.version,
            flow.title,
            flow.service,
            if flow.kiosks.is_empty() {
                "toutes".to_string()
            } else {
                flow.kiosks.join(",")
            },
            flow.published_by,
            flow.published_at,
            if flow.retired_at.is_some() {
                "retiré"
            } else {
                "publié"
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn retire(data_dir: &DataDir, id: &str) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    match db.with(|conn| flow_catalog::retire(conn, id, BY_CLI, &db::now()))? {
        Some(revision) => {
            eprintln!(
                "Parcours « {} » retiré (catalogue version {revision}) : les bornes ne le \
                 proposent plus après leur prochaine synchronisation.",
                id.trim()
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "Aucun parcours publié « {} » à retirer : voyez « backend flow list ».",
                id.trim()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
