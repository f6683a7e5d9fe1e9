//! `kiosk simulate`: one citizen in the terminal, from the keyboard, a script or the voice.

use crate::flow_cmd::load_or_explain;
use crate::{catalog, simulate, voice_engine};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn simulate_flow(
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
