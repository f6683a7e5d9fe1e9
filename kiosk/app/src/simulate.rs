//! The terminal simulator: the kiosk machine (`kiosk_flow::machine`) played in the terminal,
//! printing what it shows (`ÉCRAN`) and says (`VOIX`), and reading answers from the keyboard,
//! an answer script or the microphone. It decides nothing: the same machine runs the
//! touchscreen, and the same adapter (`kiosk_host`) stores submissions and asks the back end.
//!
//! A folder of flows starts at the attract screen and comes back to it after each person, so
//! one script may hold several citizens; a single flow file plays that flow once.
//!
//! Script lines: what a person says; `touch:ID` for a tile, option or button (a command button
//! id such as `touch:aide` is that command); `touch` alone for a touch on the screen;
//! `attendre` for the person saying and touching nothing until the kiosk's timer runs out
//! (while a call for help waits, that timer asks the back end whether an ambassador took it);
//! an empty answer is silence. The front panel: `bouton:parler`, `bouton:aide` (pressed
//! briefly), `bouton:parler-long`, `bouton:aide-long` (held), `presence:oui`, `presence:non`
//! (the presence sensor); in one-button mode, `attendre` lets the highlight move one item,
//! `bouton:parler` chooses it.

use kiosk_flow::machine::{
    panel_script_line, HelpCallAnswer, KioskEffect, KioskEvent, KioskMachine, PageView, ScanView,
    View,
};
use kiosk_flow::runtime::{Event, Input, Outcome, Screen, Submission};
use kiosk_flow::understand::Command;
use kiosk_host::Host;
use std::io::{BufRead, Write};
use std::sync::mpsc;
use std::time::Duration;

/// Where answers come from.
pub enum Answers {
    /// Interactive: one line per answer from this reader (stdin).
    Interactive(Box<dyn BufRead>),
    /// Script lines (comments and blank lines already removed), with their line numbers.
    Script(Vec<(usize, String)>),
    /// The real voice: prompts spoken, answers heard from the microphone.
    Voice(Box<dyn VoiceIo>),
}

/// Speaking and listening for `kiosk simulate --voice`, one after the other.
pub trait VoiceIo {
    /// Says the text; returns when it is said.
    fn say(&mut self, text: &str) -> anyhow::Result<()>;
    /// Listens for one answer with this grammar (`None`: dictation): `Event::Heard` (with an
    /// empty text when the recognizer was unsure) or `Event::Silence`; `None` when listening is
    /// impossible (the simulation stops).
    fn listen(&mut self, phrases: Option<Vec<String>>) -> anyhow::Result<Option<Event>>;
}

/// Reads an answer script: one answer per line, `#` comments and blank lines skipped.
pub fn parse_script(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// One flow played to its end.
#[derive(Debug, Clone)]
pub struct Visit {
    pub flow_id: String,
    pub outcome: Outcome,
    pub submission: Option<Submission>,
}

/// What the simulation ended with.
#[derive(Debug, Default)]
pub struct SimulationResult {
    /// Every flow played to its end, in order.
    pub visits: Vec<Visit>,
    /// Set when the answers ran out in the middle of a visit (the step on screen).
    pub stopped_at: Option<String>,
    pub unused_answers: Vec<(usize, String)>,
}

/// What to play.
pub enum Start {
    /// The whole kiosk: attract screen, home menu, one person after another.
    Kiosk,
    /// This flow straight away, once.
    Flow(String),
}

/// How long a status lookup (or asking after a call for help) may take before the simulator
/// takes it as offline.
const LOOKUP_WAIT: Duration = Duration::from_secs(30);

/// Plays the machine until the answers run out (or, for one flow, until it ends).
pub fn run(
    mut machine: KioskMachine,
    start: Start,
    host: &Host,
    mut answers: Answers,
    out: &mut dyn Write,
) -> anyhow::Result<SimulationResult> {
    let single_flow = matches!(start, Start::Flow(_));
    let mut player = Player {
        out,
        host,
        timer: None,
        listening: None,
        screen_step: None,
        pending_submission: None,
        result: SimulationResult::default(),
        voice: matches!(answers, Answers::Voice(_)),
        printed: None,
    };
    let first = match start {
        Start::Kiosk => machine.start(),
        Start::Flow(id) => machine.begin(&id),
    };
    player.carry_out(&mut machine, first, &mut answers)?;
    let mut script_position = 0;
    loop {
        if single_flow && !player.result.visits.is_empty() {
            break;
        }
        let line = match &mut answers {
            Answers::Voice(voice) => {
                write!(player.out, "(j'écoute…) ")?;
                player.out.flush()?;
                let phrases = player.listening.clone().unwrap_or(None);
                match voice.listen(phrases)? {
                    Some(Event::Heard(text)) if text.is_empty() => {
                        writeln!(player.out, "> (pas compris)")?;
                        Some(KioskEvent::Heard(text))
                    }
                    Some(Event::Heard(text)) => {
                        writeln!(player.out, "> {text}")?;
                        Some(KioskEvent::Heard(text))
                    }
                    Some(_) => {
                        writeln!(player.out, "> (rien entendu)")?;
                        Some(KioskEvent::Silence)
                    }
                    None => None,
                }
            }
            Answers::Interactive(reader) => {
                write!(player.out, "> ")?;
                player.out.flush()?;
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    None
                } else {
                    player.event_of(line.trim())?
                }
            }
            Answers::Script(lines) => match lines.get(script_position) {
                Some((_, line)) => {
                    script_position += 1;
                    writeln!(player.out, "> {line}")?;
                    let line = line.clone();
                    player.event_of(&line)?
                }
                None => None,
            },
        };
        let Some(event) = line else {
            let ended_mid_visit = !machine.is_idle() && machine.session().is_some();
            if ended_mid_visit || (single_flow && player.result.visits.is_empty()) {
                player.result.stopped_at = player.screen_step.clone();
            }
            break;
        };
        player.listening = None;
        let effects = machine.handle(event);
        player.carry_out(&mut machine, effects, &mut answers)?;
    }
    let mut result = player.result;
    if let Answers::Script(lines) = answers {
        result.unused_answers = lines.into_iter().skip(script_position).collect();
    }
    Ok(result)
}

struct Player<'a> {
    out: &'a mut dyn Write,
    host: &'a Host,
    /// The timer the machine armed, fired by `attendre`.
    timer: Option<Duration>,
    /// The grammar of the last Listen (None: not listening).
    listening: Option<Option<Vec<String>>>,
    /// The step id on screen, to say where a script stopped.
    screen_step: Option<String>,
    pending_submission: Option<Submission>,
    result: SimulationResult,
    voice: bool,
    /// The last view printed: a view that differs only by the scan's highlight prints only
    /// the scan's line.
    printed: Option<View>,
}

impl Player<'_> {
    /// A script or keyboard line as an event.
    fn event_of(&mut self, line: &str) -> anyhow::Result<Option<KioskEvent>> {
        Ok(Some(match to_event(line) {
            Some(event) => event,
            None => {
                // "attendre": the timer runs out, if one is armed.
                match self.timer {
                    Some(after) => {
                        writeln!(self.out, "        ({} s plus tard)", seconds(after))?;
                        KioskEvent::TimerFired
                    }
                    None => {
                        writeln!(self.out, "        (rien ne se passe : la borne attend)")?;
                        KioskEvent::Activity
                    }
                }
            }
        }))
    }

    /// Carries out effects, feeding the store's and the back end's answers back in.
    fn carry_out(
        &mut self,
        machine: &mut KioskMachine,
        effects: Vec<KioskEffect>,
        answers: &mut Answers,
    ) -> anyhow::Result<()> {
        let mut queue = std::collections::VecDeque::from([effects]);
        while let Some(effects) = queue.pop_front() {
            for effect in effects {
                let (sender, receiver) = mpsc::channel();
                let mut reply = self.host.carry_out(&effect, move |event| {
                    // The simulator waits for it below; a closed channel means it gave up.
                    let _ = sender.send(event);
                });
                if reply.is_none() && matches!(effect, KioskEffect::Submit(_)) {
                    // Stored on the host's runtime: the simulator waits for the store's answer.
                    reply = Some(
                        receiver
                            .recv_timeout(LOOKUP_WAIT)
                            .unwrap_or(KioskEvent::StoreFailed),
                    );
                }
                if reply.is_none()
                    && matches!(effect, KioskEffect::CallForHelp { .. })
                    && self.host_keeps()
                {
                    // Queued on the host's runtime: its id comes back (none if it failed).
                    reply = receiver.recv_timeout(LOOKUP_WAIT).ok();
                }
                match effect {
                    KioskEffect::Show(view) => self.print_view(&view)?,
                    KioskEffect::Say { text } => {
                        // A text on several lines: the next lines indented under the first.
                        writeln!(self.out, "VOIX  : {}", text.replace('\n', "\n        "))?;
                        if let Answers::Voice(voice) = answers {
                            self.out.flush()?;
                            voice.say(&text)?;
                        }
                    }
                    KioskEffect::Listen { phrases } => self.listening = Some(phrases),
                    KioskEffect::Hush => self.listening = None,
                    KioskEffect::SetTimer(after) => self.timer = after,
                    KioskEffect::Submit(submission) => {
                        match &reply {
                            Some(KioskEvent::Stored { .. }) if self.host_keeps() => writeln!(
                                self.out,
                                "        (demande chiffrée et mise en file d'envoi)"
                            )?,
                            Some(KioskEvent::Stored { .. }) => writeln!(
                                self.out,
                                "        (simulation : rien n'est enregistré ; le code de suivi est un exemple)"
                            )?,
                            _ => writeln!(self.out, "        (échec de l'enregistrement)")?,
                        }
                        self.pending_submission = Some(submission);
                    }
                    KioskEffect::CallForHelp { flow_id, step_id } => writeln!(
                        self.out,
                        "        (appel à l'aide noté pour les ambassadeurs : parcours {flow_id}, étape {step_id})"
                    )?,
                    KioskEffect::LookupStatus { receipt } => {
                        writeln!(self.out, "        (demande au serveur : où en est {receipt} ?)")?;
                        if reply.is_none() {
                            let event = receiver.recv_timeout(LOOKUP_WAIT).unwrap_or(
                                KioskEvent::Looked(kiosk_flow::machine::LookupAnswer::Offline),
                            );
                            queue.push_back(machine.handle(event));
                        }
                    }
                    KioskEffect::AskHelpCall { .. } => {
                        writeln!(
                            self.out,
                            "        (demande au serveur : quelqu'un a-t-il pris l'appel ?)"
                        )?;
                        if reply.is_none() {
                            let event = receiver.recv_timeout(LOOKUP_WAIT).unwrap_or(
                                KioskEvent::HelpCall(HelpCallAnswer::Offline),
                            );
                            queue.push_back(machine.handle(event));
                        }
                    }
                    KioskEffect::ApplySettings(settings) => writeln!(
                        self.out,
                        "        (réglages : texte {}, contraste {}, débit {}, volume {} %, un bouton {})",
                        settings.text_size,
                        if settings.high_contrast { "fort" } else { "normal" },
                        settings.speech_rate,
                        settings.volume,
                        if settings.one_button {
                            format!("oui, {} s par choix", seconds(settings.scan_step()))
                        } else {
                            "non".to_string()
                        }
                    )?,
                    KioskEffect::Print(printout) => writeln!(
                        self.out,
                        "        (impression :\n          {})",
                        printout.plain_text(None).replace('\n', "\n          ")
                    )?,
                    KioskEffect::RetryRefused => writeln!(
                        self.out,
                        "        (demandes refusées remises en file d'envoi)"
                    )?,
                    KioskEffect::TestMicrophone | KioskEffect::TestSpeaker => {
                        writeln!(self.out, "        (test du son : pas dans le simulateur)")?
                    }
                    KioskEffect::FlowFinished { flow_id, outcome } => {
                        let submission = match outcome {
                            Outcome::Submitted { .. } => self.pending_submission.take(),
                            _ => None,
                        };
                        self.result.visits.push(Visit {
                            flow_id,
                            outcome,
                            submission,
                        });
                    }
                }
                if let Some(event) = reply {
                    queue.push_back(machine.handle(event));
                }
            }
        }
        if !self.voice {
            self.out.flush()?;
        }
        Ok(())
    }

    fn host_keeps(&self) -> bool {
        matches!(self.host.storage(), kiosk_host::Storage::Store(_))
    }

    fn print_view(&mut self, view: &View) -> std::io::Result<()> {
        let only_the_scan_moved = self.printed.as_ref().is_some_and(|printed| {
            printed.scan.is_some()
                && View {
                    scan: None,
                    ..printed.clone()
                } == View {
                    scan: None,
                    ..view.clone()
                }
        });
        self.printed = Some(view.clone());
        let out = &mut *self.out;
        if let (true, Some(scan)) = (only_the_scan_moved, &view.scan) {
            return print_scan(out, scan);
        }
        writeln!(out)?;
        if let Some(seconds) = view.idle_prompt {
            writeln!(
                out,
                "ÉCRAN : [Vous êtes toujours là ? Touchez l'écran pour continuer. ({seconds} s)]"
            )?;
            if let Some(scan) = &view.scan {
                print_scan(out, scan)?;
            }
            return Ok(());
        }
        match &view.page {
            PageView::Attract { invitation } => {
                self.screen_step = None;
                writeln!(out, "── Accueil (en attente d'une personne)")?;
                writeln!(out, "ÉCRAN : {invitation}")?;
            }
            PageView::Home(home) => {
                self.screen_step = None;
                writeln!(out, "── Menu")?;
                if let Some(notice) = &home.notice {
                    writeln!(out, "   ! {notice}")?;
                }
                writeln!(out, "ÉCRAN : {}", home.title)?;
                for tile in &home.tiles {
                    writeln!(out, "        [{}] {}", tile.id, tile.label)?;
                }
                if home.can_go_back {
                    writeln!(out, "        [retour] Retour")?;
                }
            }
            PageView::Step(screen) => {
                self.screen_step = Some(screen.step_id.clone());
                print_screen(out, screen)?;
            }
            PageView::Done { text, receipt } => {
                writeln!(out, "── Fin")?;
                writeln!(out, "ÉCRAN : {text}")?;
                if let Some(receipt) = receipt {
                    writeln!(out, "        Code de suivi : {receipt}")?;
                }
                writeln!(out, "        [terminer] Terminer")?;
            }
            PageView::Pin { digits, message } => {
                writeln!(out, "── Code des ambassadeurs")?;
                writeln!(out, "ÉCRAN : {}", "●".repeat(*digits))?;
                if let Some(message) = message {
                    writeln!(out, "   ! {message}")?;
                }
            }
            PageView::Supervisor { notes } => {
                writeln!(out, "── Mode ambassadeur")?;
                for note in notes {
                    writeln!(out, "   ! {note}")?;
                }
            }
        }
        if !view.hearing {
            writeln!(
                out,
                "        (la borne n'entend pas : touchez l'écran pour répondre)"
            )?;
        }
        if let Some(scan) = &view.scan {
            print_scan(out, scan)?;
        }
        Ok(())
    }
}

/// One-button mode: the items scanned, the one highlighted between ▶ ◀.
fn print_scan(out: &mut dyn Write, scan: &ScanView) -> std::io::Result<()> {
    let items: Vec<String> = scan
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let more = if item.group { "…" } else { "" };
            match i == scan.highlighted {
                true => format!("▶ {}{more} ◀", item.label),
                false => format!("{}{more}", item.label),
            }
        })
        .collect();
    writeln!(out, "BOUTON: {} : {}", scan.title, items.join(" · "))?;
    if let Some(typed) = &scan.typed {
        writeln!(out, "        écrit : « {typed} »")?;
    }
    Ok(())
}

/// A duration in seconds as said to a person: "2", "1,5".
fn seconds(after: Duration) -> String {
    let tenths = after.as_millis().div_ceil(100);
    match tenths % 10 {
        0 => (tenths / 10).to_string(),
        rest => format!("{},{rest}", tenths / 10),
    }
}

fn print_screen(out: &mut dyn Write, screen: &Screen) -> std::io::Result<()> {
    writeln!(
        out,
        "── {} · étape {}/{} ({})",
        screen.flow_title, screen.progress.current, screen.progress.total, screen.step_id
    )?;
    if let Some(notice) = &screen.notice {
        writeln!(out, "   ! {notice}")?;
    }
    // A text on several lines (the privacy notice in full): the next lines indented.
    writeln!(out, "ÉCRAN : {}", screen.text.replace('\n', "\n        "))?;
    for line in &screen.summary {
        writeln!(out, "        {} : {}", line.label, line.value)?;
    }
    const SHOWN: usize = 12;
    let selected: &[String] = match &screen.input {
        Input::Choices { selected, .. } => selected,
        _ => &[],
    };
    for option in screen.options.iter().take(SHOWN) {
        let mark = if selected.contains(&option.id) {
            "✓ "
        } else {
            ""
        };
        writeln!(out, "        [{}] {mark}{}", option.id, option.label)?;
    }
    if screen.options.len() > SHOWN {
        writeln!(
            out,
            "        … et {} autres choix (dites un nom, ou touch:ID)",
            screen.options.len() - SHOWN
        )?;
    }
    let hint = match &screen.input {
        Input::Continue => Some("[suivant]".to_string()),
        Input::Number { min, max } => Some(format!("pavé numérique : de {min} à {max}")),
        Input::Phone => Some("pavé numérique : numéro de téléphone".to_string()),
        Input::Email => Some("clavier : adresse e-mail".to_string()),
        Input::Text { max_length } => Some(format!("clavier : {max_length} caractères au plus")),
        Input::ReceiptCode => Some("clavier : code de suivi (6 lettres et chiffres)".to_string()),
        Input::Date {
            earliest,
            latest,
            allowed,
        } => Some(format!(
            "calendrier{}{}{}",
            earliest.map(|d| format!(" du {d}")).unwrap_or_default(),
            latest.map(|d| format!(" au {d}")).unwrap_or_default(),
            Some(allowed.describe())
                .filter(|rule| !rule.is_empty())
                .map(|rule| format!(" : {rule}"))
                .unwrap_or_default()
        )),
        Input::Time { earliest, latest } => Some(format!("heures de {earliest} à {latest}")),
        Input::Choices { min, max, selected } => Some(format!(
            "plusieurs choix (de {min} à {max}), {} choisi(s) : touch:ID pour choisir ou retirer, touch:{} pour valider",
            selected.len(),
            kiosk_flow::load::CONFIRM_CHOICES
        )),
        Input::YesNo | Input::Choice | Input::PrivacyNotice { .. } | Input::Nothing => None,
    };
    if let Some(hint) = hint {
        writeln!(out, "        {hint}")?;
    }
    if screen.can_skip {
        writeln!(out, "        [passer] Passer")?;
    }
    Ok(())
}

/// A script line as an event: `touch:ID` a touch (a command button id is that command),
/// `touch` a touch on the screen, `bouton:…` and `presence:…` the front panel, an empty line
/// silence, anything else heard. `None` for `attendre` (the host fires its timer).
pub fn to_event(line: &str) -> Option<KioskEvent> {
    let line = line.trim();
    if line == "attendre" {
        return None;
    }
    if line == "touch" {
        return Some(KioskEvent::Tap);
    }
    if let Some(event) = panel_script_line(line) {
        return Some(event);
    }
    Some(match line.strip_prefix("touch:") {
        Some(id) => match Command::from_button_id(id.trim()) {
            Some(command) => KioskEvent::Command(command),
            None => KioskEvent::Touched(id.trim().to_string()),
        },
        None if line.is_empty() => KioskEvent::Silence,
        None => KioskEvent::Heard(line.to_string()),
    })
}

const PANEL_LINES: &str = "bouton:parler, bouton:parler-long, bouton:aide, bouton:aide-long, \
                           presence:oui ou presence:non";

/// The first script line that looks like the front panel's but is none of its lines, with what
/// is wrong, in French (a typo would otherwise be heard as speech).
pub fn unknown_panel_line(lines: &[(usize, String)]) -> Option<(usize, String)> {
    lines.iter().find_map(|(number, line)| {
        let looks_like_panel = line.starts_with("bouton:") || line.starts_with("presence:");
        (looks_like_panel && panel_script_line(line).is_none()).then(|| {
            (
                *number,
                format!("« {line} » n'est pas une ligne du panneau ; attendu : {PANEL_LINES}"),
            )
        })
    })
}
