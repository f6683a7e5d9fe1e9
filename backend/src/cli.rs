//! The `backend` command line: `init`, `kiosk add|code|list|revoke`, `service add|list`,
//! `user add|list|password`, `flow publish|list|retire` (in [`crate::flow_cmd`]), `serve`,
//! `submissions [purge]`, `backup`, `status set`. Messages are French;
//! results go to stdout, explanations to stderr.

use crate::config::{ConfigFile, CookieSecure};
use crate::data_dir::DataDir;
use crate::db::ambassadors;
use crate::db::users::{self, Role};
use crate::db::{self, kiosks, services, submissions};
use crate::opened;
use crate::passwords;
use crate::secrets;
use crate::serve::{serve, shutdown_signal};
use crate::state::AppState;
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use kiosk_sync::wire::{normalize_receipt, RequestStatus};
use serde::Serialize;
use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// Gère les services qui reçoivent les demandes.
    Service {
        #[command(subcommand)]
        command: ServiceCommand,
    },
    /// Gère les comptes des agents, des ambassadeurs et des administrateurs.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Publie des parcours aux bornes, les liste, les retire.
    Flow {
        #[command(subcommand)]
        command: crate::flow_cmd::FlowCommand,
    },
    /// Gère les ressources réservables : ajout, liste, jours bloqués.
    Resource {
        #[command(subcommand)]
        command: crate::resource_cmd::ResourceCommand,
    },
    /// Confirme ou refuse une réservation.
    Booking {
        #[command(subcommand)]
        command: crate::resource_cmd::BookingCommand,
    },
    /// Clés des clients Open311 (autres canaux qui envoient des signalements).
    Open311 {
        #[command(subcommand)]
        command: crate::open311_cmd::Open311Command,
    },
    /// Lance l'API des bornes, les pages des agents et les notifications.
    Serve {
        /// Adresse d'écoute (port 0 : un port libre au hasard).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Fichier de configuration TOML (par défaut : DIR/backend.toml s'il existe).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Adresse publique des pages (liens des e-mails), par exemple https://demandes.example.org.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// Drapeau Secure du cookie de session : auto (défaut), on ou off.
        #[arg(long, value_name = "auto|on|off")]
        cookie_secure: Option<CookieSecure>,
        /// Dossier des parcours livrés avec les bornes (pour ceux jamais publiés : leurs
        /// titres, et les signalements d'Open311).
        #[arg(long, value_name = "DIR")]
        flows: Option<PathBuf>,
    },
    /// Affiche les demandes reçues, ouvertes ; « purge » efface les anciennes.
    Submissions {
        /// Une ligne JSON par demande, réponses comprises.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<SubmissionsCommand>,
    },
    /// Sauvegarde la base (à chaud, serveur en marche), les clés et la configuration
    /// dans le dossier DEST (fichiers 0600, dossier 0700).
    Backup {
        /// Dossier de la sauvegarde (créé s'il n'existe pas ; jamais écrasé).
        dest: PathBuf,
    },
    /// Statut des demandes.
    Status {
        #[command(subcommand)]
        command: StatusCommand,
    },
    /// Affiche les appels à l'aide ouverts (pas encore terminés), du plus récent au plus ancien.
    HelpCalls {
        /// Une ligne JSON par appel.
        #[arg(long)]
        json: bool,
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
    /// Donne un nouveau code d'enrôlement à une borne (code expiré ou perdu, réinscription).
    Code {
        /// Nom ou identifiant de la borne.
        name_or_id: String,
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
pub enum ServiceCommand {
    /// Ajoute un service (son identifiant est celui des démarches : « service: voirie »).
    Add {
        /// Identifiant : lettres minuscules, chiffres, - et _ (par exemple voirie).
        id: String,
        /// Nom lisible, par exemple « Voirie et éclairage ».
        #[arg(long)]
        name: String,
        /// Adresse e-mail prévenue de chaque nouvelle demande.
        #[arg(long)]
        email: Option<String>,
        /// Adresse du webhook prévenu de chaque nouvelle demande (son secret est affiché) :
        /// https et adresse publique, sauf hôte dans [webhooks] allow de la configuration.
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
        /// Durée de conservation des demandes, en jours après leur dernier changement
        /// (défaut : 365).
        #[arg(long, value_name = "JOURS")]
        retention_days: Option<String>,
        /// Fichier de configuration TOML (par défaut : DIR/backend.toml s'il existe).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Liste les services.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ajoute un compte ; son mot de passe est lu sur l'entrée standard (--password-stdin)
    /// ou créé et affiché une seule fois.
    Add {
        /// Adresse e-mail (l'identifiant de connexion).
        email: String,
        /// Nom affiché.
        #[arg(long)]
        name: String,
        /// agent, ambassadeur ou admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Service de l'agent (répétable : --service voirie --service dechets).
        #[arg(long = "service", value_name = "ID")]
        services: Vec<String>,
        /// Borne que l'ambassadeur supervise, par son nom (répétable).
        #[arg(long = "kiosk", value_name = "NOM")]
        kiosks: Vec<String>,
        /// Adresse du webhook prévenu de chaque appel à l'aide aux bornes de l'ambassadeur
        /// (son secret est affiché une fois).
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
        /// Lit le mot de passe sur la première ligne de l'entrée standard.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Liste les comptes.
    List,
    /// Remplace le mot de passe d'un compte (lu sur l'entrée standard ou créé) et ferme
    /// ses sessions.
    Password {
        /// Adresse e-mail du compte.
        email: String,
        /// Lit le mot de passe sur la première ligne de l'entrée standard.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubmissionsCommand {
    /// Efface les demandes dont la durée de conservation est passée (celle de leur service,
    /// 365 jours par défaut), ou plus vieilles que --older-than.
    Purge {
        /// Efface les demandes sans changement depuis plus de JOURS jours (365 ou 365j),
        /// quel que soit leur service.
        #[arg(long, value_name = "JOURS", value_parser = parse_older_than)]
        older_than: Option<u32>,
        /// Compte sans rien effacer.
        #[arg(long)]
        dry_run: bool,
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

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_db(text)
        .ok_or_else(|| format!("rôle inconnu « {text} » : agent, ambassadeur ou admin"))
}

fn parse_older_than(text: &str) -> Result<u32, String> {
    match crate::db::retention::parse_days(text)? {
        Some(days) => Ok(days),
        None => Err("donnez un nombre de jours, par exemple 365".into()),
    }
}

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
            KioskCommand::Code { name_or_id } => kiosk_code(&data_dir, &name_or_id),
            KioskCommand::List => kiosk_list(&data_dir),
            KioskCommand::Revoke { name_or_id } => kiosk_revoke(&data_dir, &name_or_id),
        },
        Command::Service { command } => match command {
            ServiceCommand::Add {
                id,
                name,
                email,
                webhook,
                retention_days,
                config,
            } => {
                let policy = load_config(&data_dir, config.as_deref())?
                    .settings("127.0.0.1:0".parse()?)
                    .webhooks;
                let new = NewService {
                    id: &id,
                    name: &name,
                    email: email.as_deref(),
                    webhook: webhook.as_deref(),
                    retention_days: retention_days.as_deref(),
                };
                service_add(&data_dir, &new, &policy)
            }
            ServiceCommand::List => service_list(&data_dir),
        },
        Command::User { command } => match command {
            UserCommand::Add {
                email,
                name,
                role,
                services,
                kiosks,
                webhook,
                password_stdin,
            } => user_add(
                &data_dir,
                &NewAccount {
                    email: &email,
                    name: &name,
                    role,
                    services: &services,
                    kiosks: &kiosks,
                    webhook: webhook.as_deref(),
                },
                password_stdin,
            ),
            UserCommand::List => user_list(&data_dir),
            UserCommand::Password {
                email,
                password_stdin,
            } => user_password(&data_dir, &email, password_stdin),
        },
        Command::Flow { command } => crate::flow_cmd::run(&data_dir, command),
        Command::Resource { command } => crate::resource_cmd::run(&data_dir, command),
        Command::Booking { command } => crate::resource_cmd::run_booking(&data_dir, command),
        Command::Open311 { command } => crate::open311_cmd::run(&data_dir, command),
        Command::Serve {
            listen,
            config,
            public_url,
            cookie_secure,
            flows,
        } => {
            let mut file = load_config(&data_dir, config.as_deref())?;
            if let Some(url) = public_url {
                crate::config::check_public_url(&url).context("--public-url")?;
                file.web.public_url = Some(url);
            }
            if let Some(secure) = cookie_secure {
                file.web.cookie_secure = secure;
            }
            serve_command(&data_dir, &listen, &file, flows.as_deref())
        }
        Command::Submissions { json, command } => match command {
            None => list_submissions(&data_dir, json),
            Some(SubmissionsCommand::Purge {
                older_than,
                dry_run,
            }) => purge(&data_dir, older_than, dry_run),
        },
        Command::Backup { dest } => backup(&data_dir, &dest),
        Command::HelpCalls { json } => crate::help_calls_cmd::list(&data_dir, json),
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
    // A data folder made before publishing existed gets its catalog signing key only.
    if data_dir.key_path().exists() && !data_dir.signing_key_path().exists() {
        let catalog_key = data_dir.init_signing_key()?;
        eprintln!(
            "Clé de signature des parcours créée : {} (à sauvegarder, ne jamais la partager).",
            data_dir.signing_key_path().display()
        );
        eprintln!(
            "Les bornes déjà inscrites doivent être réinscrites pour recevoir les parcours              publiés. Clé publique :"
        );
        println!("{catalog_key}");
        print_fingerprint(data_dir)?;
        return Ok(ExitCode::SUCCESS);
    }
    let done = data_dir.init()?;
    eprintln!("Dossier des données prêt : {}", data_dir.root().display());
    eprintln!("  base : {}", done.db_path.display());
    eprintln!(
        "  clé secrète : {} (à sauvegarder, ne jamais la partager)",
        done.key_path.display()
    );
    eprintln!(
        "  clé de signature des parcours : {} (même soin)",
        done.signing_key_path.display()
    );
    eprintln!("Clé publique (envoyée aux bornes à l'enrôlement) :");
    println!("{}", done.public_key);
    print_fingerprint(data_dir)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the fingerprint of the back end's keys (on stderr: stdout keeps the key alone),
/// for the installer to compare with the one `kiosk enroll` prints.
fn print_fingerprint(data_dir: &DataDir) -> anyhow::Result<()> {
    eprintln!(
        "Empreinte des clés, à comparer avec celle qu'affiche « kiosk enroll » sur la borne : {}",
        data_dir.key_fingerprint()?
    );
    Ok(())
}

fn kiosk_add(data_dir: &DataDir, name: &str, place: &str) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let added = db.with(|conn| kiosks::add(conn, name, place, &db::now()))?;
    eprintln!(
        "Borne « {} » ajoutée à {} (identifiant {}, préfixe des reçus {}).",
        added.kiosk.name, added.kiosk.place, added.kiosk.id, added.kiosk.receipt_prefix
    );
    print_code(data_dir, &added.code)
}

/// Prints an enrolment code (stdout) with its validity and the keys' fingerprint (stderr).
fn print_code(data_dir: &DataDir, code: &str) -> anyhow::Result<ExitCode> {
    eprintln!(
        "Code d'enrôlement à saisir sur la borne à son installation. Il ne sert qu'une fois, \
         pendant {} jours, et n'est plus affiché : notez-le maintenant.",
        kiosks::CODE_VALID_DAYS
    );
    print_fingerprint(data_dir)?;
    println!("{}", secrets::display_enrolment_code(code));
    Ok(ExitCode::SUCCESS)
}

fn kiosk_code(data_dir: &DataDir, name_or_id: &str) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let added = db.with(|conn| kiosks::new_code(conn, name_or_id, &db::now()))?;
    eprintln!(
        "Nouveau code pour la borne « {} » ; ses codes précédents ne marchent plus.",
        added.kiosk.name
    );
    print_code(data_dir, &added.code)
}

fn kiosk_list(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let all = db.with(|conn| kiosks::list(conn))?;
    let catalogs = db.with(|conn| crate::db::flow_catalog::kiosk_catalog_states(conn))?;
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
        "CATALOGUE".to_string(),
    ]];
    let mut refusals = Vec::new();
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
            match catalogs.get(&kiosk.id) {
                Some(state) if kiosk.last_seen_at.is_some() => state
                    .version
                    .map_or_else(|| "livrés".into(), |v| format!("v{v}")),
                _ => "-".into(),
            },
        ]);
        if let Some(refused) = catalogs.get(&kiosk.id).and_then(|c| c.refused.clone()) {
            refusals.push(format!("{} : catalogue refusé : {refused}", kiosk.name));
        }
    }
    let mut widths = [0usize; 7];
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
    for refusal in refusals {
        writeln!(out, "{refusal}")?;
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

/// The configuration: `--config FILE` (which must exist), else `DIR/backend.toml` if there,
/// else the defaults.
fn load_config(data_dir: &DataDir, explicit: Option<&Path>) -> anyhow::Result<ConfigFile> {
    if let Some(path) = explicit {
        return ConfigFile::load(path);
    }
    let default = data_dir.root().join("backend.toml");
    if default.exists() {
        ConfigFile::load(&default)
    } else {
        Ok(ConfigFile::default())
    }
}

/// A password: the first line of stdin (`--password-stdin`), checked, or a generated one
/// (then `true`: it must be shown).
fn password_from(stdin: bool) -> anyhow::Result<(String, bool)> {
    if !stdin {
        return Ok((passwords::generate(), true));
    }
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .context("impossible de lire le mot de passe sur l'entrée standard")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    passwords::check_new(&password).map_err(anyhow::Error::msg)?;
    Ok((password, false))
}

/// `backend service add`'s arguments.
struct NewService<'a> {
    id: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    webhook: Option<&'a str>,
    retention_days: Option<&'a str>,
}

fn service_add(
    data_dir: &DataDir,
    new: &NewService<'_>,
    policy: &crate::notify::targets::WebhookPolicy,
) -> anyhow::Result<ExitCode> {
    let mut input = services::check(new.name, new.email, new.webhook).map_err(|problems| {
        anyhow::anyhow!(problems.join(" ").trim_end_matches('.').to_lowercase())
    })?;
    if let Some(url) = new.webhook {
        policy
            .check(url)
            .map_err(|problem| anyhow::anyhow!(problem.trim_end_matches('.').to_string()))?;
    }
    input.retention_days = crate::db::retention::parse_days(new.retention_days.unwrap_or(""))
        .map_err(anyhow::Error::msg)?;
    let id = new.id;
    let db = data_dir.open_db()?;
    let service = db.with(|conn| services::add(conn, id.trim(), &input, &db::now()))?;
    eprintln!(
        "Service « {} » ajouté ({}) ; ses demandes sont gardées {} jours après leur dernier \
         changement.",
        service.name,
        service.id,
        service.retention()
    );
    if let Some(email) = &service.email {
        eprintln!("  e-mail à chaque nouvelle demande : {email}");
    }
    if let Some(secret) = &service.webhook_secret {
        eprintln!(
            "  webhook : {} ; secret de signature (HMAC-SHA256, en-tête X-Signature),              à donner au destinataire :",
            service.webhook_url.as_deref().unwrap_or("")
        );
        println!("{secret}");
    }
    Ok(ExitCode::SUCCESS)
}

fn service_list(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let all = db.with(|conn| services::list(conn))?;
    if all.is_empty() {
        eprintln!("Aucun service. Ajoutez-en un : backend service add ID --name NOM");
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for service in all {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{} jours",
            service.id,
            service.name,
            service.email.as_deref().unwrap_or("-"),
            service.webhook_url.as_deref().unwrap_or("-"),
            service.retention()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `backend user add` is asked to create.
struct NewAccount<'a> {
    email: &'a str,
    name: &'a str,
    role: Role,
    services: &'a [String],
    kiosks: &'a [String],
    webhook: Option<&'a str>,
}

fn user_add(
    data_dir: &DataDir,
    new: &NewAccount<'_>,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let ambassador = new.role == Role::Ambassador;
    if ambassador && !new.services.is_empty() {
        anyhow::bail!("un ambassadeur n'a pas de service : il voit ses bornes (--kiosk NOM)");
    }
    if !ambassador && (!new.kiosks.is_empty() || new.webhook.is_some()) {
        anyhow::bail!(
            "--kiosk et --webhook ne valent que pour un ambassadeur (--role ambassadeur)"
        );
    }
    let db = data_dir.open_db()?;
    // Every kiosk must exist before the account is created.
    db.with(|conn| ambassadors::resolve_kiosks(conn, new.kiosks))?;
    if let Some(url) = new.webhook {
        crate::db::services::check_webhook_url(url).map_err(anyhow::Error::msg)?;
        // The same rule as services' webhooks: https to a public address, unless allowed.
        let policy = load_config(data_dir, None)?
            .settings("127.0.0.1:0".parse()?)
            .webhooks;
        policy
            .check(url)
            .map_err(|problem| anyhow::anyhow!(problem.trim_end_matches('.').to_string()))?;
    }
    let (password, generated) = password_from(password_stdin)?;
    let hash = passwords::hash(&password)?;
    let (user, secret) = db.with(|conn| {
        let user = users::add(
            conn,
            new.email,
            new.name,
            new.role,
            &hash,
            new.services,
            &db::now(),
        )?;
        ambassadors::set_kiosks(conn, &user, new.kiosks)?;
        let secret = match new.webhook {
            Some(url) => ambassadors::set_webhook(conn, user.id, Some(url))?,
            None => None,
        };
        anyhow::Ok((user, secret))
    })?;
    eprintln!(
        "Compte {} ajouté : {} <{}>{}{}.",
        user.role.french(),
        user.name,
        user.email,
        if user.services.is_empty() {
            String::new()
        } else {
            format!(", services : {}", user.services.join(", "))
        },
        if new.kiosks.is_empty() {
            String::new()
        } else {
            format!(", bornes : {}", new.kiosks.join(", "))
        }
    );
    if let Some(secret) = secret {
        eprintln!("Secret du webhook (signe chaque appel, affiché une seule fois) : {secret}");
    }
    if generated {
        eprintln!(
            "Mot de passe, affiché une seule fois (à transmettre par un moyen sûr ;              il se change dans « Mon compte ») :"
        );
        println!("{password}");
    }
    Ok(ExitCode::SUCCESS)
}

fn user_list(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let all = db.with(|conn| users::list(conn))?;
    if all.is_empty() {
        eprintln!(
            "Aucun compte. Ajoutez un administrateur : backend user add EMAIL --name NOM --role admin"
        );
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for user in all {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            user.email,
            user.name,
            user.role.as_db(),
            if user.services.is_empty() {
                "-".to_string()
            } else {
                user.services.join(",")
            },
            if user.disabled_at.is_some() {
                "désactivé"
            } else {
                "actif"
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn user_password(
    data_dir: &DataDir,
    email: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let Some((user, _)) = db.with(|conn| users::by_email(conn, email))? else {
        bail!("aucun compte pour {}", email.trim());
    };
    let (password, generated) = password_from(password_stdin)?;
    let hash = passwords::hash(&password)?;
    db.with(|conn| users::set_password(conn, user.id, &hash))?;
    eprintln!(
        "Mot de passe de {} remplacé ; ses sessions sont fermées.",
        user.email
    );
    if generated {
        eprintln!("Nouveau mot de passe, affiché une seule fois :");
        println!("{password}");
    }
    Ok(ExitCode::SUCCESS)
}

fn serve_command(
    data_dir: &DataDir,
    listen: &str,
    config: &ConfigFile,
    shipped_flows: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();
    let mut state = AppState::open(data_dir)?;
    if let Some(dir) = shipped_flows {
        let flows = crate::known_flows::ShippedFlows::load(dir)
            .with_context(|| format!("--flows {}", dir.display()))?;
        state = state.with_shipped_flows(flows);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("impossible de démarrer le moteur asynchrone")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("impossible d'écouter sur {listen}"))?;
        let address = listener.local_addr()?;
        let settings = config.settings(address);
        // A closed stdout (a supervisor that read only the first line) must never stop
        // the server: write errors are ignored here, unlike println!, which panics.
        let mut out = io::stdout();
        let _ = writeln!(out, "Le back end écoute sur http://{address}");
        let _ = writeln!(
            out,
            "Pages des agents et des administrateurs : ouvrez {}/connexion",
            settings.public_url
        );
        let _ = out.flush();
        eprintln!(
            "  cookie de session : {} ; e-mails : {}",
            if settings.cookie_secure {
                "Secure (https)"
            } else {
                "sans Secure (http sur cette machine seulement)"
            },
            settings.smtp.as_ref().map_or_else(
                || "désactivés".to_string(),
                |smtp| format!("par {}", smtp.host)
            )
        );
        if settings.cookie_secure && settings.public_url.starts_with("http://") {
            eprintln!(
                "  attention : cookie Secure mais adresse en http : les navigateurs ne le \
                 renverront pas. Servez les pages en https (public_url) ou --cookie-secure off."
            );
        }
        let no_accounts = state.db.with(|conn| users::list(conn))?.is_empty();
        if no_accounts {
            eprintln!(
                "  aucun compte : créez un administrateur : backend user add EMAIL --name NOM \
                 --role admin"
            );
        }
        let state = state.with_settings(settings);
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
    /// The flow's published title, else its id.
    flow_title: &'a str,
    flow_version: u32,
    service: &'a str,
    receipt: &'a str,
    created_at: &'a str,
    received_at: &'a str,
    status: RequestStatus,
    urgent: bool,
    /// The opened submission (its flow, service and answers).
    answers: opened::Submission,
}

fn list_submissions(data_dir: &DataDir, json: bool) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut count = 0usize;
    let written = db.with(|conn| {
        let titles = crate::flow_titles::Titles::load(conn, &Default::default())?;
        submissions::for_each(conn, |s| {
            count += 1;
            let flow_title = titles.of(&s.flow_id);
            if json {
                let answers = s.opened()?;
                let line = SubmissionLine {
                    id: &s.id,
                    kiosk_id: &s.kiosk_id,
                    flow_id: &s.flow_id,
                    flow_title: &flow_title,
                    flow_version: s.flow_version,
                    service: &s.service,
                    receipt: &s.receipt,
                    created_at: &s.created_at,
                    received_at: &s.received_at,
                    status: s.status,
                    urgent: s.urgent,
                    answers,
                };
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}  {}  {} v{}  reçue le {}  {}{}",
                    s.receipt,
                    s.service,
                    flow_title,
                    s.flow_version,
                    s.received_at,
                    s.status.french(),
                    if s.urgent { "  urgente" } else { "" }
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

fn purge(data_dir: &DataDir, older_than: Option<u32>, dry_run: bool) -> anyhow::Result<ExitCode> {
    use crate::db::retention::{self, Older, Reason};
    let db = data_dir.open_db()?;
    let (older, reason) = match older_than {
        Some(days) => (Older::ThanDays(days), Reason::Purge),
        None => (Older::ThanRetention, Reason::Retention),
    };
    let now = chrono::Utc::now();
    let what = match older {
        Older::ThanDays(days) => format!("sans changement depuis plus de {days} jours"),
        Older::ThanRetention => "dont la durée de conservation est passée".to_string(),
    };
    if dry_run {
        let count = db.with(|conn| retention::count(conn, older, now))?;
        eprintln!("{count} demande(s) {what} seraient effacées (rien n'est effacé).");
        println!("{count}");
        return Ok(ExitCode::SUCCESS);
    }
    let started = std::time::Instant::now();
    let erased = db.with(|conn| retention::purge(conn, older, reason, now))?;
    eprintln!(
        "{erased} demande(s) {what} effacée(s) en {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    println!("{erased}");
    Ok(ExitCode::SUCCESS)
}

fn backup(data_dir: &DataDir, dest: &Path) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let done = crate::backup::backup(data_dir, dest)?;
    eprintln!(
        "Sauvegarde faite en {:.1} s (base : {} octets). À garder en lieu sûr : elle contient \
         les réponses des usagers et les clés.",
        started.elapsed().as_secs_f64(),
        done.database_bytes
    );
    for file in done.files {
        println!("{}", file.display());
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
