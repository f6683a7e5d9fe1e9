//! Test support, for this crate's tests and the app's: a PulseAudio rig with a virtual speaker
//! and a virtual microphone, giving real, paced audio on a machine without a sound card.
//!
//! Starts a user-mode daemon if none runs, loads two null sinks, `kiosk_speaker` (what the kiosk
//! plays to; the test records its monitor) and `kiosk_mic_feed` (what the test plays into; its
//! monitor is the kiosk's microphone), each kept running by a stream of silence. The kiosk reaches
//! them through ALSA's `pulse` plugin, chosen with `PULSE_SINK` and `PULSE_SOURCE`. Everything it
//! started is stopped on drop.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{Audio, AudioConfig};

pub const SPEAKER: &str = "kiosk_speaker";
pub const MIC_FEED: &str = "kiosk_mic_feed";

pub struct Rig {
    started_daemon: bool,
    modules: Vec<String>,
    keep_alive: Vec<Child>,
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn server_up() -> bool {
    run("pactl", &["info"]).is_ok()
}

impl Rig {
    /// The rig, or why PulseAudio cannot run here (the caller prints `SKIPPED: ...`).
    pub fn start() -> Result<Self, String> {
        let mut started_daemon = false;
        if !server_up() {
            // As root, PulseAudio warns that it is meant for users, and runs. No pipes: the
            // daemon would keep them open.
            let status = Command::new("pulseaudio")
                .args(["--daemonize=yes", "--exit-idle-time=-1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| format!("pulseaudio: {e}"))?;
            if !status.success() {
                return Err(format!("pulseaudio --daemonize failed ({status})"));
            }
            started_daemon = true;
            let deadline = Instant::now() + Duration::from_secs(20);
            while !server_up() {
                if Instant::now() > deadline {
                    return Err("the PulseAudio daemon started but does not answer".into());
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let mut rig = Self {
            started_daemon,
            modules: Vec::new(),
            keep_alive: Vec::new(),
        };
        // Sinks left by an interrupted run.
        if let Ok(modules) = run("pactl", &["list", "short", "modules"]) {
            for line in modules.lines() {
                if line.contains(&format!("sink_name={SPEAKER}"))
                    || line.contains(&format!("sink_name={MIC_FEED}"))
                {
                    if let Some(id) = line.split_whitespace().next() {
                        let _ = run("pactl", &["unload-module", id]);
                    }
                }
            }
        }
        for sink in [SPEAKER, MIC_FEED] {
            let id = run(
                "pactl",
                &[
                    "load-module",
                    "module-null-sink",
                    &format!("sink_name={sink}"),
                    &format!("sink_properties=device.description={sink}"),
                ],
            )?;
            rig.modules.push(id.trim().to_owned());
            // Silence forever, so that the sink is never suspended and its monitor keeps time.
            let child = Command::new("pacat")
                .args(["--playback", &format!("--device={sink}"), "--raw"])
                .args(["--format=s16le", "--rate=16000", "--channels=1"])
                .arg("/dev/zero")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("pacat: {e}"))?;
            rig.keep_alive.push(child);
        }
        // The kiosk's ALSA `pulse` device goes to these (set before any stream opens).
        std::env::set_var("PULSE_SINK", SPEAKER);
        std::env::set_var("PULSE_SOURCE", format!("{MIC_FEED}.monitor"));
        Ok(rig)
    }

    /// The kiosk's configuration: ALSA's `pulse` device both ways.
    pub fn audio_config(&self) -> AudioConfig {
        AudioConfig {
            input: Some("pulse".into()),
            output: Some("pulse".into()),
        }
    }

    /// Plays a WAV file into the virtual microphone, in real time; returns when it is done.
    pub fn play_into_mic(&self, wav: &std::path::Path) -> Result<(), String> {
        run(
            "paplay",
            &[&format!("--device={MIC_FEED}"), &wav.to_string_lossy()],
        )
        .map(|_| ())
    }

    /// Records what the kiosk plays (the virtual speaker's monitor), 16 kHz mono, until stopped.
    pub fn record_speaker(&self) -> Result<Recording, String> {
        let mut child = Command::new("parec")
            .args([&format!("--device={SPEAKER}.monitor"), "--raw"])
            .args(["--format=s16le", "--rate=16000", "--channels=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("parec: {e}"))?;
        let mut stdout = child.stdout.take().ok_or("parec: no stdout")?;
        let samples = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&samples);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 3200];
            let mut odd: Option<u8> = None;
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut bytes: Vec<u8> = odd.take().into_iter().collect();
                bytes.extend_from_slice(&buf[..n]);
                if bytes.len() % 2 == 1 {
                    odd = bytes.pop();
                }
                let mut all = sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                all.extend(
                    bytes
                        .chunks_exact(2)
                        .map(|b| i16::from_le_bytes([b[0], b[1]])),
                );
            }
        });
        Ok(Recording {
            child,
            reader: Some(reader),
            samples,
        })
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        for child in &mut self.keep_alive {
            let _ = child.kill();
            let _ = child.wait();
        }
        for id in &self.modules {
            let _ = run("pactl", &["unload-module", id]);
        }
        // The daemon goes only if this rig started it and nobody else (another test's null
        // sinks) uses it now.
        let others = run("pactl", &["list", "short", "modules"])
            .map(|m| {
                m.lines()
                    .any(|l| l.contains("module-null-sink") && !l.contains("auto_null"))
            })
            .unwrap_or(false);
        if self.started_daemon && !others {
            let _ = run("pulseaudio", &["--kill"]);
        }
    }
}

/// A `parec` recording in progress.
pub struct Recording {
    child: Child,
    reader: Option<JoinHandle<()>>,
    samples: Arc<Mutex<Vec<i16>>>,
}

impl Recording {
    /// Stops recording and returns the audio.
    pub fn stop(mut self) -> Audio {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let samples = std::mem::take(
            &mut *self
                .samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        Audio::from_i16(&samples, 16_000)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Seconds of `audio` in 20 ms windows louder than -40 dBFS.
pub fn audible_secs(audio: &Audio) -> f64 {
    let window = (audio.sample_rate / 50) as usize;
    let loud = audio
        .samples
        .chunks(window)
        .filter(|w| Audio::new(w.to_vec(), audio.sample_rate).rms() > 0.01)
        .count();
    loud as f64 * 0.02
}
