//! Every screen of a flow as PNG files, rendered headless: attract, home, each step (and
//! its read-back), summary, receipt or end, idle question, settings, PIN and supervisor.
//! For administrators to preview a flow (`kiosk screenshot`), and for us to look at.
//!
//! The flow is walked by the runtime itself with a few answer policies (yes then no,
//! first then last option), so that branches such as an emergency end are reached too. The
//! privacy notice before the first personal question is shot on its three pages: refused
//! ("Je ne veux pas", then back), in full, and the short one.

use crate::controller::{Controller, Host, Storage, UiConfig, UiError};
use crate::generated::{Kiosk, Page};
use crate::headless::HeadlessWindow;
use crate::layouts;
use crate::status::KioskStatus;
use crate::voice::NoVoice;
use chrono::{Duration, NaiveDate};
use kiosk_flow::runtime::{Input, NOTICE_REFUSED_SCREEN, READ_IN_FULL};
use kiosk_flow::Flow;
use slint::ComponentHandle;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to render.
#[derive(Debug, Clone)]
pub struct ScreenshotOptions {
    /// Pixels, e.g. (800, 480) or (1280, 800).
    pub size: (u32, u32),
    /// The day the flow sees as today (dates in calendars); `None`: today.
    pub today: Option<NaiveDate>,
    /// Show the print button on the receipt.
    pub printer: bool,
}

impl Default for ScreenshotOptions {
    fn default() -> Self {
        ScreenshotOptions {
            size: (800, 480),
            today: None,
            printer: true,
        }
    }
}

/// Renders every screen of the flow `flow_id` (one of `flows`, which also make the home
/// menu) into `out_dir` (created if needed). Returns the files written, in order.
/// Runs on a thread of its own, so it works whatever platform the caller's thread has.
#[tracing::instrument(name = "ui.screenshots", skip(flows, options), fields(size = ?options.size))]
pub fn render_flow_screenshots(
    flows: &[Arc<Flow>],
    flow_id: &str,
    options: &ScreenshotOptions,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, UiError> {
    if !flows.iter().any(|f| f.id == flow_id) {
        return Err(UiError::UnknownFlow(flow_id.to_string()));
    }
    std::fs::create_dir_all(out_dir).map_err(|source| UiError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let flows = flows.to_vec();
    let flow_id = flow_id.to_string();
    let options = options.clone();
    let out_dir = out_dir.to_owned();
    std::thread::Builder::new()
        .name("screenshots".into())
        .spawn(move || render_on_this_thread(&flows, &flow_id, &options, &out_dir))
        .map_err(|e| UiError::Thread(e.to_string()))?
        .join()
        .map_err(|_| UiError::Thread("panique pendant le rendu".into()))?
}

struct Shooter {
    window: HeadlessWindow,
    out_dir: PathBuf,
    written: Vec<PathBuf>,
}

impl Shooter {
    fn shoot(&mut self, name: &str) -> Result<(), UiError> {
        let file = format!("{:02}-{name}.png", self.written.len() + 1);
        let path = self.out_dir.join(file);
        self.window.save_png(&path)?;
        self.written.push(path);
        Ok(())
    }
}

fn render_on_this_thread(
    flows: &[Arc<Flow>],
    flow_id: &str,
    options: &ScreenshotOptions,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, UiError> {
    let (w, h) = options.size;
    let window = HeadlessWindow::install(w, h)?;
    let today = options
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let config = UiConfig {
        flows: flows.to_vec(),
        printer: options.printer,
        supervisor_pin: "1234".into(),
        today: Some(today),
        ..UiConfig::default()
    };
    let mut shooter = Shooter {
        window,
        out_dir: out_dir.to_owned(),
        written: Vec::new(),
    };
    let controller = Controller::new(config, Host::new(Storage::Preview, None), Box::new(NoVoice))?;
    controller.window().show()?;
    shooter.shoot("accueil-borne")?;
    controller.window().global::<Kiosk>().invoke_start();
    shooter.shoot("menu")?;
    // The kind of the flow, then its flows.
    if let Some(kind) = flows.iter().find(|f| f.id == flow_id).map(|f| f.kind) {
        let k = controller.window().global::<Kiosk>();
        k.invoke_choose_flow(kind.keyword().into());
        shooter.shoot(&format!("menu-{}", kind.keyword()))?;
        k.invoke_command("retour".into());
    }

    let mut seen: HashSet<String> = HashSet::new();
    // (yes/no answer, option: first or last)
    let policies = [("oui", false), ("non", true), ("oui", true)];
    for (yes, last) in policies {
        let k = controller.window().global::<Kiosk>();
        k.invoke_start();
        k.invoke_choose_flow(flow_id.into());
        for _ in 0..200 {
            if controller.page() == Page::Done {
                break;
            }
            let Some(screen) = controller.current_screen() else {
                break;
            };
            let readback = screen.text.starts_with("Vous avez dit");
            let key = format!(
                "{}{}",
                screen.step_id,
                if readback { "-relecture" } else { "" }
            );
            // Prefill what a person would have typed, so the keyboard shows a value.
            let typed = sample_value(&screen.input, today);
            if let (Some(value), true) = (&typed, uses_keys(&screen.input)) {
                for c in value.chars() {
                    k.invoke_key(c.to_string().into());
                }
            }
            if seen.insert(key.clone()) {
                shooter.shoot(&key)?;
            }
            let answer = match &screen.input {
                Input::Continue => "suivant".to_string(),
                // The notice: "Je ne veux pas" (and back), then in full, then on.
                Input::PrivacyNotice { full: false } if !seen.contains(NOTICE_REFUSED_SCREEN) => {
                    "non".to_string()
                }
                Input::PrivacyNotice { full: false } => READ_IN_FULL.to_string(),
                Input::PrivacyNotice { full: true } => "suivant".to_string(),
                Input::YesNo if screen.step_id == NOTICE_REFUSED_SCREEN => "non".into(),
                Input::YesNo if readback || !screen.summary.is_empty() => "oui".into(),
                Input::YesNo => yes.into(),
                Input::Choice => {
                    let o = if last {
                        screen.options.last()
                    } else {
                        screen.options.first()
                    };
                    match o {
                        Some(o) => o.id.clone(),
                        None => break,
                    }
                }
                Input::Choices { selected, .. } => {
                    // Choose one tile (first or last), then « Valider ».
                    let o = if last {
                        screen.options.last()
                    } else {
                        screen.options.first()
                    };
                    match o {
                        Some(o) if selected.is_empty() => o.id.clone(),
                        Some(_) => kiosk_flow::load::CONFIRM_CHOICES.to_string(),
                        None => break,
                    }
                }
                Input::Nothing => break,
                _ => match typed {
                    Some(v) => v,
                    None => break,
                },
            };
            if uses_keys(&screen.input) {
                k.invoke_key(layouts::VALIDATE.into());
            } else {
                k.invoke_touched(answer.into());
            }
        }
        if controller.page() == Page::Done {
            let name = match controller
                .window()
                .global::<Kiosk>()
                .get_receipt()
                .is_empty()
            {
                true => format!("fin-{}", controller.step_id().unwrap_or_default()),
                false => "code-de-suivi".to_string(),
            };
            if seen.insert(name.clone()) {
                shooter.shoot(&name)?;
            }
        }
        controller.window().global::<Kiosk>().invoke_finish();
    }

    // Help bubble, settings and high contrast on the first question.
    let k = controller.window().global::<Kiosk>();
    k.invoke_start();
    k.invoke_choose_flow(flow_id.into());
    k.invoke_command("aide".into());
    shooter.shoot("aide")?;
    // The idle question over the first question.
    controller.time_out();
    shooter.shoot("toujours-la")?;
    k.invoke_still_here();
    k.invoke_open_settings();
    shooter.shoot("reglages")?;
    k.invoke_contrast(true);
    k.invoke_text_size(1);
    k.invoke_close_settings();
    shooter.shoot("contraste-fort-grand-texte")?;
    k.invoke_command("annuler".into());
    k.invoke_touched("oui".into());

    // One-button mode on the first question: the focus ring on the item highlighted, the
    // scan's strip at the top; then the next step.
    k.invoke_start();
    k.invoke_choose_flow(flow_id.into());
    k.invoke_one_button(true);
    shooter.shoot("un-bouton")?;
    if let Some(first) = controller.current_screen() {
        let answer = match first.input {
            Input::Continue => Some("suivant"),
            Input::YesNo => Some("oui"),
            _ => None,
        };
        if let Some(answer) = answer {
            k.invoke_touched(answer.into());
            shooter.shoot("un-bouton-suite")?;
        }
    }
    k.invoke_command("annuler".into());
    k.invoke_touched("oui".into());

    // Supervisor: PIN pad, then the state of the kiosk.
    k.invoke_corner_held();
    for d in ["1", "2"] {
        k.invoke_key(d.into());
    }
    shooter.shoot("code-ambassadeur")?;
    for d in ["3", "4", layouts::VALIDATE] {
        k.invoke_key(d.into());
    }
    controller.set_status(sample_status());
    controller.test_result("Micro : j'entends bien (niveau 62 %).");
    shooter.shoot("ambassadeur")?;
    k.invoke_supervisor_action("fermer".into());
    Ok(shooter.written)
}

fn uses_keys(input: &Input) -> bool {
    matches!(
        input,
        Input::Number { .. } | Input::Phone | Input::Email | Input::Text { .. }
    )
}

/// A valid answer of each kind that needs one typed or picked.
fn sample_value(input: &Input, today: NaiveDate) -> Option<String> {
    Some(match input {
        Input::Number { min, max } => ((min + max) / 2).clamp(*min, (*min).max(*max)).to_string(),
        Input::Phone => "0612345678".into(),
        Input::Email => "marie.dupont@exemple.fr".into(),
        Input::Text { max_length } => "devant le 12 rue de l'église"
            .chars()
            .take(*max_length)
            .collect(),
        Input::Date {
            earliest,
            latest,
            allowed,
        } => {
            let mut day = earliest.unwrap_or(today + Duration::days(7));
            if let Some(l) = latest {
                day = day.min(*l);
            }
            let day = allowed.first_from(day, *latest).unwrap_or(day);
            day.format("%Y-%m-%d").to_string()
        }
        Input::Time { earliest, latest } => layouts::time_slots(earliest, latest)
            .first()
            .map(|s| s.id.to_string())?,
        _ => return None,
    })
}

fn sample_status() -> KioskStatus {
    KioskStatus {
        kiosk_name: Some("Mairie de Duisans (aperçu)".into()),
        network: Some(true),
        backend_reachable: Some(false),
        queue_length: Some(2),
        refused: Some(1),
        printer: Some(Err("plus de papier".into())),
        last_sync: Some("aujourd'hui à 9 h 12".into()),
        recognition: Some(Ok("vosk-model-small-fr-0.22".into())),
        synthesis: Some(Ok("Piper fr_FR-siwis-medium".into())),
        microphone: Some(Ok("USB Audio Device".into())),
        speaker: Some(Err("aucune sortie son".into())),
        front_panel: None,
        problems: vec![],
    }
}
