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

/// How many pixels of the image are exactly this colour.
fn pixels_of(path: &std::path::Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p[..3] == rgb)
        .count()
}

/// One-button mode's screenshot shows the focus ring: its yellow inner ring (a colour no other
/// part of the normal theme uses) around the item highlighted, absent without the mode.
#[test]
fn the_one_button_screenshot_shows_the_focus_ring() {
    let flows = common::shipped_flows();
    let tmp = tempfile::tempdir().unwrap();
    let options = ScreenshotOptions {
        size: (800, 480),
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
        printer: true,
    };
    let files = render_flow_screenshots(&flows, "eclairage-public", &options, tmp.path()).unwrap();
    let find = |name: &str| {
        files
            .iter()
            .find(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .ends_with(&format!("-{name}.png"))
            })
            .unwrap_or_else(|| panic!("{name} not in {files:?}"))
    };
    const RING: [u8; 3] = [0xff, 0xff, 0x00];
    // The same step without and with the mode.
    assert_eq!(pixels_of(find("accueil"), RING), 0);
    let ring = pixels_of(find("un-bouton"), RING);
    // Two rings (the « Suivant » button and the strip's item), 3 px wide, a few hundred px
    // around each.
    assert!(ring > 1500, "{ring} pixels of the focus ring");
    assert!(pixels_of(find("un-bouton-suite"), RING) > 1000);
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
                "un-bouton",
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
