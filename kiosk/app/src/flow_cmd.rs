//! `kiosk flow check` and `kiosk understand`, and loading one flow for the other commands.

use crate::catalog;
use crate::cli::Kind;
use crate::flow_vocabulary;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use kiosk_flow::model::ChoiceOption;
use kiosk_flow::understand::{understand, DateWindow, Expected};
use kiosk_voice::{Recognizer, RecognizerConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn flow_check(paths: &[PathBuf], model: Option<&Path>) -> Result<ExitCode> {
    let _span = tracing::info_span!("flow_check", files = paths.len()).entered();
    let report = catalog::check(paths)?;
    for line in report.lines() {
        println!("{line}");
    }
    let (errors, mut warnings) = (report.error_count(), report.warning_count());
    if let Some(model) = model {
        let recognizer = Recognizer::spawn(RecognizerConfig::new(model))
            .with_context(|| format!("modèle de reconnaissance {}", model.display()))?;
        let known_words = |words: Vec<String>| recognizer.known_words(words).ok();
        for (path, flow) in &report.flows {
            let Some(vocabulary) = flow_vocabulary::report(flow, &known_words) else {
                continue;
            };
            for message in vocabulary.messages() {
                println!("{}: attention : {message}", path.display());
                warnings += 1;
            }
        }
    }
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

pub fn understand_one(
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
        Kind::Date => Expected::Date(DateWindow::ANY),
        Kind::Time => Expected::Time,
        Kind::Text => Expected::Text,
        Kind::Name => Expected::Name,
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

/// `kiosk flows`: what this kiosk offers, published or shipped.
pub fn list_offered(config: &crate::config::Config, json: bool) -> Result<ExitCode> {
    let store = crate::open_store(&config.data_dir)?;
    let offered = crate::installed::offered(Some(&store), &config.flows);
    for problem in &offered.problems {
        eprintln!("{problem}");
    }
    for flow in &offered.flows {
        if json {
            let line = serde_json::json!({
                "id": flow.id,
                "version": flow.version,
                "title": flow.title,
                "kind": flow.kind.keyword(),
                "service": flow.service,
                "origin": offered.origin.as_str(),
                "catalog_version": offered.catalog_version,
            });
            println!("{line}");
        } else {
            println!(
                "{}\t{}\t{}\t{}",
                flow.id,
                flow.version,
                flow.title,
                offered.origin.as_str()
            );
        }
    }
    if !json {
        eprintln!(
            "{} parcours ({}).",
            offered.flows.len(),
            match offered.catalog_version {
                Some(v) => format!("catalogue publié, version {v}"),
                None => format!("parcours livrés, {}", config.flows.display()),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The flow at `path`, or its errors printed on stderr with what to do.
pub fn load_or_explain(path: &std::path::Path) -> Option<kiosk_flow::Flow> {
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
