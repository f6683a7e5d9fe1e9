//! `kiosk`: the kiosk's command line.
//!
//! For now: `flow check` (administrators' checker), `understand` (one utterance through
//! French answer understanding) and `simulate` (the terminal simulator). The appliance
//! itself (`kiosk run`, Slint UI, voice, store, sync) comes on top of these.

mod appliance;
mod catalog;
mod config;
mod receipt;
mod simulate;
mod sync_loop;
mod voice_cmd;
mod voice_engine;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use kiosk_flow::model::ChoiceOption;
use kiosk_flow::understand::{understand, Expected};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const DEFAULT_DATA_DIR: &str = ".kiosk-data";

#[derive(Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Borne d'accompagnement vocale : outils en ligne de commande"
)]
struct Cli {
    /// Where the kiosk keeps its database (outbox, identity, settings).
    #[arg(
        long,
        global = true,
        env = "KIOSK_DATA_DIR",
        default_value = DEFAULT_DATA_DIR
    )]
    data_dir: PathBuf,
    /// The kiosk's configuration (missing: the development defaults).
    #[arg(
        long,
        global = true,
        env = "KIOSK_CONFIG",
        default_value = "kiosk.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Flows: check them before publishing.
    Flow {
        #[command(subcommand)]
        command: FlowCommand,
    },
    /// Understand one French utterance; prints {"value": ..., "command": ...}.
    Understand {
        #[arg(long, value_enum)]
        kind: Kind,
        /// The day relative dates count from (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
        /// A choice option: ID=synonym|synonym (repeat for each option).
        #[arg(long = "option")]
        options: Vec<String>,
        utterance: String,
    },
    /// Play a flow (or the home menu of a folder of flows) in the terminal.
    Simulate {
        /// A flow file, or a folder of flows to choose from.
        flow: PathBuf,
        /// Answers, one per line, as a person would say them, or touch:ID.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// The day the session happens (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
        /// Print the transcript on stderr and the result as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Put the submission in the outbox (sealed), as the kiosk does.
        #[arg(long)]
        submit: bool,
        /// Speak the prompts and hear the answers (speaker and microphone of kiosk.toml).
        #[arg(long, conflicts_with = "answers")]
        voice: bool,
    },
    /// Enrol this kiosk with the back end, with the one-time code from `backend kiosk add`.
    Enroll { url: String, code: String },
    /// Push the outbox to the back end.
    Sync {
        /// One pass, then exit: non-zero if anything is left.
        #[arg(long)]
        once: bool,
        /// Try everything queued now, even items waiting for their next retry.
        #[arg(long)]
        all: bool,
    },
    /// List what is queued, without personal data.
    Outbox,
    /// Ask the back end where a request is, by its receipt code.
    Status { receipt: String },
    /// The appliance: touchscreen, voice, store and sync (configured by kiosk.toml).
    Run {
        /// List the sound devices (names for kiosk.toml) and exit.
        #[arg(long)]
        list_devices: bool,
    },
    /// Render every screen of a flow to PNG, headless, to preview it.
    Screenshot {
        /// A flow file (its folder's other flows make the home menu).
        flow: PathBuf,
        /// Where the PNG files go.
        #[arg(long)]
        out: PathBuf,
        /// Screen size in pixels, WIDTHxHEIGHT.
        #[arg(long, default_value = "800x480", value_parser = parse_size)]
        size: (u32, u32),
        /// The day the flow sees as today (calendars).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Speak a text with the kiosk's voice (Piper, else espeak-ng).
    Say {
        text: String,
        /// Write the speech to this WAV file instead of the loudspeaker.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Recognize one utterance; prints JSON with the text and each word's confidence.
    Listen {
        /// Recognize this WAV file instead of the microphone.
        #[arg(long)]
        wav: Option<PathBuf>,
        /// The phrases expected, separated by |; without it, free dictation.
        #[arg(long)]
        grammar: Option<String>,
    },
}

#[derive(Subcommand)]
enum FlowCommand {
    /// Check flow files and folders; prints file:line:column: message for every problem.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Kind {
    YesNo,
    Number,
    Phone,
    Email,
    Date,
    Time,
    Text,
    Choice,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KIOSK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let started = std::time::Instant::now();
    match run(Cli::parse(), started) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            ExitCode::from(2)
        }
    }
}

fn today_or(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn run(cli: Cli, started: std::time::Instant) -> Result<ExitCode> {
    // `--data-dir` / KIOSK_DATA_DIR win over kiosk.toml only when given.
    let data_dir_override =
        (cli.data_dir != std::path::Path::new(DEFAULT_DATA_DIR)).then(|| cli.data_dir.clone());
    match cli.command {
        Command::Flow {
            command: FlowCommand::Check { paths },
        } => flow_check(&paths),
        Command::Understand {
            kind,
            today,
            options,
            utterance,
        } => understand_one(kind, today_or(today), &options, &utterance),
        Command::Simulate {
            flow,
            answers,
            today,
            json,
            submit,
            voice,
        } => {
            let store = if submit {
                Some(open_store(&cli.data_dir)?)
            } else {
                None
            };
            let voice = if voice {
                let config = config::Config::load(&cli.config, None)?;
                let voice = voice_engine::BlockingVoice::start(config.voice_settings(true))?;
                for problem in &voice.status.problems {
                    eprintln!("{problem}");
                }
                Some(voice)
            } else {
                None
            };
            simulate_flow(&flow, answers, today_or(today), json, store, voice)
        }
        Command::Enroll { url, code } => enroll(&cli.data_dir, &url, &code),
        Command::Sync { once, all } => sync(&cli.data_dir, once, all),
        Command::Outbox => outbox(&cli.data_dir),
        Command::Status { receipt } => status(&cli.data_dir, &receipt),
        Command::Run { list_devices } => {
            if list_devices {
                let devices = kiosk_voice::list_devices();
                println!("{}", serde_json::to_string_pretty(&devices)?);
                return Ok(ExitCode::SUCCESS);
            }
            let config = config::Config::load(&cli.config, data_dir_override.as_deref())?;
            appliance::run(config, started)
        }
        Command::Screenshot {
            flow,
            out,
            size,
            today,
        } => screenshot(&flow, &out, size, today),
        Command::Say { text, out } => voice_cmd::say(&text, out.as_deref()),
        Command::Listen { wav, grammar } => voice_cmd::listen(wav.as_deref(), grammar.as_deref()),
    }
}

fn open_store(data_dir: &std::path::Path) -> Result<kiosk_store::Store> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("impossible de créer {}", data_dir.display()))?;
    Ok(kiosk_store::Store::open(data_dir.join("kiosk.db"))?)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn client_for(store: &kiosk_store::Store) -> Result<kiosk_sync::client::Client> {
    let identity = store
        .identity()?
        .context("la borne n'est pas inscrite : lancez d'abord « kiosk enroll URL CODE »")?;
    Ok(kiosk_sync::client::Client::new(
        &identity.backend_url,
        Some(identity.token.clone()),
    )?)
}

fn enroll(data_dir: &std::path::Path, url: &str, code: &str) -> Result<ExitCode> {
    let _span = tracing::info_span!("enroll").entered();
    let store = open_store(data_dir)?;
    let client = kiosk_sync::client::Client::new(url, None)?;
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
    Ok(ExitCode::SUCCESS)
}

fn sync(data_dir: &std::path::Path, once: bool, all: bool) -> Result<ExitCode> {
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
    Ok(if report.remaining == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn outbox(data_dir: &std::path::Path) -> Result<ExitCode> {
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

fn status(data_dir: &std::path::Path, receipt: &str) -> Result<ExitCode> {
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

fn flow_check(paths: &[PathBuf]) -> Result<ExitCode> {
    let _span = tracing::info_span!("flow_check", files = paths.len()).entered();
    let report = catalog::check(paths)?;
    for line in report.lines() {
        println!("{line}");
    }
    let (errors, warnings) = (report.error_count(), report.warning_count());
    eprintln!(
        "{} parcours vérifié(s) : {errors} erreur(s), {warnings} avertissement(s).",
        report.flows.len()
            + report
                .files
                .iter()
                .filter(|f| f.diagnostics.iter().any(|d| d.is_error()))
                .count()
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn understand_one(
    kind: Kind,
    today: NaiveDate,
    options: &[String],
    utterance: &str,
) -> Result<ExitCode> {
    let choices: Vec<ChoiceOption> = options
        .iter()
        .map(|spec| {
            let (id, synonyms) = spec.split_once('=').unwrap_or((spec.as_str(), ""));
            let synonyms: Vec<&str> = synonyms
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            ChoiceOption::new(id.trim(), &id.trim().replace(['-', '_'], " "), &synonyms)
        })
        .collect();
    let expected = match kind {
        Kind::YesNo => Expected::YesNo,
        Kind::Number => Expected::Number,
        Kind::Phone => Expected::Phone,
        Kind::Email => Expected::Email,
        Kind::Date => Expected::Date,
        Kind::Time => Expected::Time,
        Kind::Text => Expected::Text,
        Kind::Choice => Expected::Choice(&choices),
    };
    let result = understand(expected, utterance, today);
    let json = serde_json::json!({
        "value": result.value.map(|v| v.to_json()),
        "command": result.command.map(|c| c.name()),
    });
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

fn simulate_flow(
    path: &std::path::Path,
    answers: Option<PathBuf>,
    today: NaiveDate,
    json: bool,
    store: Option<kiosk_store::Store>,
    mut voice: Option<voice_engine::BlockingVoice>,
) -> Result<ExitCode> {
    let mut script = match &answers {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| {
                format!(
                    "impossible de lire le script de réponses {}",
                    file.display()
                )
            })?;
            Some(simulate::parse_script(&text))
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut transcript: Box<dyn Write> = if json {
        Box::new(stderr.lock())
    } else {
        Box::new(stdout.lock())
    };

    let flow_path = if path.is_dir() {
        match choose_from_menu(path, &mut script, voice.as_mut(), &mut transcript)? {
            Some(p) => p,
            None => return Ok(ExitCode::FAILURE),
        }
    } else {
        path.to_path_buf()
    };
    let Some(flow) = load_or_explain(&flow_path) else {
        return Ok(ExitCode::FAILURE);
    };
    let flow_id = flow.id.clone();
    let source = match (script, voice) {
        (_, Some(voice)) => simulate::Answers::Voice(Box::new(voice)),
        (Some(lines), None) => simulate::Answers::Script(lines),
        (None, None) => simulate::Answers::Interactive(Box::new(std::io::stdin().lock())),
    };
    let result = simulate::run(flow, today, source, store, &mut transcript)?;
    drop(transcript);
    let finished = result.outcome.is_some();
    if json {
        let answers: serde_json::Map<String, serde_json::Value> = result
            .submission
            .iter()
            .flat_map(|s| s.answers.iter())
            .map(|a| (a.step_id.clone(), a.value.clone()))
            .collect();
        let out = serde_json::json!({
            "flow_id": flow_id,
            "flow_version": result.submission.as_ref().map(|s| s.flow_version),
            "service": result.submission.as_ref().map(|s| s.service.clone()),
            "outcome": result.outcome,
            "answers": answers,
            "submission": result.submission,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if let Some(submission) = &result.submission {
        println!();
        println!(
            "Demande : parcours {} version {}, service {}",
            submission.flow_id, submission.flow_version, submission.service
        );
        for answer in &submission.answers {
            println!("  {} = {}", answer.step_id, answer.value);
        }
    }
    if let Some(step) = &result.stopped_at {
        eprintln!("Les réponses s'arrêtent avant la fin du parcours (étape « {step} »).");
    }
    if !result.unused_answers.is_empty() {
        for (line, text) in &result.unused_answers {
            eprintln!("ligne {line} : réponse en trop, jamais lue : {text}");
        }
    }
    Ok(if finished && result.unused_answers.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Shows the home menu of a folder of flows and reads the citizen's choice.
fn choose_from_menu(
    dir: &std::path::Path,
    script: &mut Option<Vec<(usize, String)>>,
    mut voice: Option<&mut voice_engine::BlockingVoice>,
    out: &mut Box<dyn Write>,
) -> Result<Option<PathBuf>> {
    let report = catalog::check(&[dir.to_path_buf()])?;
    let menu = kiosk_flow::menu::home_menu(report.flows.iter().map(|(_, f)| f));
    writeln!(out, "ÉCRAN : Bonjour ! Que voulez-vous faire ?")?;
    for section in &menu.sections {
        writeln!(out, "  {}", section.heading)?;
        for entry in &section.entries {
            writeln!(
                out,
                "        [{}] {} — {}",
                entry.flow_id, entry.title, entry.description
            )?;
        }
    }
    writeln!(out, "VOIX  : {}", menu.spoken())?;
    if let Some(voice) = voice.as_mut() {
        out.flush()?;
        voice.say(&menu.spoken())?;
    }
    loop {
        let line = match script {
            _ if voice.is_some() => {
                let Some(voice) = voice.as_mut() else {
                    return Ok(None);
                };
                match voice.listen(Some(menu.phrases()))? {
                    Some(kiosk_flow::runtime::Event::Heard(text)) => {
                        writeln!(out, "> {text}")?;
                        text
                    }
                    Some(_) => String::new(),
                    None => return Ok(None),
                }
            }
            Some(lines) if lines.is_empty() => return Ok(None),
            Some(lines) => lines.remove(0).1,
            None => {
                write!(out, "> ")?;
                out.flush()?;
                let mut line = String::new();
                if std::io::stdin().read_line(&mut line)? == 0 {
                    return Ok(None);
                }
                line.trim().to_string()
            }
        };
        let chosen = match line.strip_prefix("touch:") {
            Some(id) => menu
                .entries()
                .find(|e| e.flow_id == id.trim())
                .map(|e| e.flow_id.clone()),
            None => menu.understand(&line),
        };
        match chosen.and_then(|id| report.flows.iter().find(|(_, f)| f.id == id)) {
            Some((path, _)) => return Ok(Some(path.clone())),
            None => {
                let again = "Je n'ai pas compris. Dites ce que vous voulez faire, ou touchez-le.";
                writeln!(out, "VOIX  : {again}")?;
                if let Some(voice) = voice.as_mut() {
                    voice.say(again)?;
                }
            }
        }
    }
}

fn parse_size(text: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("« {text} » : LARGEURxHAUTEUR attendu, par exemple 800x480"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (200..=4000).contains(n))
            .ok_or_else(|| format!("« {v} » : un nombre de pixels entre 200 et 4000"))
    };
    Ok((parse(w)?, parse(h)?))
}

/// `kiosk screenshot FLOW --out DIR [--size WxH]`.
fn screenshot(
    flow: &std::path::Path,
    out: &std::path::Path,
    size: (u32, u32),
    today: Option<NaiveDate>,
) -> Result<ExitCode> {
    let Some(target) = load_or_explain(flow) else {
        return Ok(ExitCode::FAILURE);
    };
    // The other flows of its folder make the home menu, as on a kiosk.
    let mut flows: Vec<std::sync::Arc<kiosk_flow::Flow>> = flow
        .parent()
        .and_then(|dir| catalog::check(&[dir.to_path_buf()]).ok())
        .map(|report| {
            report
                .flows
                .into_iter()
                .map(|(_, f)| std::sync::Arc::new(f))
                .collect()
        })
        .unwrap_or_default();
    flows.retain(|f| f.id != target.id);
    let id = target.id.clone();
    flows.push(std::sync::Arc::new(target));
    let options = kiosk_ui::ScreenshotOptions {
        size,
        today,
        ..kiosk_ui::ScreenshotOptions::default()
    };
    let written = kiosk_ui::render_flow_screenshots(&flows, &id, &options, out)?;
    for path in &written {
        println!("{}", path.display());
    }
    eprintln!("{} écran(s) dans {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// The flow at `path`, or its errors printed on stderr with what to do.
fn load_or_explain(path: &std::path::Path) -> Option<kiosk_flow::Flow> {
    match catalog::load_one(path) {
        Ok(flow) => Some(flow),
        Err(lines) => {
            for line in lines {
                eprintln!("{line}");
            }
            eprintln!("Le parcours a des erreurs : corrigez-les avec « kiosk flow check ».");
            None
        }
    }
}
