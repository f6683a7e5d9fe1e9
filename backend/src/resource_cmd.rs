//! `backend resource add|list|block|unblock` and `backend booking confirm|decline`: the
//! bookable resources and their bookings from the command line.

use crate::data_dir::DataDir;
use crate::db::{self, bookings, resources};
use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use kiosk_flow::booking::{BookingState, ResourceKind};
use kiosk_sync::wire::normalize_receipt;
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Ajoute une ressource réservable (salle, lot de matériel, places).
    Add {
        /// Identifiant, celui du « resource: » des parcours (par exemple salle-62276).
        id: String,
        /// Nom lisible, par exemple « Salle des fêtes de Duisans ».
        #[arg(long)]
        name: String,
        /// Sorte : salle, materiel ou places.
        #[arg(long, value_parser = parse_kind)]
        kind: ResourceKind,
        /// Service dont les agents décident (celui des parcours).
        #[arg(long)]
        service: String,
        /// Commune de la ressource.
        #[arg(long)]
        commune: Option<String>,
        /// Quantité totale (1 pour une salle ; 40 chaises ; 12 places).
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        /// Quantité au plus par réservation (par défaut : toute la quantité).
        #[arg(long)]
        per_booking: Option<u32>,
        /// Jours d'ouverture, par exemple « vendredi,samedi,dimanche », ou « tous ».
        #[arg(long, default_value = "tous")]
        weekdays: String,
        /// Ouvert aussi les jours fériés.
        #[arg(long)]
        open_on_holidays: bool,
        /// Jours de délai au moins entre la demande et le jour réservé.
        #[arg(long, default_value_t = 7)]
        notice_days: u32,
        /// Jours à l'avance au plus.
        #[arg(long, default_value_t = 365)]
        horizon_days: u32,
        /// Confirme tout de suite une demande qui tient encore.
        #[arg(long)]
        auto_confirm: bool,
    },
    /// Liste les ressources, avec l'adresse secrète de leur calendrier iCalendar.
    List,
    /// Bloque un jour ou une période (fermeture, travaux) : il n'est plus proposé.
    Block {
        id: String,
        /// Premier jour (AAAA-MM-JJ).
        first: NaiveDate,
        /// Dernier jour, inclus (par défaut : le premier).
        last: Option<NaiveDate>,
        /// Raison, pour les agents.
        #[arg(long)]
        note: Option<String>,
    },
    /// Débloque un jour.
    Unblock { id: String, day: NaiveDate },
}

#[derive(Debug, Subcommand)]
pub enum BookingCommand {
    /// Confirme la réservation d'une demande (par son code de suivi).
    Confirm {
        receipt: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Refuse la réservation d'une demande, avec un message pour l'usager.
    Decline {
        receipt: String,
        #[arg(long)]
        note: Option<String>,
    },
}

fn parse_kind(word: &str) -> Result<ResourceKind, String> {
    ResourceKind::from_keyword(word)
        .ok_or_else(|| format!("sorte inconnue « {word} » : salle, materiel ou places"))
}

pub fn run(data_dir: &DataDir, command: ResourceCommand) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let mut out = io::stdout().lock();
    match command {
        ResourceCommand::Add {
            id,
            name,
            kind,
            service,
            commune,
            quantity,
            per_booking,
            weekdays,
            open_on_holidays,
            notice_days,
            horizon_days,
            auto_confirm,
        } => {
            let new = resources::NewResource {
                id,
                name,
                kind,
                service,
                commune,
                capacity: quantity,
                per_booking,
                weekdays: resources::parse_weekdays(&weekdays)?,
                holidays_closed: !open_on_holidays,
                notice_days,
                horizon_days,
                auto_confirm,
            };
            let added = db.with(|c| resources::add(c, &new, &db::now()))?;
            writeln!(out, "Ressource « {} » ajoutée.", added.id)?;
            writeln!(
                out,
                "Calendrier iCalendar : /reservations/ical/{}.ics",
                added.ical_token
            )?;
        }
        ResourceCommand::List => {
            for r in db.with(|c| resources::list(c))? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tquantité {}\t{}\t{}\t/reservations/ical/{}.ics",
                    r.id,
                    r.name,
                    r.kind.keyword(),
                    r.service,
                    r.capacity,
                    resources::weekdays_french(&r.weekdays),
                    if r.auto_confirm {
                        "confirmation automatique"
                    } else {
                        "confirmation par un agent"
                    },
                    r.ical_token
                )?;
            }
        }
        ResourceCommand::Block {
            id,
            first,
            last,
            note,
        } => {
            let last = last.unwrap_or(first);
            let added =
                db.with(|c| resources::block(c, &id, first, last, note.as_deref(), &db::now()))?;
            writeln!(out, "{added} jour(s) bloqué(s) pour « {id} ».")?;
        }
        ResourceCommand::Unblock { id, day } => {
            if !db.with(|c| resources::unblock(c, &id, day))? {
                eprintln!("Le {day} n'était pas bloqué pour « {id} ».");
                return Ok(ExitCode::from(1));
            }
            writeln!(out, "Le {day} est débloqué pour « {id} ».")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_booking(data_dir: &DataDir, command: BookingCommand) -> anyhow::Result<ExitCode> {
    let (receipt, state, note) = match command {
        BookingCommand::Confirm { receipt, note } => (receipt, BookingState::Confirmed, note),
        BookingCommand::Decline { receipt, note } => (receipt, BookingState::Declined, note),
    };
    let receipt = normalize_receipt(&receipt).context("code de suivi mal formé")?;
    let db = data_dir.open_db()?;
    db.with(|c| {
        let id: String = c
            .query_row(
                "SELECT id FROM submissions WHERE receipt = ?1",
                [&receipt],
                |r| r.get(0),
            )
            .with_context(|| format!("aucune demande avec le code {receipt}"))?;
        bookings::agent_decides(c, &id, state, note.as_deref(), ("cli", None), &db::now())
    })?;
    println!("Réservation {receipt} : {}.", state.french());
    Ok(ExitCode::SUCCESS)
}
