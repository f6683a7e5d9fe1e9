//! The command line's shape (clap): every subcommand, its arguments and their help.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const DEFAULT_DATA_DIR: &str = ".kiosk-data";

#[derive(Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Borne d'accompagnement vocale : outils en ligne de commande"
)]
pub struct Cli {
    /// Where the kiosk keeps its database (outbox, identity, settings).
    #[arg(
        long,
        global = true,
        env = "KIOSK_DATA_DIR",
        default_value = DEFAULT_DATA_DIR
    )]
    pub data_dir: PathBuf,
    /// The kiosk's configuration (missing: the development defaults).
    #[arg(
        long,
        global = true,
        env = "KIOSK_CONFIG",
        default_value = "kiosk.toml"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// The flows this kiosk offers: its installed catalog of published flows, else the
    /// shipped flows of kiosk.toml.
    Flows {
        /// One JSON object per line: id, version, title, kind, service, origin.
        #[arg(long)]
        json: bool,
    },
    /// Play a flow (or the home menu of a folder of flows) in the terminal.
    Simulate {
        /// A flow file, or a folder of flows to choose from.
        #[arg(required_unless_present = "installed")]
        flow: Option<PathBuf>,
        /// Play the kiosk as installed: its catalog of published flows (else its shipped
        /// flows), with the home menu, as `kiosk flows` lists them.
        #[arg(long, conflicts_with = "flow")]
        installed: bool,
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
    Enroll {
        url: String,
        code: String,
        /// Re-enrol although submissions the back end refused are still on the kiosk (they
        /// stay, sealed to the old key). Never while anything is still pending.
        #[arg(long)]
        force: bool,
    },
    /// Push the outbox to the back end.
    Sync {
        /// One pass, then exit: non-zero if anything is left.
        #[arg(long)]
        once: bool,
        /// Try everything queued now, even items waiting for their next retry.
        #[arg(long)]
        all: bool,
        /// Put the submissions the back end refused back in the queue (the supervisor's
        /// « Réessayer »), then exit.
        #[arg(long, conflicts_with_all = ["once", "all"])]
        retry_refused: bool,
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
pub enum FlowCommand {
    /// Check flow files and folders; prints file:line:column: message for every problem.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also check every option's phrases against this Vosk model's vocabulary: words it
        /// does not know are reported per flow, step and option (warnings).
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Kind {
    YesNo,
    Number,
    Phone,
    Email,
    Date,
    Time,
    Text,
    /// A person's name, capitalised (`type: text` with `format: name`).
    Name,
    Choice,
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
