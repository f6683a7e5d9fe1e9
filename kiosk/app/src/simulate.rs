//! The terminal simulator: plays a flow as the kiosk would, printing what it shows and
//! says, and reading answers from the keyboard or from an answer script.
//!
//! This is how administrators try a flow before publishing it, and how the tests play
//! every shipped flow to its submission.

use crate::receipt;
use kiosk_flow::runtime::{Effect, Event, Input, Outcome, Screen, Session, Submission};
use kiosk_flow::Flow;
use std::io::{BufRead, Write};
use std::sync::Arc;

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
    /// impossible (the session stops).
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

/// What the simulation ended with.
pub struct SimulationResult {
    pub outcome: Option<Outcome>,
    pub submission: Option<Submission>,
    /// Set when the script ran out before the end of the flow.
    pub stopped_at: Option<String>,
    pub unused_answers: Vec<(usize, String)>,
}

fn print_screen(out: &mut dyn Write, screen: &Screen) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "── {} · étape {}/{} ({})",
        screen.flow_title, screen.progress.current, screen.progress.total, screen.step_id
    )?;
    if let Some(notice) = &screen.notice {
        writeln!(out, "   ! {notice}")?;
    }
    writeln!(out, "ÉCRAN : {}", screen.text)?;
    for line in &screen.summary {
        writeln!(out, "        {} : {}", line.label, line.value)?;
    }
    const SHOWN: usize = 12;
    for option in screen.options.iter().take(SHOWN) {
        writeln!(out, "        [{}] {}", option.id, option.label)?;
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
        Input::Date { earliest, latest } => Some(format!(
            "calendrier{}{}",
            earliest.map(|d| format!(" du {d}")).unwrap_or_default(),
            latest.map(|d| format!(" au {d}")).unwrap_or_default()
        )),
        Input::Time { earliest, latest } => Some(format!("heures de {earliest} à {latest}")),
        Input::YesNo | Input::Choice | Input::Nothing => None,
    };
    if let Some(hint) = hint {
        writeln!(out, "        {hint}")?;
    }
    Ok(())
}

/// Plays `flow` to its end. Transcript goes to `out`.
/// With a `store`, submissions are sealed into its outbox and calls for help queued, as on
/// the kiosk; without one nothing is kept and the receipt code is only a sample.
pub fn run(
    flow: Flow,
    today: chrono::NaiveDate,
    mut answers: Answers,
    mut store: Option<kiosk_store::Store>,
    out: &mut dyn Write,
) -> anyhow::Result<SimulationResult> {
    let mut session = Session::new(Arc::new(flow), today);
    let mut pending = vec![Event::Start];
    let mut result = SimulationResult {
        outcome: None,
        submission: None,
        stopped_at: None,
        unused_answers: Vec::new(),
    };
    let mut script_position = 0;
    while let Some(event) = pending.pop() {
        let mut listening = None;
        for effect in session.handle(event) {
            match effect {
                Effect::Show(screen) => print_screen(out, &screen)?,
                Effect::Say { text } => {
                    writeln!(out, "VOIX  : {text}")?;
                    if let Answers::Voice(voice) = &mut answers {
                        out.flush()?;
                        voice.say(&text)?;
                    }
                }
                Effect::Listen { phrases } => listening = Some(phrases),
                Effect::Submit(submission) => {
                    let event = match store.as_mut() {
                        None => {
                            writeln!(out, "        (simulation : rien n'est enregistré ; le code de suivi est un exemple)")?;
                            Event::Stored {
                                receipt: receipt::new_code(),
                            }
                        }
                        Some(store) => match store.queue_submission(&submission) {
                            Ok(queued) => {
                                writeln!(
                                    out,
                                    "        (demande chiffrée et mise en file d'envoi : {})",
                                    queued.id
                                )?;
                                Event::Stored {
                                    receipt: queued.receipt,
                                }
                            }
                            Err(e) => {
                                writeln!(out, "        (échec de l'enregistrement : {e})")?;
                                Event::StoreFailed
                            }
                        },
                    };
                    result.submission = Some(submission);
                    pending.push(event);
                }
                Effect::CallForHelp { flow_id, step_id } => {
                    if let Some(store) = store.as_mut() {
                        store.queue_help_call(&flow_id, &step_id)?;
                    }
                    writeln!(out, "        (appel à l'aide envoyé aux ambassadeurs : parcours {flow_id}, étape {step_id})")?;
                }
                Effect::AdjustSpeech { change } => {
                    writeln!(out, "        (réglage de la voix : {change:?})")?;
                }
                Effect::Finished { outcome } => result.outcome = Some(outcome),
            }
        }
        let Some(phrases) = listening else {
            continue;
        };
        if session.is_finished() || !pending.is_empty() {
            continue;
        }
        let line = match &mut answers {
            Answers::Voice(voice) => {
                write!(out, "(j'écoute…) ")?;
                out.flush()?;
                match voice.listen(phrases)? {
                    Some(event) => {
                        match &event {
                            Event::Heard(text) if text.is_empty() => {
                                writeln!(out, "> (pas compris)")?
                            }
                            Event::Heard(text) => writeln!(out, "> {text}")?,
                            _ => writeln!(out, "> (rien entendu)")?,
                        }
                        pending.push(event);
                        continue;
                    }
                    None => {
                        writeln!(out)?;
                        result.stopped_at = session.current_step_id().map(str::to_string);
                        break;
                    }
                }
            }
            Answers::Interactive(reader) => {
                write!(out, "> ")?;
                out.flush()?;
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    result.stopped_at = session.current_step_id().map(str::to_string);
                    break;
                }
                line.trim().to_string()
            }
            Answers::Script(lines) => match lines.get(script_position) {
                Some((_, line)) => {
                    script_position += 1;
                    writeln!(out, "> {line}")?;
                    line.clone()
                }
                None => {
                    result.stopped_at = session.current_step_id().map(str::to_string);
                    break;
                }
            },
        };
        pending.push(to_event(&line));
    }
    if let Answers::Script(lines) = answers {
        result.unused_answers = lines.into_iter().skip(script_position).collect();
    }
    Ok(result)
}

/// `touch:ID` is a touch; an empty line is silence; anything else was heard.
pub fn to_event(line: &str) -> Event {
    match line.strip_prefix("touch:") {
        Some(id) => match kiosk_flow::understand::Command::from_button_id(id.trim()) {
            Some(command) => Event::Command(command),
            None => Event::Touched(id.trim().to_string()),
        },
        None if line.trim().is_empty() => Event::Silence,
        None => Event::Heard(line.to_string()),
    }
}
