//! `kiosk`: the kiosk's command line.
//!
//! Thin glue: the command line's shape is `cli.rs`; each command's body lives in a module by
//! subject (`flow_cmd`, `simulate_cmd`, `sync_cmd`, `screenshot_cmd`, `voice_cmd`, and
//! `appliance` for `kiosk run`); `run()` dispatches to them.

mod appliance;
mod catalog;
mod catalog_switch;
mod catalog_sync;
mod cli;
mod config;
mod flow_cmd;
mod flow_vocabulary;
mod installed;
mod screenshot_cmd;
mod simulate;
mod simulate_cmd;
mod sync_cmd;
mod sync_loop;
mod systemd;
mod voice_cmd;
mod voice_engine;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Parser;
use cli::{Cli, Command, FlowCommand, DEFAULT_DATA_DIR};
use flow_cmd::{flow_check, understand_one};
use screenshot_cmd::screenshot;
use simulate_cmd::simulate_flow;
use std::process::ExitCode;
// `client_for` also for `appliance` (`crate::client_for`).
use sync_cmd::{client_for, enroll, open_store, outbox, retry_refused, status, sync};

/// jemalloc is this process's malloc, libvosk's and ONNX Runtime's included: its unprefixed
/// `malloc` is exported by the binary. Rust's allocations call it directly, which also makes
/// every linker (GNU ld reads archives in order) take jemalloc's `malloc` before libc's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
            command: FlowCommand::Check { paths, model },
        } => flow_check(&paths, model.as_deref()),
        Command::Understand {
            kind,
            today,
            options,
            utterance,
        } => understand_one(kind, today_or(today), &options, &utterance),
        Command::Flows { json } => {
            let config = config::Config::load(&cli.config, data_dir_override.as_deref())?;
            flow_cmd::list_offered(&config, json)
        }
        Command::Simulate {
            flow,
            installed,
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
            let source = match flow {
                Some(path) => simulate_cmd::Source::Path(path),
                None if installed => {
                    let config = config::Config::load(&cli.config, data_dir_override.as_deref())?;
                    let store = open_store(&config.data_dir)?;
                    simulate_cmd::Source::Installed(installed::offered(Some(&store), &config.flows))
                }
                None => anyhow::bail!("donnez un parcours, un dossier ou --installed"),
            };
            simulate_flow(source, answers, today_or(today), json, store, voice)
        }
        Command::Enroll { url, code, force } => enroll(&cli.data_dir, &url, &code, force),
        Command::Sync {
            retry_refused: true,
            ..
        } => retry_refused(&cli.data_dir),
        Command::Sync { once, all, .. } => sync(&cli.data_dir, once, all),
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
        Command::Say { text, out } => {
            let config = config::Config::load(&cli.config, None)?;
            voice_cmd::say(
                &text,
                out.as_deref(),
                &config.voice_choice(),
                config.voice.words_per_minute,
                config.optimized_voice_dir(),
            )
        }
        Command::Listen { wav, grammar } => voice_cmd::listen(wav.as_deref(), grammar.as_deref()),
    }
}
