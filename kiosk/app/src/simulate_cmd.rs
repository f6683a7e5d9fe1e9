//! `kiosk simulate`: the kiosk in the terminal, from the keyboard, a script or the voice.
//! A folder of flows plays the whole kiosk (attract screen, home menu, one person after
//! another); a flow file plays that flow once.

use crate::flow_cmd::load_or_explain;
use crate::simulate::{self, Answers, SimulationResult, Start};
use crate::{catalog, sync_cmd, voice_engine};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use kiosk_flow::machine::{KioskConfig, KioskMachine};
use kiosk_host::{Host, Storage};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// What `kiosk simulate` plays.
pub(crate) enum Source {
    /// A flow file (played once) or a folder of flows (the whole kiosk).
    Path(PathBuf),
    /// The kiosk as installed (the whole kiosk).
    Installed(crate::installed::Offered),
}

pub(crate) fn simulate_flow(
    source: Source,
    answers: Option<PathBuf>,
    today: NaiveDate,
    json: bool,
    store: Option<kiosk_store::Store>,
    voice: Option<voice_engine::BlockingVoice>,
) -> Result<ExitCode> {
    let script = match &answers {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| {
                format!(
                    "impossible de lire le script de réponses {}",
                    file.display()
                )
            })?;
            let lines = simulate::parse_script(&text);
            if let Some((line, mistake)) = simulate::unknown_panel_line(&lines) {
                anyhow::bail!("{}, ligne {line} : {mistake}", file.display());
            }
            Some(lines)
        }
        None => None,
    };
    let is_kiosk = match &source {
        Source::Path(path) => path.is_dir(),
        Source::Installed(_) => true,
    };
    let (flows, start) = match source {
        Source::Installed(offered) => {
            for problem in &offered.problems {
                eprintln!("{problem}");
            }
            (offered.flows, Start::Kiosk)
        }
        Source::Path(path) if path.is_dir() => {
            let report = catalog::check(&[path])?;
            // Flows with errors are left out of the menu, as on the kiosk; say which and why.
            if report.error_count() > 0 {
                for line in report.lines() {
                    eprintln!("{line}");
                }
            }
            let flows: Vec<Arc<kiosk_flow::Flow>> =
                report.flows.into_iter().map(|(_, f)| Arc::new(f)).collect();
            (flows, Start::Kiosk)
        }
        Source::Path(path) => {
            let Some(flow) = load_or_explain(&path) else {
                return Ok(ExitCode::FAILURE);
            };
            let id = flow.id.clone();
            (vec![Arc::new(flow)], Start::Flow(id))
        }
    };
    // Heard by the recognizer: the questions it cannot hear every option of go free.
    let flows = match &voice {
        Some(voice) => voice.adapt_flows(flows),
        None => flows,
    };

    // The same adapter as the touchscreen's: the sealed outbox with --submit, and the back end
    // (for "Où en est ma demande ?") on a runtime of its own.
    let runtime = match &store {
        Some(_) => Some(sync_cmd::runtime()?),
        None => None,
    };
    // The last availability synced: taken days are refused as on the kiosk.
    let availability = match &store {
        Some(store) => store
            .availability()?
            .map(|(snapshot, _)| Arc::new(snapshot)),
        None => None,
    };
    let storage = match store {
        Some(store) => Storage::Store(Arc::new(store)),
        None => Storage::Preview,
    };
    let host = Host::new(storage, runtime.as_ref().map(|r| r.handle().clone()));
    let mut machine = KioskMachine::new(
        KioskConfig {
            flows,
            can_send: host.can_send(),
            // The simulator shows the "Imprimer" of the privacy notice and what it would print.
            printer: true,
            ..KioskConfig::default()
        },
        today,
    );
    machine.set_availability(availability);

    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut transcript: Box<dyn Write> = if json {
        Box::new(stderr.lock())
    } else {
        Box::new(stdout.lock())
    };
    let source = match (script, voice) {
        (_, Some(voice)) => Answers::Voice(Box::new(voice)),
        (Some(lines), None) => Answers::Script(lines),
        (None, None) => Answers::Interactive(Box::new(std::io::stdin().lock())),
    };
    let result = simulate::run(machine, start, &host, source, &mut transcript)?;
    drop(transcript);
    report(&result, json)?;
    let complete = result.stopped_at.is_none() && result.unused_answers.is_empty();
    // A flow file must be played to its end; the kiosk may end between people, even with
    // nobody having played a flow (a status lookup).
    let played = is_kiosk || !result.visits.is_empty();
    Ok(if complete && played {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The result: JSON on stdout (the last flow's fields at the top, every visit in `visits`), or
/// each submission in words.
fn report(result: &SimulationResult, json: bool) -> Result<()> {
    if json {
        let visits: Vec<serde_json::Value> = result
            .visits
            .iter()
            .map(|v| {
                let answers: serde_json::Map<String, serde_json::Value> = v
                    .submission
                    .iter()
                    .flat_map(|s| s.answers.iter())
                    .map(|a| (a.step_id.clone(), a.value.clone()))
                    .collect();
                serde_json::json!({
                    "flow_id": v.flow_id,
                    "flow_version": v.submission.as_ref().map(|s| s.flow_version),
                    "service": v.submission.as_ref().map(|s| s.service.clone()),
                    "outcome": v.outcome,
                    "answers": answers,
                    "submission": v.submission,
                })
            })
            .collect();
        let mut out = visits
            .last()
            .cloned()
            .unwrap_or_else(|| serde_json::json!({"flow_id": null, "outcome": null}));
        out["visits"] = serde_json::Value::Array(visits);
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for submission in result.visits.iter().filter_map(|v| v.submission.as_ref()) {
            println!();
            println!(
                "Demande : parcours {} version {}, service {}",
                submission.flow_id, submission.flow_version, submission.service
            );
            for answer in &submission.answers {
                println!("  {} = {}", answer.step_id, answer.value);
            }
        }
    }
    if let Some(step) = &result.stopped_at {
        eprintln!("Les réponses s'arrêtent avant la fin du parcours (étape « {step} »).");
    }
    for (line, text) in &result.unused_answers {
        eprintln!("ligne {line} : réponse en trop, jamais lue : {text}");
    }
    Ok(())
}
