//! Helpers for end-to-end tests: the real `kiosk` and `backend` binaries as processes on
//! 127.0.0.1, real SQLite files in temporary folders, and a fault-injecting TCP proxy.
//!
//! # Layout
//! - [`binary`]: finds (and if needed builds) a workspace binary.
//! - [`Backend`]: `backend init` + `backend serve` on a free port, killed on drop.
//! - [`Kiosk`]: a kiosk data folder and its commands.
//! - [`proxy`]: a TCP proxy that delays, resets, answers 500 or cuts responses.
//! - [`tamper`]: a TCP proxy that changes bytes of the answers (a tampered download).

pub mod proxy;
pub mod tamper;

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The newest modification time of the workspace's sources (Rust files and manifests).
fn newest_source() -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut pending = vec![workspace_root()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && !name.starts_with("target-") {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") || name == "Cargo.toml" || name.ends_with(".slint") {
                if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                    newest = newest.max(modified);
                }
            }
        }
    }
    newest
}

/// The path of a workspace binary. `cargo test --workspace` (and nextest) already built it
/// with the workspace's features; it is rebuilt here only when missing or older than the
/// sources, because a `cargo build --bin` with other features would rebuild the world.
pub fn binary(name: &str) -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join(name);
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|built| built >= newest_source());
    if fresh {
        return Ok(path);
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--bin", name])
        .current_dir(workspace_root())
        .status()
        .context("cargo build")?;
    if !status.success() {
        bail!("cargo build --bin {name} failed");
    }
    Ok(path)
}

/// A running back end with its own data folder.
pub struct Backend {
    pub dir: PathBuf,
    pub url: String,
    child: Option<Child>,
    listen: String,
}

impl Backend {
    /// `backend init` in `dir` (if not done yet), then serve on a free loopback port.
    pub fn start(dir: &Path) -> Result<Backend> {
        if !dir.join("backend.key").exists() {
            let out = Self::command(dir, &["init"])?;
            if !out.status.success() {
                bail!("backend init: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        let mut backend = Backend {
            dir: dir.to_path_buf(),
            url: String::new(),
            child: None,
            listen: "127.0.0.1:0".to_string(),
        };
        backend.spawn()?;
        Ok(backend)
    }

    fn spawn(&mut self) -> Result<()> {
        let mut child = Command::new(binary("backend")?)
            .args(["--data-dir"])
            .arg(&self.dir)
            .args(["serve", "--listen", &self.listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("backend serve")?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            let Some(line) = lines.next() else {
                bail!("backend serve stopped before printing its address");
            };
            let line = line?;
            if let Some(at) = line.find("http://") {
                break line[at..].trim().to_string();
            }
            if Instant::now() > deadline {
                bail!("backend serve printed no address");
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        self.listen = url.trim_start_matches("http://").to_string();
        self.url = url;
        self.child = Some(child);
        Ok(())
    }

    /// Kills the server at once (SIGKILL), as a power cut would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port and data, after [`Backend::kill`].
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()
    }

    pub fn command(dir: &Path, args: &[&str]) -> Result<Output> {
        Ok(Command::new(binary("backend")?)
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .output()?)
    }

    /// `backend kiosk add NAME --place PLACE`: the enrolment code.
    pub fn add_kiosk(&self, name: &str) -> Result<String> {
        let out = Self::command(
            &self.dir,
            &["kiosk", "add", name, "--place", "Mairie de test"],
        )?;
        if !out.status.success() {
            bail!(
                "backend kiosk add: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .context("no enrolment code printed")
    }

    /// `backend submissions --json`, parsed.
    pub fn submissions(&self) -> Result<Vec<serde_json::Value>> {
        let out = Self::command(&self.dir, &["submissions", "--json"])?;
        if !out.status.success() {
            bail!(
                "backend submissions: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).context("a JSON line"))
            .collect()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A kiosk: a data folder for the `kiosk` binary.
pub struct Kiosk {
    pub dir: PathBuf,
}

impl Kiosk {
    pub fn new(dir: &Path) -> Kiosk {
        Kiosk {
            dir: dir.to_path_buf(),
        }
    }

    pub fn command(&self) -> Result<Command> {
        let mut c = Command::new(binary("kiosk")?);
        c.arg("--data-dir")
            .arg(&self.dir)
            .current_dir(workspace_root());
        Ok(c)
    }

    pub fn run(&self, args: &[&str]) -> Result<Output> {
        Ok(self.command()?.args(args).output()?)
    }

    pub fn enroll(&self, url: &str, code: &str) -> Result<()> {
        let out = self.run(&["enroll", url, code])?;
        if !out.status.success() {
            bail!("kiosk enroll: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    pub fn store(&self) -> Result<kiosk_store::Store> {
        Ok(kiosk_store::Store::open(self.dir.join("kiosk.db"))?)
    }

    /// Runs `kiosk sync --once --all` until nothing is left, at most `tries` times.
    pub fn sync_until_empty(&self, tries: usize) -> Result<usize> {
        for attempt in 1..=tries {
            let out = self.run(&["sync", "--once", "--all"])?;
            if out.status.success() {
                return Ok(attempt);
            }
        }
        bail!("the outbox is still not empty after {tries} passes")
    }
}

/// A real submission of the street-light report, as the runtime makes it, with a phone
/// number and a name that must never be readable on the kiosk's disk.
pub fn street_light_submission(n: usize) -> kiosk_flow::runtime::Submission {
    use kiosk_flow::runtime::{Submission, SubmittedAnswer};
    let answer = |id: &str, label: &str, value: serde_json::Value, display: &str| SubmittedAnswer {
        step_id: id.to_string(),
        label: label.to_string(),
        value,
        display: display.to_string(),
        dataset: (id == "commune").then(|| "communes".to_string()),
        details: Default::default(),
    };
    Submission {
        flow_id: "eclairage-public".to_string(),
        flow_version: 1,
        service: "voirie".to_string(),
        answers: vec![
            answer("commune", "Commune", "62290".into(), "Duisans"),
            answer(
                "lieu",
                "Endroit",
                format!("devant le {n} rue de l'Église").into(),
                "devant le numéro",
            ),
            answer(
                "probleme",
                "Problème",
                "eteint".into(),
                "Il ne s'allume plus",
            ),
            answer(
                "nom",
                "Nom",
                "Jeanne Dupont-Martin".into(),
                "Jeanne Dupont-Martin",
            ),
            answer(
                "telephone",
                "Téléphone",
                "0612345678".into(),
                "06 12 34 56 78",
            ),
        ],
        urgent: false,
        booking: None,
    }
}
