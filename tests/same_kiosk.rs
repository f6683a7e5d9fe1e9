//! The terminal simulator and the touchscreen are two hosts of one kiosk machine: every example
//! script of the shipped flows, played by `kiosk simulate` and by the Slint window (Slint's
//! testing backend, touches and speech given through the window's own callbacks), makes the
//! kiosk say exactly the same sentences in the same order.

use e2e::Kiosk;
use kiosk_flow::machine::panel_script_line;
use kiosk_flow::understand::Command;
use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices,
};
use kiosk_ui::{Controller, Host, Kiosk as KioskGlobal, RecordingVoice, Storage, UiConfig};
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn repo() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_path_buf()
}

fn shipped_flows() -> Vec<Arc<Flow>> {
    let dir = repo().join("flows");
    let mut datasets = Datasets::new();
    for entry in std::fs::read_dir(dir.join("data")).expect("data") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("dataset");
        let d = load_dataset(&text).value.expect("dataset");
        datasets.insert(d.id.clone(), d);
    }
    let mut notices = ServiceNotices::new();
    for entry in std::fs::read_dir(dir.join("services")).expect("services") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("notice");
        let n = load_service_notice(&text).value.expect("notice");
        notices.insert(n.service.clone(), n);
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("flows")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("flow");
            Arc::new(
                load_flow_with(&text, &datasets, &notices)
                    .value
                    .expect("a valid flow"),
            )
        })
        .collect()
}

/// One visit: from the attract screen, the flow's tile, the example's answers, "Terminer".
fn visit(example: &Path, flow_id: &str) -> Vec<String> {
    let mut lines = vec!["touch".to_string(), format!("touch:{flow_id}")];
    lines.extend(
        std::fs::read_to_string(example)
            .expect("example")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string),
    );
    lines.push("touch:terminer".into());
    lines
}

/// What `kiosk simulate flows/` says for these lines.
fn simulator_says(lines: &[String], dir: &Path) -> Vec<String> {
    let script = dir.join("script.txt");
    std::fs::write(&script, lines.join("\n") + "\n").expect("script");
    let kiosk = Kiosk::new(&dir.join("borne"));
    let out = kiosk
        .run(&[
            "simulate",
            &repo().join("flows").to_string_lossy(),
            "--answers",
            &script.to_string_lossy(),
            "--today",
            "2026-11-28",
        ])
        .expect("simulate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A spoken text on several lines goes on under its first line, indented.
    let mut said: Vec<String> = Vec::new();
    let mut in_voice = false;
    for line in stdout.lines() {
        if let Some(text) = line.strip_prefix("VOIX  : ") {
            said.push(text.to_string());
            in_voice = true;
        } else if let (true, Some(more), Some(last)) =
            (in_voice, line.strip_prefix("        "), said.last_mut())
        {
            if more.starts_with('(') {
                in_voice = false;
            } else {
                last.push('\n');
                last.push_str(more);
            }
        } else {
            in_voice = false;
        }
    }
    said
}

/// What the Slint window says for these lines.
fn window_says(flows: &[Arc<Flow>], lines: &[String]) -> Vec<String> {
    static PLATFORM: std::sync::Once = std::sync::Once::new();
    PLATFORM.call_once(i_slint_backend_testing::init_no_event_loop);
    let voice = RecordingVoice::new();
    let config = UiConfig {
        flows: flows.to_vec(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28),
        // As `kiosk simulate`, which offers « Imprimer » (one-button mode scans it).
        printer: true,
        ..UiConfig::default()
    };
    let controller = Controller::new(
        config,
        Host::new(Storage::Preview, None),
        Box::new(voice.clone()),
    )
    .expect("window");
    controller.window().show().expect("show");
    let k = controller.window().global::<KioskGlobal>();
    for line in lines {
        // The front panel (script lines as `kiosk simulate` reads them).
        if let Some(event) = panel_script_line(line) {
            controller.event(event);
            continue;
        }
        match line.strip_prefix("touch:") {
            _ if line == "touch" => k.invoke_start(),
            _ if line == "attendre" => controller.time_out(),
            Some("terminer") => k.invoke_finish(),
            Some(id) if Command::from_button_id(id).is_some() => k.invoke_command(id.into()),
            Some(id) => k.invoke_touched(id.into()),
            None if line.is_empty() => controller.no_speech(),
            None => controller.heard(line),
        }
    }
    voice.said()
}

#[test]
fn the_simulator_and_the_window_say_the_same_for_every_example() {
    let flows = shipped_flows();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("flows/examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .collect();
    examples.sort();
    let mut compared = 0;
    for example in &examples {
        let name = example
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let Some(flow) = flows.iter().find(|f| name.starts_with(f.id.as_str())) else {
            continue;
        };
        let lines = visit(example, &flow.id);
        let simulated = simulator_says(&lines, dir.path());
        let windowed = window_says(&flows, &lines);
        assert!(simulated.len() > 5, "{name}: {simulated:?}");
        assert_eq!(simulated, windowed, "{name}: the two hosts disagree");
        compared += 1;
    }
    assert!(compared >= 16, "only {compared} examples compared");
}
