//! `backend help-calls [--json]`: the open calls for help (not closed yet), newest first,
//! every kiosk's. With `--json`, one JSON object per line, as webhooks give a call
//! ([`crate::notify::webhook::help_call_json`]): where and when, the flow and step, who took
//! it; a call carries no answer.

use crate::data_dir::DataDir;
use crate::db::help_calls::{self, KioskScope};
use crate::flow_titles::Titles;
use crate::notify::webhook::help_call_json;
use crate::pages::view::french_time;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

pub fn list(data_dir: &DataDir, json: bool) -> anyhow::Result<ExitCode> {
    let db = data_dir.open_db()?;
    let (calls, titles) = db.with(|conn| {
        anyhow::Ok((
            help_calls::list(conn, KioskScope::All, None, true, usize::MAX)?,
            Titles::load(conn, &Default::default())?,
        ))
    })?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = (|| -> io::Result<()> {
        for call in &calls {
            let flow_title = titles.of(&call.flow_id);
            if json {
                serde_json::to_writer(&mut out, &help_call_json(call, &flow_title))?;
                writeln!(out)?;
            } else {
                let state = match call.taken_mode {
                    Some(mode) => format!(
                        "pris par {} ({})",
                        call.taken_by.as_deref().unwrap_or("?"),
                        help_calls::mode_french(mode)
                    ),
                    None => "personne ne s'en occupe".to_string(),
                };
                writeln!(
                    out,
                    "{}  {} ({})  {} / étape {}  {}",
                    french_time(&call.created_at),
                    call.kiosk_name,
                    call.kiosk_place,
                    flow_title,
                    call.step_id,
                    state
                )?;
            }
        }
        out.flush()
    })();
    match written {
        // `backend help-calls --json | head` is not an error.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        other => other?,
    }
    if !json {
        eprintln!("{} appel(s) ouvert(s).", calls.len());
    }
    Ok(ExitCode::SUCCESS)
}
