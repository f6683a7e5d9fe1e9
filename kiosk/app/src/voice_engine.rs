//! The kiosk's voice at run time: one worker thread that loads the models, opens the sound
//! devices, speaks prompts, listens for answers, and warms the prompt cache while idle.
//!
//! Callers (the UI's voice port, `kiosk simulate --voice`) queue jobs and get [`VoiceReport`]s
//! through a callback, from the worker thread. Speaking and listening are one after the other
//! (half-duplex), so one thread does both. Interruptions do not wait in the queue:
//! [`VoiceEngine::stop_speaking`] silences the speaker at the next device callback and drops
//! the prompts queued before it; [`VoiceEngine::stop_listening`] ends the current turn and drops
//! the listening queued before it.
//!
//! Nothing here fails the kiosk: no model, no voice or no sound card leaves the engine running
//! text-only (prompts become captions, answers come by touch), with the reason in
//! [`VoiceStatus::problems`] for the supervisor's screen and in the log.

use kiosk_voice::device::{AudioConfig, Capture, HalfDuplex, Playback};
use kiosk_voice::{
    listen_once, Mode, ModelPaths, Recognizer, RecognizerConfig, Search, Speaker, SpeechSettings,
    StopFlag, TurnConfig, TurnOutcome, VoiceChoice, VoiceError,
};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tracing::{info, info_span, warn};

/// What the engine needs to start.
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    /// `voice-models/`: the models and runtime libraries `scripts/fetch-models` put there.
    pub models: PathBuf,
    pub audio: AudioConfig,
    /// The prompt cache's folder; none: every prompt is synthesized when it is said. The cache
    /// keeps only the sentences of the texts given to [`VoiceEngine::warm_cache`].
    pub cache_dir: Option<PathBuf>,
    /// Where the Piper voice's optimized graph is saved, so that the next start loads it three
    /// times faster; none: optimized at each start.
    pub optimized_dir: Option<PathBuf>,
    /// The recognizer's search; none: the model's own.
    pub recognition_search: Option<Search>,
    pub words_per_minute: u32,
    /// 0.0 to 1.0.
    pub volume: f32,
    pub turn: TurnConfig,
    /// Which voice speaks (configured Piper voice, language of the texts).
    pub voice_choice: VoiceChoice,
    /// Open the speaker and microphone (false for `kiosk say --out` style uses).
    pub open_devices: bool,
}

/// What the voice can do, for the supervisor's screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceStatus {
    /// The voice speaking ("piper fr_FR-siwis-medium", "espeak-ng fr"); none: text only.
    pub voice: Option<String>,
    /// The recognition model's folder name; none: touch only.
    pub recognition: Option<String>,
    pub speaker_device: Option<String>,
    pub microphone_device: Option<String>,
    /// Why something is missing, in French, for the supervisor.
    pub problems: Vec<String>,
}

/// What the worker tells its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceReport {
    /// Models loaded and devices opened (or not): what works.
    Ready(VoiceStatus),
    /// This text starts being said (a caption for the screen).
    Speaking(String),
    /// The text is said (or was stopped, or there is no voice); `first_audio` is when its first
    /// audible sample reached the speaker.
    DoneSpeaking { first_audio: Option<Instant> },
    /// What is being heard so far.
    Partial(String),
    /// An answer: `accepted` false when the recognizer was not sure (a misunderstanding).
    Heard {
        text: String,
        accepted: bool,
        speech_ended: Option<Instant>,
    },
    /// Nobody spoke before the timeout.
    NoSpeech,
    /// The engine cannot listen now (no model or no microphone, or the microphone failed).
    CannotListen(String),
    /// Prompt cache warming: `done` of `total` texts.
    CacheProgress { done: usize, total: usize },
    /// The supervisor's microphone test: the loudest level heard, 0.0 to 1.0.
    MicrophoneLevel(f32),
}

type ReportFn = Box<dyn Fn(VoiceReport) + Send>;

enum Job {
    Say {
        text: String,
        epoch: u64,
    },
    Listen {
        phrases: Option<Vec<String>>,
        epoch: u64,
    },
    Rate(u32),
    Volume(f32),
    Warm(Vec<String>),
    TestMicrophone,
    KnownWords(Vec<String>, Sender<Option<Vec<bool>>>),
}

/// The handle on the voice worker; dropping it stops the worker.
pub struct VoiceEngine {
    jobs: Option<Sender<Job>>,
    stop_speech: StopFlag,
    cancel_listen: StopFlag,
    speech_epoch: Arc<AtomicU64>,
    listen_epoch: Arc<AtomicU64>,
    worker: Option<JoinHandle<()>>,
}

impl VoiceEngine {
    /// Starts the worker; it loads the models (a few seconds) and then reports
    /// [`VoiceReport::Ready`]. Jobs queued meanwhile wait.
    pub fn start(settings: VoiceSettings, report: ReportFn) -> std::io::Result<VoiceEngine> {
        let (jobs, queue) = mpsc::channel();
        let stop_speech = StopFlag::default();
        let cancel_listen = StopFlag::default();
        let speech_epoch = Arc::new(AtomicU64::new(0));
        let listen_epoch = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            settings,
            queue,
            report,
            stop_speech: stop_speech.clone(),
            cancel_listen: cancel_listen.clone(),
            speech_epoch: Arc::clone(&speech_epoch),
            listen_epoch: Arc::clone(&listen_epoch),
        };
        let worker = std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || worker.run())?;
        Ok(VoiceEngine {
            jobs: Some(jobs),
            stop_speech,
            cancel_listen,
            speech_epoch,
            listen_epoch,
            worker: Some(worker),
        })
    }

    fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // The worker only stops when this handle is dropped.
            let _ = jobs.send(job);
        }
    }

    pub fn say(&self, text: &str) {
        let epoch = self.speech_epoch.load(Ordering::SeqCst);
        self.send(Job::Say {
            text: text.to_owned(),
            epoch,
        });
    }

    /// Listens for one answer; `phrases` is the grammar, `None` free dictation.
    pub fn listen(&self, phrases: Option<Vec<String>>) {
        let epoch = self.listen_epoch.load(Ordering::SeqCst);
        self.send(Job::Listen { phrases, epoch });
    }

    pub fn stop_speaking(&self) {
        self.speech_epoch.fetch_add(1, Ordering::SeqCst);
        self.stop_speech.stop();
    }

    pub fn stop_listening(&self) {
        self.listen_epoch.fetch_add(1, Ordering::SeqCst);
        self.cancel_listen.stop();
    }

    pub fn set_words_per_minute(&self, words_per_minute: u32) {
        self.send(Job::Rate(words_per_minute));
    }

    pub fn set_volume(&self, volume: f32) {
        self.send(Job::Volume(volume.clamp(0.0, 1.0)));
    }

    /// Synthesizes these texts into the prompt cache while nothing else is asked.
    ///
    /// They are also the only texts whose sentences the cache may keep (the last list given
    /// replaces the previous one, and the files of sentences no longer in it are deleted): pass
    /// every fixed text the kiosk says (the flows' fixed prompts, the kiosk's own phrases), never
    /// one containing an answer. Before the first call nothing is cached; a sentence outside the
    /// list is synthesized in memory each time it is said.
    pub fn warm_cache(&self, texts: Vec<String>) {
        self.send(Job::Warm(texts));
    }

    pub fn test_microphone(&self) {
        self.send(Job::TestMicrophone);
    }

    /// Whether each word is in the recognition model's vocabulary; blocks until the models are
    /// loaded. `None`: no recognition model (or the worker stopped).
    pub fn known_words(&self, words: Vec<String>) -> Option<Vec<bool>> {
        let (tx, rx) = mpsc::channel();
        self.send(Job::KnownWords(words, tx));
        rx.recv().ok().flatten()
    }
}

impl Drop for VoiceEngine {
    fn drop(&mut self) {
        self.stop_speaking();
        self.stop_listening();
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

struct Worker {
    settings: VoiceSettings,
    queue: Receiver<Job>,
    report: ReportFn,
    stop_speech: StopFlag,
    cancel_listen: StopFlag,
    speech_epoch: Arc<AtomicU64>,
    listen_epoch: Arc<AtomicU64>,
}

/// What the worker loaded.
struct Loaded {
    speaker: Speaker,
    recognizer: Option<Recognizer>,
    playback: Option<Playback>,
    capture: Option<Capture>,
}

impl Worker {
    fn run(self) {
        let _span = info_span!("voice_worker").entered();
        let (mut loaded, status) = self.load();
        info!(
            voice = status.voice.as_deref().unwrap_or("none"),
            recognition = status.recognition.as_deref().unwrap_or("none"),
            speaker = status.speaker_device.as_deref().unwrap_or("none"),
            microphone = status.microphone_device.as_deref().unwrap_or("none"),
            "voice ready"
        );
        (self.report)(VoiceReport::Ready(status));
        let mut warming: VecDeque<String> = VecDeque::new();
        let mut warm_total = 0;
        loop {
            let job = if warming.is_empty() {
                match self.queue.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                }
            } else {
                match self.queue.try_recv() {
                    Ok(job) => job,
                    Err(TryRecvError::Empty) => {
                        if let Some(text) = warming.pop_front() {
                            if let Err(e) = loaded.speaker.warm_cache(&[text], &mut |_, _| {}) {
                                warn!(error = %e, "prompt cache: synthesis failed");
                            }
                            (self.report)(VoiceReport::CacheProgress {
                                done: warm_total - warming.len(),
                                total: warm_total,
                            });
                        }
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => return,
                }
            };
            match job {
                Job::Say { text, epoch } => {
                    if epoch == self.speech_epoch.load(Ordering::SeqCst) {
                        self.say(&mut loaded, &text);
                    }
                }
                Job::Listen { phrases, epoch } => {
                    if epoch == self.listen_epoch.load(Ordering::SeqCst) {
                        self.listen(&loaded, phrases, epoch);
                    }
                }
                Job::Rate(words_per_minute) => {
                    loaded.speaker.settings.words_per_minute = words_per_minute;
                }
                Job::Volume(volume) => loaded.speaker.settings.volume = volume,
                Job::Warm(texts) => {
                    // The warm-up list is the cache's allowed set: nothing else reaches the disk.
                    let removed = loaded.speaker.set_cache_allowed(&texts);
                    warm_total = texts.len();
                    warming = texts.into();
                    info!(texts = warm_total, removed, "warming the prompt cache");
                }
                Job::TestMicrophone => self.test_microphone(&loaded),
                Job::KnownWords(words, reply) => {
                    let known = loaded.recognizer.as_ref().and_then(|r| {
                        r.known_words(words)
                            .map_err(|e| warn!(error = %e, "vocabulary lookup failed"))
                            .ok()
                    });
                    let _ = reply.send(known);
                }
            }
        }
    }

    /// Loads the voice and the recognizer side by side (each takes about a second, neither
    /// needs the other), then opens the devices.
    fn load(&self) -> (Loaded, VoiceStatus) {
        let settings = &self.settings;
        let paths = ModelPaths::new(&settings.models).optimized_in(settings.optimized_dir.clone());
        let mut status = VoiceStatus::default();
        let recognition = paths.recognition_model().map(|model| {
            let name = model
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut config = RecognizerConfig::new(model);
            config.search = settings.recognition_search;
            config.global_phrases = kiosk_flow::understand::command_phrases()
                .into_iter()
                .map(|(phrase, _)| phrase.to_owned())
                .collect();
            let span = tracing::Span::current();
            let loading = std::thread::Builder::new()
                .name("vosk-load".into())
                .spawn(move || span.in_scope(|| Recognizer::spawn(config)));
            (name, loading)
        });
        let mut speaker =
            Speaker::from_models(&paths, &settings.voice_choice, settings.cache_dir.clone());
        speaker.settings = SpeechSettings {
            words_per_minute: settings.words_per_minute,
            volume: settings.volume,
        };
        status.voice = speaker.voice_label();
        if status.voice.is_none() {
            status.problems.push(
                "Aucune voix installée (scripts/fetch-models) : les textes sont seulement affichés."
                    .to_owned(),
            );
        }
        let recognizer = match recognition {
            None => {
                status.problems.push(
                    "Aucun modèle de reconnaissance (scripts/fetch-models) : réponses au toucher seulement."
                        .to_owned(),
                );
                None
            }
            Some((name, loading)) => {
                let loaded = loading
                    .map_err(VoiceError::from)
                    .and_then(|thread| thread.join().unwrap_or(Err(VoiceError::WorkerGone)));
                match loaded {
                    Ok(recognizer) => {
                        status.recognition = Some(name);
                        Some(recognizer)
                    }
                    Err(e) => {
                        warn!(error = %e, "recognition model unusable");
                        status.problems.push(format!(
                            "Le modèle de reconnaissance ne se charge pas : {e}"
                        ));
                        None
                    }
                }
            }
        };
        let (playback, capture) = if settings.open_devices {
            let duplex = HalfDuplex::default();
            let playback = match Playback::open(&settings.audio, duplex.clone()) {
                Ok(p) => {
                    status.speaker_device = Some(p.device_name().to_owned());
                    Some(p)
                }
                Err(e) => {
                    // kiosk-voice has logged why; the supervisor's screen shows it.
                    status.problems.push(format!("Pas de haut-parleur : {e}"));
                    None
                }
            };
            let capture = match Capture::open(&settings.audio, duplex) {
                Ok(c) => {
                    status.microphone_device = Some(c.device_name().to_owned());
                    Some(c)
                }
                Err(e) => {
                    status.problems.push(format!("Pas de micro : {e}"));
                    None
                }
            };
            (playback, capture)
        } else {
            (None, None)
        };
        (
            Loaded {
                speaker,
                recognizer,
                playback,
                capture,
            },
            status,
        )
    }

    fn say(&self, loaded: &mut Loaded, text: &str) {
        self.stop_speech.reset();
        (self.report)(VoiceReport::Speaking(text.to_owned()));
        let mut first_audio = None;
        if let Some(playback) = loaded.playback.as_mut() {
            playback.reset_first_sound();
            if let Err(e) = loaded.speaker.speak(text, playback, &self.stop_speech) {
                warn!(error = %e, "speech failed");
            }
            if self.stop_speech.is_stopped() {
                playback.silence();
            }
            first_audio = playback.first_sound_at();
        }
        (self.report)(VoiceReport::DoneSpeaking { first_audio });
    }

    fn listen(&self, loaded: &Loaded, phrases: Option<Vec<String>>, epoch: u64) {
        let (Some(recognizer), Some(capture)) = (&loaded.recognizer, &loaded.capture) else {
            (self.report)(VoiceReport::CannotListen(
                "pas de micro ou pas de modèle de reconnaissance".to_owned(),
            ));
            return;
        };
        self.cancel_listen.reset();
        // A stop that came between the check in `run` and the reset above.
        if epoch != self.listen_epoch.load(Ordering::SeqCst) {
            return;
        }
        capture.clear();
        let mode = match phrases {
            Some(phrases) => Mode::Grammar(phrases),
            None => Mode::Free,
        };
        let report = &self.report;
        let listened = listen_once(
            recognizer,
            mode,
            &self.settings.turn,
            capture.frames(),
            &self.cancel_listen,
            &mut |partial| report(VoiceReport::Partial(partial.to_owned())),
        );
        match listened {
            Ok(listened) => match listened.outcome {
                TurnOutcome::Heard(utterance) => report(VoiceReport::Heard {
                    text: utterance.text,
                    accepted: utterance.accepted,
                    speech_ended: listened.timing.speech_ended,
                }),
                TurnOutcome::NoSpeech => report(VoiceReport::NoSpeech),
                TurnOutcome::Cancelled => {}
            },
            Err(e) => {
                warn!(error = %e, "listening failed");
                report(VoiceReport::CannotListen(format!(
                    "le micro ne répond pas : {e}"
                )));
            }
        }
    }

    /// Records three seconds and reports the loudest level heard.
    fn test_microphone(&self, loaded: &Loaded) {
        let Some(capture) = &loaded.capture else {
            (self.report)(VoiceReport::CannotListen("pas de micro".to_owned()));
            return;
        };
        capture.clear();
        let until = Instant::now() + Duration::from_secs(3);
        let mut peak = 0.0f32;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match capture.frames().recv_timeout(left) {
                Ok(chunk) => {
                    for s in chunk {
                        peak = peak.max(f32::from(s).abs() / 32768.0);
                    }
                }
                Err(_) => break,
            }
        }
        (self.report)(VoiceReport::MicrophoneLevel(peak));
    }
}

/// The engine used one step at a time, for `kiosk simulate --voice` and `kiosk say`.
pub struct BlockingVoice {
    engine: VoiceEngine,
    reports: Receiver<VoiceReport>,
    pub status: VoiceStatus,
}

impl BlockingVoice {
    /// Starts the engine and waits until its models are loaded.
    pub fn start(settings: VoiceSettings) -> anyhow::Result<BlockingVoice> {
        let (tx, reports) = mpsc::channel();
        let engine = VoiceEngine::start(
            settings,
            Box::new(move |report| {
                let _ = tx.send(report);
            }),
        )?;
        loop {
            match reports.recv()? {
                VoiceReport::Ready(status) => {
                    return Ok(BlockingVoice {
                        engine,
                        reports,
                        status,
                    })
                }
                other => tracing::debug!(?other, "report before ready"),
            }
        }
    }

    /// The flows adapted to the recognition model's vocabulary (see [`crate::flow_vocabulary`]).
    pub fn adapt_flows(
        &self,
        flows: Vec<std::sync::Arc<kiosk_flow::Flow>>,
    ) -> Vec<std::sync::Arc<kiosk_flow::Flow>> {
        crate::flow_vocabulary::adapt(flows, &|words| self.engine.known_words(words))
    }

    /// Says `text`; returns when it is said, with the instant its first audio played.
    pub fn say(&mut self, text: &str) -> anyhow::Result<Option<Instant>> {
        self.engine.say(text);
        loop {
            if let VoiceReport::DoneSpeaking { first_audio } = self.reports.recv()? {
                return Ok(first_audio);
            }
        }
    }

    /// Listens for one answer; see [`crate::simulate::VoiceIo::listen`].
    pub fn listen(
        &mut self,
        phrases: Option<Vec<String>>,
    ) -> anyhow::Result<Option<kiosk_flow::runtime::Event>> {
        use kiosk_flow::runtime::Event;
        self.engine.listen(phrases);
        loop {
            match self.reports.recv()? {
                VoiceReport::Heard { text, accepted, .. } => {
                    return Ok(Some(Event::Heard(if accepted {
                        text
                    } else {
                        String::new()
                    })))
                }
                VoiceReport::NoSpeech => return Ok(Some(Event::Silence)),
                VoiceReport::CannotListen(why) => {
                    eprintln!("Écoute impossible : {why}");
                    return Ok(None);
                }
                _ => {}
            }
        }
    }
}

impl crate::simulate::VoiceIo for BlockingVoice {
    fn say(&mut self, text: &str) -> anyhow::Result<()> {
        BlockingVoice::say(self, text).map(|_| ())
    }

    fn listen(
        &mut self,
        phrases: Option<Vec<String>>,
    ) -> anyhow::Result<Option<kiosk_flow::runtime::Event>> {
        BlockingVoice::listen(self, phrases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../voice-models")
    }

    fn engine(
        open_devices: bool,
        models: PathBuf,
    ) -> (VoiceEngine, Receiver<VoiceReport>, VoiceStatus) {
        let (tx, rx) = mpsc::channel();
        let engine = VoiceEngine::start(
            VoiceSettings {
                models,
                audio: AudioConfig::default(),
                cache_dir: None,
                optimized_dir: None,
                recognition_search: Some(Search::KIOSK),
                words_per_minute: 150,
                volume: 1.0,
                turn: TurnConfig::default(),
                voice_choice: VoiceChoice::default(),
                open_devices,
            },
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        )
        .unwrap();
        let status = match rx.recv_timeout(Duration::from_secs(120)).unwrap() {
            VoiceReport::Ready(status) => status,
            other => panic!("first report {other:?}"),
        };
        (engine, rx, status)
    }

    #[test]
    fn with_no_models_and_no_devices_the_engine_runs_text_only() {
        let (engine, rx, status) = engine(false, PathBuf::from("/nonexistent"));
        assert!(status.recognition.is_none());
        assert!(status.speaker_device.is_none());
        assert!(!status.problems.is_empty());
        engine.say("Bonjour.");
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(30)).unwrap(),
            VoiceReport::Speaking("Bonjour.".into())
        );
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(30)).unwrap(),
            VoiceReport::DoneSpeaking { first_audio: None }
        );
        engine.listen(Some(vec!["oui".into()]));
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(30)).unwrap(),
            VoiceReport::CannotListen(_)
        ));
    }

    #[test]
    fn a_stop_silences_what_was_queued_not_what_comes_after() {
        let (engine, rx, status) = engine(false, models());
        assert!(status.recognition.is_some(), "{status:?}");
        assert!(status.voice.is_some(), "{status:?}");
        engine.stop_speaking();
        engine.say("Après l'arrêt.");
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(60)).unwrap(),
            VoiceReport::Speaking("Après l'arrêt.".into())
        );
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(60)).unwrap(),
            VoiceReport::DoneSpeaking { .. }
        ));
    }
}
