//! Benchmarks: French answer understanding (utterances per second, over the test corpus),
//! checking every shipped flow, and the kiosk machine over whole scripted visits (events per
//! second). Run with `cargo bench -p kiosk-flow`.
//!
//! A plain timing loop (no harness) keeps the build light; each figure is the best of
//! several rounds, to lessen the noise of a shared machine.

mod common;

use chrono::NaiveDate;
use common::best_of;
use kiosk_flow::machine::{KioskConfig, KioskEffect, KioskEvent, KioskMachine};
use kiosk_flow::model::ChoiceOption;
use kiosk_flow::understand::Command;
use kiosk_flow::understand::{understand, DateWindow, Expected};
use kiosk_flow::{load_dataset, load_flow, Datasets};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let flows_dir = root.join("../../flows");
    let communes_source = std::fs::read_to_string(flows_dir.join("data/communes.yaml"))
        .expect("flows/data/communes.yaml");
    let communes = load_dataset(&communes_source).value.expect("communes load");

    // Understanding: every line of the test corpus.
    let corpus =
        std::fs::read_to_string(root.join("tests/data/understanding.tsv")).expect("corpus");
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
    let lines: Vec<(String, String)> = corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((cols.first()?.to_string(), cols.get(2)?.to_string()))
        })
        .collect();
    let probleme = vec![
        ChoiceOption::new("eteint", "Il ne s'allume plus", &["éteint", "en panne"]),
        ChoiceOption::new("clignote", "Il clignote", &[]),
        ChoiceOption::new("jour", "Il reste allumé le jour", &[]),
        ChoiceOption::new("abime", "Il est abîmé", &["cassé", "tordu"]),
    ];
    let run_corpus = || {
        for (kind, utterance) in &lines {
            let expected = match kind.as_str() {
                "yes_no" => Expected::YesNo,
                "number" => Expected::Number,
                "phone" => Expected::Phone,
                "email" => Expected::Email,
                "date" => Expected::Date(DateWindow::ANY),
                "time" => Expected::Time,
                "text" => Expected::Text,
                _ => Expected::Choice(&probleme),
            };
            black_box(understand(expected, black_box(utterance), today));
        }
    };
    let repeat = 20;
    let took = best_of(5, || {
        for _ in 0..repeat {
            run_corpus()
        }
    });
    let count = lines.len() * repeat;
    println!(
        "understanding: {count} utterances in {:.1} ms = {:.0} utterances/s ({:.1} µs each)",
        took.as_secs_f64() * 1e3,
        count as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / count as f64
    );

    // The longest real list: the 96 communes.
    let commune_utterances = [
        "à duisans",
        "avesnes le comte",
        "aubigny en artois",
        "c'est à tincques",
        "pas en artois",
    ];
    let n = 200;
    let took = best_of(5, || {
        for _ in 0..n {
            for u in commune_utterances {
                black_box(understand(
                    Expected::Choice(&communes.options),
                    black_box(u),
                    today,
                ));
            }
        }
    });
    println!(
        "choice among the {} communes: {:.1} µs per utterance",
        communes.options.len(),
        took.as_secs_f64() * 1e6 / (n * commune_utterances.len()) as f64
    );

    // Checking all shipped flows with the communes dataset, as `kiosk flow check flows/`
    // does, without the disk reads.
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&flows_dir).expect("flows/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            sources.push(std::fs::read_to_string(&path).expect("flow"));
        }
    }
    let rounds = 20;
    let took = best_of(5, || {
        for _ in 0..rounds {
            let mut datasets = Datasets::new();
            let d = load_dataset(&communes_source).value.expect("communes");
            datasets.insert(d.id.clone(), d);
            for source in &sources {
                let loaded = load_flow(source, &datasets);
                assert!(!loaded.has_errors());
                black_box(loaded);
            }
        }
    });
    println!(
        "checking {} shipped flows and the communes dataset: {:.2} ms per full check",
        sources.len(),
        took.as_secs_f64() * 1e3 / rounds as f64
    );

    // The kiosk machine: whole visits from the attract screen, as a host drives it (the
    // street-light report of flows/examples/eclairage-public.txt, the store answering at
    // once, "Terminer"), on one machine, visit after visit.
    let mut datasets = Datasets::new();
    datasets.insert(communes.id.clone(), communes.clone());
    let flows: Vec<Arc<kiosk_flow::Flow>> = sources
        .iter()
        .map(|source| Arc::new(load_flow(source, &datasets).value.expect("flow")))
        .collect();
    let answers = std::fs::read_to_string(flows_dir.join("examples/eclairage-public.txt"))
        .expect("flows/examples/eclairage-public.txt");
    let mut visit: Vec<KioskEvent> = vec![
        KioskEvent::Tap,
        KioskEvent::Touched("report".into()),
        KioskEvent::Touched("eclairage-public".into()),
    ];
    visit.extend(
        answers
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| match line.strip_prefix("touch:") {
                Some(id) => match Command::from_button_id(id) {
                    Some(command) => KioskEvent::Command(command),
                    None => KioskEvent::Touched(id.to_string()),
                },
                None => KioskEvent::Heard(line.to_string()),
            }),
    );
    visit.push(KioskEvent::Touched("terminer".into()));
    let mut machine = KioskMachine::new(
        KioskConfig {
            flows,
            ..KioskConfig::default()
        },
        today,
    );
    machine.start();
    let play = |machine: &mut KioskMachine| -> usize {
        let mut events = 0;
        for event in &visit {
            let effects = machine.handle(event.clone());
            events += 1;
            if effects.iter().any(|e| matches!(e, KioskEffect::Submit(_))) {
                black_box(machine.handle(KioskEvent::Stored {
                    receipt: "K7M-4PQ".into(),
                }));
                events += 1;
            }
            black_box(effects);
        }
        assert!(machine.is_idle(), "the visit ends on the attract screen");
        events
    };
    let per_visit = play(&mut machine);
    let visits = 20;
    let took = best_of(5, || {
        for _ in 0..visits {
            black_box(play(&mut machine));
        }
    });
    let count = per_visit * visits;
    println!(
        "kiosk machine: {visits} street-light visits of {per_visit} events in {:.1} ms = {:.0} events/s ({:.2} ms per visit)",
        took.as_secs_f64() * 1e3,
        count as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e3 / visits as f64
    );
}
