//! `kiosk say` and `kiosk listen`: the kiosk's voice from the command line, with the models of
//! `voice-models/` (or `KIOSK_VOICE_MODELS`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kiosk_voice::audio::RECOGNIZER_RATE;
use kiosk_voice::{Audio, Mode, ModelPaths, Recognizer, RecognizerConfig, Speaker, VoiceChoice};
use serde::Serialize;

/// `kiosk say "TEXTE" [--out FILE.wav]`: speaks the text with the voice the configuration
/// chooses among those installed (a French Piper voice, else espeak-ng's French voice; never a
/// voice of another language) at the configured rate, into a WAV file, and prints which voice
/// spoke (`voix : espeak-ng fr`).
pub fn say(
    text: &str,
    out: Option<&Path>,
    choice: &VoiceChoice,
    words_per_minute: u32,
    optimized_dir: PathBuf,
) -> anyhow::Result<ExitCode> {
    let Some(out) = out else {
        // Playback through the sound card (cpal) is not wired yet.
        bail!("la sortie audio n'est pas encore branchée : utilisez --out FICHIER.wav");
    };
    let paths = ModelPaths::from_env().optimized_in(Some(optimized_dir));
    let mut speaker = Speaker::from_models(&paths, choice, None);
    speaker.settings.words_per_minute = words_per_minute;
    let Some(audio) = speaker.render(text).context("synthèse vocale")? else {
        eprintln!("aucune voix installée (scripts/fetch-models, scripts/setup-audio) : texte seul");
        println!("{text}");
        return Ok(ExitCode::from(2));
    };
    audio
        .write_wav(out)
        .with_context(|| format!("écriture de {}", out.display()))?;
    println!("voix : {}", speaker.voice_label().unwrap_or_default());
    eprintln!("{} : {:.1} s", out.display(), audio.duration_secs());
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Heard<'a> {
    text: &'a str,
    accepted: bool,
    words: Vec<HeardWord<'a>>,
}

#[derive(Serialize)]
struct HeardWord<'a> {
    word: &'a str,
    confidence: f32,
}

/// `kiosk listen [--wav FILE] [--grammar "phrase|phrase"]`: recognizes one utterance and prints
/// JSON with the text, whether it was accepted and each word's confidence. With `--grammar` the
/// global commands are added to the phrases; without it, free dictation. Exit 1 when nothing was
/// understood with enough confidence.
pub fn listen(wav: Option<&Path>, grammar: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(wav) = wav else {
        // Capture from the microphone (cpal) is not wired yet.
        bail!("le micro n'est pas encore branché : utilisez --wav FICHIER.wav");
    };
    let model = ModelPaths::from_env()
        .recognition_model()
        .context("aucun modèle de reconnaissance installé : lancez scripts/fetch-models")?;
    let audio = Audio::read_wav(wav)
        .and_then(|a| a.resampled(RECOGNIZER_RATE))
        .with_context(|| format!("lecture de {}", wav.display()))?;
    let mode = match grammar {
        Some(phrases) => Mode::Grammar(
            phrases
                .split('|')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        None => Mode::Free,
    };
    let mut config = RecognizerConfig::new(model);
    config.global_phrases = kiosk_flow::understand::command_phrases()
        .into_iter()
        .map(|(phrase, _)| phrase.to_owned())
        .collect();
    let recognizer = Recognizer::spawn(config).context("chargement du modèle")?;
    let utterance = recognizer
        .recognize(mode, &audio.to_i16())
        .context("reconnaissance")?;
    let heard = Heard {
        text: &utterance.text,
        accepted: utterance.accepted,
        words: utterance
            .words
            .iter()
            .map(|w| HeardWord {
                word: &w.word,
                confidence: w.confidence,
            })
            .collect(),
    };
    println!("{}", serde_json::to_string(&heard)?);
    Ok(if utterance.accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
