//! `backend open311 key add|list|revoke`: the API keys of Open311 clients (other channels
//! that post reports: a town's website, a mobile app). A key is shown once, at creation.

use crate::data_dir::DataDir;
use crate::db::{self, open311};
use clap::Subcommand;
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum Open311Command {
    /// Gère les clés api_key des clients Open311.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Crée la clé d'un client (affichée une seule fois).
    Add {
        /// Nom du client, par exemple « Site de la mairie de Duisans ».
        name: String,
    },
    /// Liste les clients et leur état.
    List,
    /// Révoque la clé d'un client : elle ne marche plus.
    Revoke {
        /// Nom ou identifiant du client.
        name_or_id: String,
    },
}

pub fn run(data_dir: &DataDir, command: Open311Command) -> anyhow::Result<ExitCode> {
    let Open311Command::Key { command } = command;
    let db = data_dir.open_db()?;
    let mut out = io::stdout().lock();
    match command {
        KeyCommand::Add { name } => {
            let (client, key) = db.with(|conn| open311::add_client(conn, &name, &db::now()))?;
            writeln!(out, "{key}")?;
            eprintln!(
                "Clé api_key du client « {} » (préfixe des codes de suivi : {}). \
                 Donnez-la-lui par un moyen sûr : elle ne sera plus affichée.",
                client.name, client.receipt_prefix
            );
        }
        KeyCommand::List => {
            for client in db.with(|conn| open311::clients(conn))? {
                let state = match &client.revoked_at {
                    Some(at) => format!("révoqué le {at}"),
                    None => "actif".to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\tpréfixe {}\tcréé le {}\t{state}",
                    client.name, client.id, client.receipt_prefix, client.created_at
                )?;
            }
        }
        KeyCommand::Revoke { name_or_id } => {
            if db.with(|conn| open311::revoke_client(conn, &name_or_id, &db::now()))? {
                eprintln!("Clé révoquée : « {name_or_id} » ne peut plus envoyer de signalement.");
            } else {
                eprintln!("« {name_or_id} » était déjà révoqué.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
