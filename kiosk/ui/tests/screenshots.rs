//! Screenshots of every screen of the shipped flows, headless, at both target sizes.
//! Set KIOSK_UI_SHOTS=/some/dir to keep them (one folder per size and flow).
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use kiosk_ui::{render_flow_screenshots, ScreenshotOptions};
use std::path::PathBuf;

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn every_screen_of_every_shipped_flow_at_both_sizes() {
    let flows = common::shipped_flows();
    let tmp = tempfile::tempdir().unwrap();
    let root = std::env::var_os("KIOSK_UI_SHOTS").map_or(tmp.path().to_path_buf(), PathBuf::from);
    for size in [(800, 480), (1280, 800)] {
        for flow in &flows {
            let out = root.join(format!("{}x{}", size.0, size.1)).join(&flow.id);
            let options = ScreenshotOptions {
                size,
                today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
                printer: true,
            };
            let files = render_flow_screenshots(&flows, &flow.id, &options, &out).unwrap();
            let names: Vec<String> = files
                .iter()
                .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            for expected in [
                "accueil-borne",
                "menu",
                "toujours-la",
                "reglages",
                "code-ambassadeur",
                "ambassadeur",
            ] {
                assert!(
                    names.iter().any(|n| n.contains(expected)),
                    "{}: {expected} missing in {names:?}",
                    flow.id
                );
            }
            for file in &files {
                assert_eq!(png_size(file), size, "{}", file.display());
            }
            if flow.id == "eclairage-public" {
                for step in [
                    "commune",
                    "vos-données",
                    "vos-données-en-entier",
                    "vos-données-arrêter",
                    "lieu",
                    "lieu-relecture",
                    "probleme",
                    "danger",
                    "rappel",
                    "telephone",
                    "resume",
                    "code-de-suivi",
                    "fin-urgence",
                ] {
                    assert!(
                        names.iter().any(|n| n.ends_with(&format!("-{step}.png"))),
                        "{step} missing in {names:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn unknown_flow_is_an_error() {
    let flows = common::shipped_flows();
    let tmp = tempfile::tempdir().unwrap();
    let err = render_flow_screenshots(&flows, "nope", &ScreenshotOptions::default(), tmp.path());
    assert!(err.is_err());
}
