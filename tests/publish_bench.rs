//! Benchmark: from `backend flow publish` to the flow offered on an idle kiosk (one
//! `kiosk sync --once` pass, then `kiosk flows --json`), and the size of the signed catalog
//! a kiosk downloads, for 8, 50 and 200 published flows. Run with
//! `cargo bench -p e2e --bench publish`.

use e2e::{Backend, Kiosk};
use kiosk_sync::client::{CatalogFetch, Client};
use std::path::Path;
use std::time::Instant;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn main() -> anyhow::Result<()> {
    let template = std::fs::read_to_string(repo().join("flows/rappel.yaml"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for count in [8usize, 50, 200] {
        let dir = tempfile::tempdir()?;
        let backend = Backend::start(&dir.path().join("backend"))?;
        let kiosk = Kiosk::new(&dir.path().join("borne"));
        kiosk.enroll(&backend.url, &backend.add_kiosk("borne-bench")?)?;
        let flows = dir.path().join("parcours");
        // The service's privacy notice goes with the flows (`rappel` asks a phone number).
        std::fs::create_dir_all(flows.join("services"))?;
        std::fs::copy(
            repo().join("flows/services/mediation-numerique.yaml"),
            flows.join("services/mediation-numerique.yaml"),
        )?;
        for i in 0..count {
            let yaml = template
                .replace("id: rappel\n", &format!("id: rappel-{i:03}\n"))
                .replace(
                    "title: Être rappelé par quelqu'un\n",
                    &format!("title: Être rappelé, numéro {i}\n"),
                );
            std::fs::write(flows.join(format!("rappel-{i:03}.yaml")), yaml)?;
        }

        let started = Instant::now();
        let out = Backend::command(&backend.dir, &["flow", "publish", &flows.to_string_lossy()])?;
        anyhow::ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let published = started.elapsed();
        let out = kiosk.run(&["sync", "--once"])?;
        anyhow::ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let synced = started.elapsed();
        let out = kiosk.run(&["flows", "--json"])?;
        let offered = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("\"published\""))
            .count();
        let listed = started.elapsed();
        anyhow::ensure!(offered == count, "{offered} of {count} offered");

        let identity = kiosk
            .store()?
            .identity()?
            .ok_or_else(|| anyhow::anyhow!("identity"))?;
        let client = Client::new(&backend.url, Some(identity.token.clone()))?;
        let bytes = match runtime.block_on(client.catalog(&[]))? {
            CatalogFetch::Offered { bytes, .. } => bytes,
            CatalogFetch::Unchanged => 0,
        };
        let fetch_started = Instant::now();
        let unchanged = runtime.block_on(client.catalog(&[1]))?;
        let not_modified = fetch_started.elapsed();
        anyhow::ensure!(unchanged == CatalogFetch::Unchanged, "304 expected");
        println!(
            "{count:>3} flows: publish {:.0} ms, + sync pass (fetch, verify, check, install) \
             {:.0} ms, offered after {:.0} ms; catalog {} bytes ({:.1} KiB, {} bytes a flow); \
             an unchanged catalog: 304 in {:.1} ms",
            published.as_secs_f64() * 1e3,
            (synced - published).as_secs_f64() * 1e3,
            listed.as_secs_f64() * 1e3,
            bytes,
            bytes as f64 / 1024.0,
            bytes / count,
            not_modified.as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
