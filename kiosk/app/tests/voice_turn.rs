//! `kiosk simulate --voice` through PulseAudio's virtual speaker and microphone: the kiosk
//! speaks the prompt, the test answers into the microphone, the answer is recognized, and the
//! flow moves to its next step. Real models (the Korean development model, so the flow's
//! answers are Korean words), real, paced audio.

#![allow(clippy::unwrap_used)] // a test: a failure should stop it where it happens

use kiosk_voice::test_rig::{audible_secs, Rig};
use kiosk_voice::Audio;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Korean word said by espeak-ng, with silence around it, as a 16 kHz WAV file.
fn answer_wav(dir: &Path, word: &str) -> PathBuf {
    let raw = dir.join("raw.wav");
    let status = Command::new("espeak-ng")
        .args(["-v", "ko", "-w"])
        .arg(&raw)
        .arg(word)
        .status()
        .expect("espeak-ng (scripts/setup-audio)");
    assert!(status.success());
    let spoken = Audio::read_wav(&raw).unwrap().resampled(16_000).unwrap();
    let mut samples = vec![0.0; 8_000];
    samples.extend(spoken.samples);
    let mut padded = Audio::new(samples, 16_000);
    padded.append_silence(1.5);
    let path = dir.join("answer.wav");
    padded.write_wav(&path).unwrap();
    path
}

#[test]
fn a_spoken_answer_moves_the_flow_to_its_next_step() {
    let rig = match Rig::start() {
        Ok(rig) => rig,
        Err(why) => {
            println!("SKIPPED: PulseAudio cannot run here: {why}");
            eprintln!("SKIPPED: PulseAudio cannot run here: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let wav = answer_wav(dir.path(), "감사합니다");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "models = {:?}\n[voice]\ninput_device = \"pulse\"\noutput_device = \"pulse\"\n",
            root().join("voice-models").canonicalize().unwrap()
        ),
    )
    .unwrap();
    let speaker = rig.record_speaker().unwrap();
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("simulate")
        .arg(root().join("kiosk/app/tests/data/coreen.yaml"))
        .arg("--voice")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();

    // The transcript, as it comes (the listening mark has no newline after it).
    let mut stdout = kiosk.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut transcript = Vec::new();
    let wait_for = |needle: &str, transcript: &mut Vec<u8>| {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !String::from_utf8_lossy(transcript).contains(needle) {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| {
                    panic!("no {needle:?} in:\n{}", String::from_utf8_lossy(transcript))
                });
            match rx.recv_timeout(left) {
                Ok(bytes) => transcript.extend(bytes),
                Err(_) => panic!("no {needle:?} in:\n{}", String::from_utf8_lossy(transcript)),
            }
        }
    };
    wait_for("(j'écoute…)", &mut transcript);
    rig.play_into_mic(&wav).unwrap();
    wait_for("C'est entendu.", &mut transcript);
    let status = kiosk.wait().unwrap();
    let said = speaker.stop();
    let transcript = String::from_utf8_lossy(&transcript).into_owned();
    println!("{transcript}");

    assert!(status.success(), "{status}");
    assert!(transcript.contains("> 감사합니다"), "{transcript}");
    assert!(transcript.contains("étape 2/2 (fin)"), "{transcript}");
    // The prompt, the read-back and the end were played through the speaker.
    assert!(
        audible_secs(&said) > 1.0,
        "{} s audible",
        audible_secs(&said)
    );
}
