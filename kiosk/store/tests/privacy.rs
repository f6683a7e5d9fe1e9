//! Forget the person: after queueing a submission with a name and a phone number, no file
//! of the data directory, no event and no trace line contains them; only the holder of
//! the back end's secret key can open the sealed box.

mod common;

use common::{enrolled_store, report};
use kiosk_store::Store;
use kiosk_sync::seal::KeyPair;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

const SECRETS: &[&str] = &[
    "0612345678",
    "06 12 34 56 78",
    "612345678",
    "Jeanne Dupont-Martin",
    "Dupont-Martin",
    "Jeanne",
    "lampadaire",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn assert_no_secret(what: &str, bytes: &[u8]) {
    for secret in SECRETS {
        assert!(
            !contains(bytes, secret.as_bytes()),
            "{secret:?} found in {what}"
        );
        // SQLite stores TEXT as UTF-8 here, but make sure no UTF-16 copy hides either.
        let utf16: Vec<u8> = secret.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(
            !contains(bytes, &utf16),
            "{secret:?} (UTF-16) found in {what}"
        );
    }
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_personal_data_on_disk_in_events_or_traces() {
    let dir = tempfile::tempdir().unwrap();
    let backend = KeyPair::generate();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();

    let submission = report(1);
    let (queued, path) = tracing::subscriber::with_default(subscriber, || {
        let (store, path) = enrolled_store(dir.path(), &backend);
        let queued = store.queue_submission(&submission).unwrap();
        // The handle stays open: the WAL and shared-memory files are there too.
        let files_now = files(dir.path());
        let names: Vec<String> = files_now
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"kiosk.db-wal".to_owned()), "{names:?}");
        for file in &files_now {
            let bytes = std::fs::read(file).unwrap();
            assert_no_secret(&file.display().to_string(), &bytes);
        }
        let events = store.recent_events(100).unwrap();
        let text = format!("{events:?}");
        // The receipt code is a bearer code (it opens the request's status): only its tag.
        assert!(
            !text.contains(&queued.receipt),
            "receipt code in the events: {text}"
        );
        assert!(
            text.contains(&kiosk_store::receipt_tag(&queued.receipt)),
            "{text}"
        );
        assert_no_secret("the event log", text.as_bytes());

        // The sealed box opens, with the back end's secret only, to the original JSON.
        let due = store.due(chrono::Utc::now(), 10).unwrap();
        assert_eq!(due.len(), 1);
        let opened = backend.open(&due[0].sealed).unwrap();
        assert_eq!(opened, serde_json::to_vec(&submission).unwrap());
        let json: serde_json::Value = serde_json::from_slice(&opened).unwrap();
        assert_eq!(json["answers"][3]["value"], "0612345678");
        assert!(KeyPair::generate().open(&due[0].sealed).is_err());

        // Nothing a person sees or a log gets shows the answers either.
        let listing = format!(
            "{:?} {:?} {:?}",
            store.outbox_listing(10).unwrap(),
            store.lookup_receipt(&queued.receipt).unwrap(),
            due
        );
        assert_no_secret("the listing", listing.as_bytes());
        drop(store);
        (queued, path)
    });

    let traces = captured.0.lock().unwrap().clone();
    let traces = String::from_utf8(traces).unwrap();
    assert!(traces.contains("store.queue_submission"), "{traces}");
    assert!(traces.contains(&queued.id), "{traces}");
    assert!(
        !traces.contains(&queued.receipt),
        "receipt code in the traces: {traces}"
    );
    assert_no_secret("the traces", traces.as_bytes());
    assert!(
        !traces.contains("jeton-secret-de-la-borne"),
        "token in traces"
    );

    // After a clean close too (the WAL checkpointed into the main file).
    let store = Store::open(&path).unwrap();
    drop(store);
    for file in files(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert_no_secret(&file.display().to_string(), &bytes);
    }
}

#[test]
fn the_identity_debug_hides_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let identity = store.identity().unwrap().unwrap();
    assert_eq!(identity.token, "jeton-secret-de-la-borne");
    let text = format!("{identity:?}");
    assert!(!text.contains("jeton-secret"), "{text}");
    let events = format!("{:?}", store.recent_events(10).unwrap());
    assert!(!events.contains("jeton-secret"), "{events}");
}
