//! Benchmark: drain 10,000 queued submissions from a kiosk to the real back end over
//! loopback (`kiosk sync --once`), and the time to queue them (seal + durable commit).
//! Run with `cargo bench -p e2e`; set `DRAIN_COUNT` for another size.

use e2e::{street_light_submission, Backend, Kiosk};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::var("DRAIN_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let backend = Backend::start(&dir.path().join("backend"))?;
    let kiosk = Kiosk::new(&dir.path().join("borne"));
    kiosk.enroll(&backend.url, &backend.add_kiosk("borne-bench")?)?;

    let store = kiosk.store()?;
    let started = Instant::now();
    for i in 0..count {
        store.queue_submission(&street_light_submission(i))?;
    }
    let queued = started.elapsed();
    drop(store);
    println!(
        "queue: {count} submissions in {:.2} s ({:.2} ms each, sealed and committed)",
        queued.as_secs_f64(),
        queued.as_secs_f64() * 1e3 / count as f64
    );

    let started = Instant::now();
    let passes = kiosk.sync_until_empty(10)?;
    let drained = started.elapsed();
    let received = backend.submissions()?.len();
    anyhow::ensure!(received == count, "the back end has {received} of {count}");
    println!(
        "drain: {count} submissions delivered in {:.2} s ({:.0} per second, {passes} pass(es))",
        drained.as_secs_f64(),
        count as f64 / drained.as_secs_f64()
    );
    Ok(())
}
