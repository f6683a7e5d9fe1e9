//! Shared by the UI tests: the shipped flows, an enrolled store in a temporary folder,
//! a controller on Slint's testing backend, and touches by accessible label.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing
#![allow(dead_code)]

use i_slint_backend_testing::ElementHandle;
use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices,
};
use kiosk_store::{Identity, Store};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::EnrollResponse;
use kiosk_ui::{Controller, Host, RecordingVoice, Storage, UiConfig};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::ComponentHandle;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub fn flows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows")
}

/// Every shipped flow, checked.
pub fn shipped_flows() -> Vec<Arc<Flow>> {
    let dir = flows_dir();
    let mut datasets = Datasets::new();
    for entry in std::fs::read_dir(dir.join("data")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let d = load_dataset(&text).value.expect("dataset");
        datasets.insert(d.id.clone(), d);
    }
    let mut notices = ServiceNotices::new();
    for entry in std::fs::read_dir(dir.join("services")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let n = load_service_notice(&text).value.expect("notice");
        notices.insert(n.service.clone(), n);
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let loaded = load_flow_with(&std::fs::read_to_string(p).unwrap(), &datasets, &notices);
            Arc::new(
                loaded
                    .value
                    .unwrap_or_else(|| panic!("{}: {:?}", p.display(), loaded.diagnostics)),
            )
        })
        .collect()
}

pub struct Kiosk {
    pub controller: Controller,
    pub voice: RecordingVoice,
    pub store: Arc<Store>,
    pub keys: KeyPair,
    _dir: tempfile::TempDir,
}

pub fn config() -> UiConfig {
    UiConfig {
        flows: shipped_flows(),
        supervisor_pin: "2468".into(),
        idle_timeout: Duration::from_secs(30),
        idle_countdown: Duration::from_secs(5),
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
        ..UiConfig::default()
    }
}

/// A kiosk on the testing backend, 800x480, with a real SQLite store.
pub fn kiosk(config: UiConfig) -> Kiosk {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("kiosk.db")).unwrap();
    let keys = KeyPair::generate();
    let answer = EnrollResponse {
        kiosk_id: "5f0c6a4e-2d7b-4c1e-9a43-0d6f3b1e8a21".into(),
        name: "Mairie de Duisans".into(),
        place: "Hall".into(),
        token: "jeton".into(),
        public_key: keys.public_base64(),
        receipt_prefix: "K7".into(),
        catalog_key: String::new(),
    };
    store
        .set_identity(&Identity::from_enrollment(
            &answer,
            "https://ccca.example.invalid",
            chrono::Utc::now(),
        ))
        .unwrap();
    let store = Arc::new(store);
    let voice = RecordingVoice::new();
    let controller = Controller::new(
        config,
        Host::new(Storage::Store(store.clone()), None),
        Box::new(voice.clone()),
    )
    .unwrap();
    controller
        .window()
        .window()
        .set_size(slint::LogicalSize::new(800.0, 480.0));
    controller.window().show().unwrap();
    settle();
    Kiosk {
        controller,
        voice,
        store,
        keys,
        _dir: dir,
    }
}

/// Lets Slint run change handlers and instantiate what became visible.
pub fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(10));
}

/// Taps the one visible element with this accessible label.
pub fn tap(k: &Kiosk, label: &str) {
    settle();
    let mut found: Vec<ElementHandle> =
        ElementHandle::find_by_accessible_label(k.controller.window(), label).collect();
    // A button's text carries the same label: touch the button.
    if found.len() > 1 {
        found.retain(|e| {
            e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button)
        });
    }
    assert!(
        !found.is_empty(),
        "nothing labelled {label:?} on the screen (page {:?}, step {:?})",
        k.controller.page(),
        k.controller.step_id()
    );
    assert_eq!(found.len(), 1, "{label:?} is ambiguous");
    let element = &found[0];
    let pos = element.absolute_position();
    let size = element.size();
    assert!(
        pos.x >= 0.0 && pos.y >= 0.0 && pos.x + size.width <= 800.5 && pos.y + size.height <= 480.5,
        "{label:?} is off screen at {pos:?} {size:?}"
    );
    // Press, hold a moment (a Flickable waits before passing a press on), release.
    let position = slint::LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0);
    let window = k.controller.window().window();
    window.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(150));
    window.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    window.dispatch_event(WindowEvent::PointerExited);
    settle();
}

/// Types on the on-screen keyboard or keypad, key by key.
pub fn type_keys(k: &Kiosk, text: &str) {
    for c in text.chars() {
        let label = if c == ' ' {
            "Espace".to_string()
        } else {
            c.to_string()
        };
        tap(k, &label);
    }
}

pub fn step(k: &Kiosk) -> String {
    k.controller.step_id().unwrap_or_default()
}
