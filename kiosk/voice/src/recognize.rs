//! The recognizer worker: one long-lived thread owns the Vosk model and its recognizers (a Vosk
//! recognizer is not thread-safe), fed 16 kHz mono `i16` audio over a channel.
//!
//! Per listening step the caller sends [`Mode::Grammar`] with the step's phrases (the global
//! commands of [`RecognizerConfig::global_phrases`] are added), or [`Mode::Free`] for dictation,
//! then audio, then the end of the utterance. The worker streams [`Event::Partial`] texts for
//! display and ends with one [`Event::Final`]. Words under [`RecognizerConfig::min_confidence`]
//! reject the utterance: the Korean development model has no `[unk]` word, so in grammar mode
//! anything heard maps to some phrase and the confidence is the only filter.
//!
//! A grammar phrase with a word outside the model's vocabulary is left out of the grammar (Vosk
//! would silently drop the word and listen for the rest); [`Recognizer::known_words`] lets the
//! flows be checked against the vocabulary when they are installed (`kiosk_flow::vocabulary`).
//!
//! Vosk recognizers grow in long runs, so each is dropped and rebuilt after
//! [`RecognizerConfig::recreate_after`] utterances.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::{debug, info, info_span, warn};

use crate::audio::RECOGNIZER_RATE;
use crate::search::Search;
use crate::VoiceError;

/// How the recognizer listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Only these phrases (plus the global commands).
    Grammar(Vec<String>),
    /// Free dictation, read back to the citizen for confirmation.
    Free,
}

#[derive(Debug, Clone)]
pub struct RecognizerConfig {
    /// The Vosk model's folder.
    pub model_dir: PathBuf,
    /// Phrases added to every grammar ("aide", "répéter", ...).
    pub global_phrases: Vec<String>,
    /// A word under this confidence rejects the utterance.
    pub min_confidence: f32,
    /// Recognizers are rebuilt after this many utterances, to bound Vosk's memory.
    pub recreate_after: u32,
    /// The decoder's search; `None`: the model's own.
    pub search: Option<Search>,
}

impl RecognizerConfig {
    pub fn new(model_dir: impl Into<PathBuf>) -> Self {
        Self {
            model_dir: model_dir.into(),
            global_phrases: Vec::new(),
            min_confidence: 0.6,
            recreate_after: 50,
            search: Some(Search::KIOSK),
        }
    }
}

/// A recognized word and Vosk's confidence in it (0 to 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    pub word: String,
    pub confidence: f32,
    pub start: f32,
    pub end: f32,
}

/// What one utterance gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Utterance {
    /// What Vosk heard, accepted or not (empty for silence).
    pub text: String,
    pub words: Vec<Word>,
    /// False when nothing was heard, or a word was unknown or under the confidence threshold.
    pub accepted: bool,
}

impl Utterance {
    /// The text, only if it was accepted.
    pub fn accepted_text(&self) -> Option<&str> {
        self.accepted.then_some(self.text.as_str())
    }
}

/// What the worker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Partial(String),
    Final(Utterance),
}

enum Command {
    Begin(Mode),
    Audio(Vec<i16>),
    End,
    KnownWords(Vec<String>, Sender<Vec<bool>>),
}

/// The handle on the recognizer worker; dropping it stops the worker.
pub struct Recognizer {
    commands: Option<Sender<Command>>,
    events: Receiver<Event>,
    worker: Option<JoinHandle<()>>,
    load_time: Duration,
}

impl Recognizer {
    /// Starts the worker and waits until the model is loaded.
    pub fn spawn(config: RecognizerConfig) -> Result<Self, VoiceError> {
        let (command_tx, command_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("vosk".into())
            .spawn(move || worker(config, command_rx, event_tx, ready_tx))?;
        let load_time = match ready_rx.recv() {
            Ok(Ok(load_time)) => load_time,
            Ok(Err(e)) => {
                let _ = worker.join();
                return Err(e);
            }
            Err(_) => return Err(VoiceError::WorkerGone),
        };
        Ok(Self {
            commands: Some(command_tx),
            events: event_rx,
            worker: Some(worker),
            load_time,
        })
    }

    /// How long the model took to load.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    fn send(&self, command: Command) -> Result<(), VoiceError> {
        self.commands
            .as_ref()
            .ok_or(VoiceError::WorkerGone)?
            .send(command)
            .map_err(|_| VoiceError::WorkerGone)
    }

    /// Starts an utterance.
    pub fn begin(&self, mode: Mode) -> Result<(), VoiceError> {
        self.send(Command::Begin(mode))
    }

    /// Feeds 16 kHz mono audio.
    pub fn feed(&self, samples: Vec<i16>) -> Result<(), VoiceError> {
        self.send(Command::Audio(samples))
    }

    /// Ends the utterance: an [`Event::Final`] follows.
    pub fn end(&self) -> Result<(), VoiceError> {
        self.send(Command::End)
    }

    /// Whether each word is in the model's vocabulary (`vosk_model_find_word`), as the grammar
    /// would hold it (lower case).
    pub fn known_words(&self, words: Vec<String>) -> Result<Vec<bool>, VoiceError> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::KnownWords(words, tx))?;
        rx.recv().map_err(|_| VoiceError::WorkerGone)
    }

    /// The worker's partial and final results.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// One whole utterance, blocking: what `kiosk listen --wav` and the tests use.
    pub fn recognize(&self, mode: Mode, samples: &[i16]) -> Result<Utterance, VoiceError> {
        while self.events.try_recv().is_ok() {}
        self.begin(mode)?;
        // The turn-taking's 16 ms frames, as a listening turn feeds them.
        for chunk in samples.chunks(crate::turn::FRAME) {
            self.feed(chunk.to_vec())?;
        }
        self.end()?;
        loop {
            match self.events.recv() {
                Ok(Event::Final(utterance)) => return Ok(utterance),
                Ok(Event::Partial(_)) => {}
                Err(_) => return Err(VoiceError::WorkerGone),
            }
        }
    }
}

impl Drop for Recognizer {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Audio between two partial results: 0.2 s at 16 kHz.
const PARTIAL_EVERY: usize = RECOGNIZER_RATE as usize / 5;

/// Lower case, no quotes or backslashes (they would break Vosk's JSON grammar), single spaces.
fn clean_phrase(phrase: &str) -> String {
    phrase
        .to_lowercase()
        .replace(['"', '\\'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Active {
    recognizer: vosk::Recognizer,
    /// The grammar it was built for; `None` for the free recognizer.
    grammar: Option<Vec<String>>,
    uses: u32,
}

struct Worker {
    config: RecognizerConfig,
    model: vosk::Model,
    has_unk: bool,
    /// Words looked up in the model's vocabulary.
    known: HashMap<String, bool>,
    grammar: Option<Active>,
    free: Option<Active>,
}

impl Worker {
    fn knows(&mut self, word: &str) -> bool {
        let word = word.to_lowercase();
        if let Some(known) = self.known.get(&word) {
            return *known;
        }
        let known = self.model.find_word(&word).is_some();
        self.known.insert(word, known);
        known
    }

    fn grammar_for(&mut self, phrases: &[String]) -> Vec<String> {
        let mut grammar: Vec<String> = phrases
            .iter()
            .chain(&self.config.global_phrases)
            .map(|p| clean_phrase(p))
            .filter(|p| !p.is_empty())
            .collect();
        grammar.sort();
        grammar.dedup();
        let before = grammar.len();
        let phrases = std::mem::take(&mut grammar);
        for phrase in phrases {
            if phrase.split(' ').all(|word| self.knows(word)) {
                grammar.push(phrase);
            }
        }
        if grammar.len() < before {
            debug!(
                left_out = before - grammar.len(),
                "grammar phrases with words outside the vocabulary left out"
            );
        }
        if self.has_unk {
            grammar.push("[unk]".to_owned());
        }
        grammar
    }

    fn recognizer(&mut self, mode: &Mode) -> Result<&mut Active, VoiceError> {
        let recreate_after = self.config.recreate_after.max(1);
        let (slot, grammar) = match mode {
            Mode::Grammar(phrases) => {
                let grammar = self.grammar_for(phrases);
                (&mut self.grammar, Some(grammar))
            }
            Mode::Free => (&mut self.free, None),
        };
        let reusable = slot
            .as_ref()
            .is_some_and(|a| a.grammar == grammar && a.uses < recreate_after);
        if !reusable {
            // Drop the old one first, so two never live at once.
            *slot = None;
            let rate = RECOGNIZER_RATE as f32;
            let mut recognizer = match &grammar {
                Some(g) => vosk::Recognizer::new_with_grammar(&self.model, rate, g),
                None => vosk::Recognizer::new(&self.model, rate),
            }
            .ok_or_else(|| VoiceError::Recognition("Vosk refused the recognizer".into()))?;
            recognizer.set_words(true);
            recognizer.set_partial_words(false);
            debug!(grammar = grammar.as_ref().map(Vec::len), "new recognizer");
            *slot = Some(Active {
                recognizer,
                grammar,
                uses: 0,
            });
        }
        let active = slot
            .as_mut()
            .ok_or_else(|| VoiceError::Recognition("no recognizer".into()))?;
        active.uses += 1;
        active.recognizer.reset();
        Ok(active)
    }
}

fn collect_words(result: vosk::CompleteResult<'_>, words: &mut Vec<Word>) {
    if let Some(single) = result.single() {
        words.extend(single.result.iter().map(|w| Word {
            word: w.word.to_owned(),
            confidence: w.conf,
            start: w.start,
            end: w.end,
        }));
    }
}

fn worker(
    config: RecognizerConfig,
    commands: Receiver<Command>,
    events: Sender<Event>,
    ready: Sender<Result<Duration, VoiceError>>,
) {
    let span = info_span!("recognizer", model = %config.model_dir.display());
    let _entered = span.enter();
    vosk::set_log_level(vosk::LogLevel::Error);
    let started = Instant::now();
    if !config.model_dir.join("am").is_dir() {
        let _ = ready.send(Err(VoiceError::ModelMissing(
            config.model_dir.display().to_string(),
        )));
        return;
    }
    // With a search of our own, Vosk reads the model through a view; the view can go once the
    // model is loaded (Vosk reads every file at once).
    let view = match &config.search {
        Some(search) => match search.view(&config.model_dir) {
            Ok(view) => Some(view),
            Err(e) => {
                warn!(error = %e, "recognition: the model's own search (no view)");
                None
            }
        },
        None => None,
    };
    let model_dir = view
        .as_ref()
        .map_or(config.model_dir.clone(), |v| v.path().to_path_buf());
    let model = vosk::Model::new(model_dir.to_string_lossy());
    drop(view);
    let Some(mut model) = model else {
        let _ = ready.send(Err(VoiceError::Load {
            what: config.model_dir.display().to_string(),
            why: "Vosk could not read the model".into(),
        }));
        return;
    };
    let has_unk = model.find_word("[unk]").is_some();
    let load_time = started.elapsed();
    info!(?load_time, has_unk, "recognition model loaded");
    let _ = ready.send(Ok(load_time));
    let mut state = Worker {
        config,
        model,
        has_unk,
        known: HashMap::new(),
        grammar: None,
        free: None,
    };

    let mut current: Option<Mode> = None;
    let mut words: Vec<Word> = Vec::new();
    let mut last_partial = String::new();
    // Audio since the last partial result (asked at most every PARTIAL_EVERY samples).
    let mut since_partial = 0_usize;
    // A command read while gathering queued audio, handled next.
    let mut next: Option<Command> = None;
    loop {
        let command = match next.take() {
            Some(command) => command,
            None => match commands.recv() {
                Ok(command) => command,
                Err(_) => return,
            },
        };
        match command {
            Command::Begin(mode) => {
                words.clear();
                last_partial.clear();
                since_partial = 0;
                if let Err(e) = state.recognizer(&mode) {
                    warn!(error = %e, "cannot start recognition");
                    current = None;
                    continue;
                }
                current = Some(mode);
            }
            Command::Audio(mut samples) => {
                // The turn-taking sends 16 ms frames: what is already queued is decoded at once.
                while let Ok(command) = commands.try_recv() {
                    match command {
                        Command::Audio(more) => samples.extend_from_slice(&more),
                        other => {
                            next = Some(other);
                            break;
                        }
                    }
                }
                let Some(mode) = &current else { continue };
                let slot = match mode {
                    Mode::Grammar(_) => &mut state.grammar,
                    Mode::Free => &mut state.free,
                };
                let Some(active) = slot.as_mut() else {
                    continue;
                };
                match active.recognizer.accept_waveform(&samples) {
                    Ok(vosk::DecodingState::Finalized) => {
                        collect_words(active.recognizer.result(), &mut words);
                    }
                    Ok(vosk::DecodingState::Running) => {
                        // A partial result traces the best path back through the whole
                        // utterance: asked for every frame, it cost free dictation a tenth of
                        // its time; five a second are enough for the screen.
                        since_partial += samples.len();
                        if since_partial < PARTIAL_EVERY {
                            continue;
                        }
                        since_partial = 0;
                        let partial = active.recognizer.partial_result().partial.to_owned();
                        if !partial.is_empty() && partial != last_partial {
                            last_partial.clone_from(&partial);
                            if events.send(Event::Partial(partial)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(vosk::DecodingState::Failed) | Err(_) => {
                        warn!("Vosk failed to decode a chunk");
                    }
                }
            }
            Command::KnownWords(words, reply) => {
                let known = words.iter().map(|w| state.knows(w)).collect();
                let _ = reply.send(known);
            }
            Command::End => {
                let slot = match current.take() {
                    Some(Mode::Grammar(_)) => &mut state.grammar,
                    Some(Mode::Free) => &mut state.free,
                    None => {
                        let _ = events.send(Event::Final(verdict(Vec::new(), 0.0)));
                        continue;
                    }
                };
                if let Some(active) = slot.as_mut() {
                    collect_words(active.recognizer.final_result(), &mut words);
                }
                let utterance = verdict(std::mem::take(&mut words), state.config.min_confidence);
                debug!(
                    accepted = utterance.accepted,
                    words = utterance.words.len(),
                    "utterance"
                );
                if events.send(Event::Final(utterance)).is_err() {
                    return;
                }
            }
        }
    }
}

/// Joins the words and decides whether to trust them.
fn verdict(words: Vec<Word>, min_confidence: f32) -> Utterance {
    let words: Vec<Word> = words.into_iter().filter(|w| !w.word.is_empty()).collect();
    let text = words
        .iter()
        .map(|w| w.word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let accepted = !words.is_empty()
        && words
            .iter()
            .all(|w| w.word != "[unk]" && w.confidence >= min_confidence);
    Utterance {
        text,
        words,
        accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str, confidence: f32) -> Word {
        Word {
            word: w.into(),
            confidence,
            start: 0.0,
            end: 0.1,
        }
    }

    #[test]
    fn a_weak_or_unknown_word_rejects_the_utterance() {
        assert!(verdict(vec![word("oui", 0.9)], 0.6).accepted);
        assert!(!verdict(vec![word("oui", 0.9), word("non", 0.4)], 0.6).accepted);
        assert!(!verdict(vec![word("[unk]", 1.0)], 0.6).accepted);
        let silence = verdict(Vec::new(), 0.6);
        assert!(!silence.accepted);
        assert_eq!(silence.text, "");
    }

    #[test]
    fn phrases_are_cleaned_for_the_json_grammar() {
        assert_eq!(clean_phrase("  Je veux \"parler\"\\ "), "je veux parler");
        assert_eq!(clean_phrase("quelqu'un"), "quelqu'un");
    }
}
