//! Benchmark: checking generated flows of 1,000, 10,000 and 100,000 steps, to show that
//! checking is linear in the number of steps. Run with `cargo bench -p kiosk-flow --bench
//! flow_check`.
//!
//! The documented limits (flows/README.md, "Limits": 1 Mo per file, 1,000 steps) refuse the
//! two larger flows before checking them; so the checker itself is measured without limits
//! (`Limits::NONE`), and the refusal under the documented limits is measured too. A plain
//! timing loop (no harness), best of a few rounds, like `flow_bench`.

mod common;

use common::best_of;
use kiosk_flow::{load_flow_bytes, load_flow_within, Datasets, Limits};
use std::fmt::Write;
use std::hint::black_box;

/// A valid flow of exactly `steps` steps (at least 6) that uses what the checker checks:
/// yes/no, number and choice questions, conditions on earlier answers (type, option and
/// range checks, satisfiability), templates naming earlier questions, a summary and a submit.
fn generated_flow(steps: usize) -> String {
    let mut yaml = String::from(
        "id: genere\nversion: 1\ntitle: Parcours généré\nkind: procedure\nservice: essai\n\
         description: Un parcours très long.\nsteps:\n",
    );
    let blocks = (steps - 2) / 4;
    for i in 0..blocks {
        let _ = write!(
            yaml,
            "  - id: q{i}\n    ask: Question {i} ?\n    label: Réponse {i}\n    type: yes_no\n\
             \x20   help: Dites oui ou non.\n    reprompt: Dites oui ou non.\n\
             \x20 - id: n{i}\n    when: q{i} == oui\n    ask: Combien pour {{q{i}}} ?\n\
             \x20   label: Nombre {i}\n    type: number\n    min: 0\n    max: 10\n\
             \x20   help: Dites un nombre.\n    reprompt: Dites un nombre.\n\
             \x20 - id: c{i}\n    ask: Quel choix ?\n    label: Choix {i}\n    type: choice\n\
             \x20   options:\n      - id: a\n        label: Premier\n      - id: b\n\
             \x20       label: Second\n    help: Dites premier ou second.\n\
             \x20   reprompt: Dites premier ou second.\n\
             \x20 - id: i{i}\n    when: c{i} == 'a' and n{i} >= 2\n    info: Vous avez choisi {{c{i}}}.\n"
        );
    }
    for i in blocks * 4..steps - 2 {
        let _ = write!(yaml, "  - id: x{i}\n    info: Encore une information.\n");
    }
    yaml.push_str(
        "  - id: resume\n    summary: Voici votre demande.\n    fields: [q0, c0]\n\
         \x20 - id: envoi\n    submit: Merci. Votre code est {recu}.\n    send: [q0]\n",
    );
    yaml
}

fn main() {
    let datasets = Datasets::new();
    for steps in [1_000, 10_000, 100_000] {
        let yaml = generated_flow(steps);
        let rounds = if steps >= 100_000 { 2 } else { 5 };
        let checked = best_of(rounds, || {
            let loaded = load_flow_within(yaml.as_bytes(), &datasets, &Limits::NONE);
            assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics.first());
            black_box(loaded);
        });
        let refused = best_of(rounds, || {
            black_box(load_flow_bytes(yaml.as_bytes(), &datasets));
        });
        let documented = load_flow_bytes(yaml.as_bytes(), &datasets);
        let outcome = match documented.diagnostics.first() {
            Some(d) if documented.has_errors() => format!("refused ({d})"),
            _ => "accepted".to_string(),
        };
        println!(
            "{steps} steps ({} kB): checked without limits in {:.1} ms ({:.2} µs per step); \
             with the documented limits {outcome} in {:.0} µs",
            yaml.len() / 1024,
            checked.as_secs_f64() * 1e3,
            checked.as_secs_f64() * 1e6 / steps as f64,
            refused.as_secs_f64() * 1e6,
        );
    }

    // The step bound on its own: short steps, so that the file stays under 1 Mo.
    let steps = 5_000;
    let mut yaml = generated_flow(6);
    for i in 0..steps {
        let _ = write!(yaml, "  - id: z{i}\n    info: Encore.\n");
    }
    let loaded = load_flow_bytes(yaml.as_bytes(), &datasets);
    let refused = best_of(5, || {
        black_box(load_flow_bytes(yaml.as_bytes(), &datasets));
    });
    println!(
        "{} short steps ({} kB) with the documented limits: {} in {:.1} ms",
        steps + 6,
        yaml.len() / 1024,
        loaded
            .diagnostics
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
        refused.as_secs_f64() * 1e3,
    );
}
