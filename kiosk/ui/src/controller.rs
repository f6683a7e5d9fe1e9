//! The Slint host of the kiosk machine (`kiosk_flow::machine`), on the UI thread: it turns
//! touches and what was heard into machine events, and carries out the machine's effects:
//! lays out its views, speaks and listens through the voice port, arms its timer, and hands
//! storage and network effects to the shared adapter (`kiosk_host::Host`).
//!
//! It decides nothing about the kiosk: only what is purely visual stays here (what is being
//! typed, the letter filter of long lists, the calendar's month, the settings panel).

use crate::generated::{Kiosk, KioskWindow, OptionItem, Page, StatusLine, Theme};
use crate::layouts::{self, CalendarView};
use crate::pictograms;
use crate::status::KioskStatus;
use crate::voice::VoicePort;
use chrono::NaiveDate;
use kiosk_flow::machine::{
    KioskConfig, KioskEffect, KioskEvent, KioskMachine, PanelButton, Press, Printout,
    SettingChange, Settings, SupervisorAction,
};
use kiosk_flow::runtime::{Screen, ScreenOption};
use kiosk_flow::understand::{self, Command, Expected};
use kiosk_flow::Flow;
pub use kiosk_hardware::Light;
use kiosk_hardware::LightFollower;
pub use kiosk_host::{Host, Storage, SAMPLE_RECEIPT};
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How the kiosk is set up.
#[derive(Clone)]
pub struct UiConfig {
    /// The installed flows (the home menu shows them by kind).
    pub flows: Vec<Arc<Flow>>,
    /// Time without any input before "Vous êtes toujours là ?".
    pub idle_timeout: Duration,
    /// How long that question waits before the session is wiped.
    pub idle_countdown: Duration,
    /// The idle time once the presence sensor saw the person leave.
    pub absent_timeout: Duration,
    /// How long the PIN pad and the ambassadors' screen stay without a touch.
    pub supervisor_timeout: Duration,
    /// How long the end screen stays before the next person.
    pub done_timeout: Duration,
    /// The ambassadors' PIN (digits).
    pub supervisor_pin: String,
    /// How long the corner must be held to ask for the PIN.
    pub long_press: Duration,
    /// A receipt printer is there: show "Imprimer".
    pub printer: bool,
    /// Text size at the start of each session: 0 normal, 1 large, 2 very large.
    pub text_size: u8,
    pub high_contrast: bool,
    /// Every session starts in one-button mode (`one_button` in `kiosk.toml`).
    pub one_button: bool,
    /// Volume in percent at the start of each session.
    pub volume: u8,
    /// The day sessions see as today; `None`: the local date when the session starts.
    pub today: Option<NaiveDate>,
}

impl Default for UiConfig {
    fn default() -> Self {
        let machine = KioskConfig::default();
        UiConfig {
            flows: Vec::new(),
            idle_timeout: machine.idle_timeout,
            idle_countdown: machine.idle_countdown,
            absent_timeout: machine.absent_timeout,
            supervisor_timeout: machine.supervisor_timeout,
            done_timeout: machine.done_timeout,
            supervisor_pin: String::new(),
            long_press: Duration::from_secs(3),
            printer: false,
            text_size: 0,
            high_contrast: false,
            one_button: false,
            volume: 80,
            today: None,
        }
    }
}

impl UiConfig {
    fn machine_config(&self, can_send: bool) -> KioskConfig {
        KioskConfig {
            flows: self.flows.clone(),
            can_send,
            idle_timeout: self.idle_timeout,
            idle_countdown: self.idle_countdown,
            absent_timeout: self.absent_timeout,
            done_timeout: self.done_timeout,
            supervisor_timeout: self.supervisor_timeout,
            supervisor_pin: self.supervisor_pin.clone(),
            printer: self.printer,
            settings: Settings {
                text_size: self.text_size.min(Settings::LARGEST_TEXT),
                high_contrast: self.high_contrast,
                speech_rate: Settings::NORMAL_RATE,
                volume: self.volume.min(100),
                one_button: self.one_button,
                ..Settings::default()
            },
            // How often a waiting call for help is asked after, and how long a citizen may
            // wait for it: the machine's defaults.
            ..KioskConfig::default()
        }
    }
}

const TEXT_SCALES: [(f32, &str); 3] = [(1.0, "normal"), (1.2, "grand"), (1.4, "très grand")];
const RATES: [(f32, &str); 5] = [
    (0.7, "très lente"),
    (0.85, "lente"),
    (1.0, "normale"),
    (1.15, "rapide"),
    (1.3, "très rapide"),
];

/// Called with the slip to print; it must return at once (the printer has its own thread).
type PrintHook = Box<dyn FnMut(&Printout)>;
/// Called with the status light's new state.
type LightHook = Box<dyn FnMut(Light)>;

pub(crate) struct Inner {
    pub(crate) window: slint::Weak<KioskWindow>,
    pub(crate) config: UiConfig,
    pub(crate) machine: KioskMachine,
    pub(crate) host: Host,
    pub(crate) voice: Box<dyn VoicePort>,
    pub(crate) page: Page,
    /// The flow or lookup screen on display, if any.
    pub(crate) screen: Option<Screen>,
    /// What is being typed on the keypad or keyboard, for the step `typed_for`.
    pub(crate) typed: String,
    pub(crate) typed_for: String,
    pub(crate) digits: bool,
    /// The long list's letter filter: the initial or group of initials chosen.
    pub(crate) letter: String,
    /// One-button mode is on (the view carries a scan): the long list shows the scan's letter
    /// groups, and this one opened.
    pub(crate) scan_letters: Option<Option<String>>,
    pub(crate) calendar: Option<CalendarView>,
    /// The machine's one timer.
    pub(crate) timer: Timer,
    /// The idle prompt's countdown, for display only (the machine's timer decides).
    pub(crate) countdown: Timer,
    pub(crate) idle_left: u32,
    pub(crate) status: KioskStatus,
    pub(crate) supervisor_notes: Vec<String>,
    pub(crate) on_print: Option<PrintHook>,
    /// The status light, derived from the effects carried out and the voice's reports.
    pub(crate) light: LightFollower,
    pub(crate) shown_light: Light,
    pub(crate) on_light: Option<LightHook>,
    /// This controller's id, for replies from other threads.
    pub(crate) id: u64,
}

thread_local! {
    static REGISTRY: RefCell<HashMap<u64, Weak<RefCell<Inner>>>> = RefCell::new(HashMap::new());
}
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Errors building the UI.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("l'interface n'a pas pu démarrer : {0}")]
    Platform(#[from] slint::PlatformError),
    #[error("impossible d'écrire {path} : {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("image {path} : {message}")]
    Image {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("aucun parcours « {0} »")]
    UnknownFlow(String),
    #[error("le rendu des captures s'est arrêté : {0}")]
    Thread(String),
}

/// The host. Create it on the UI thread after the Slint platform is chosen.
pub struct Controller {
    inner: Rc<RefCell<Inner>>,
    window: KioskWindow,
    id: u64,
}

/// Posts voice results, status updates and the back end's answers to the controller from any
/// thread.
#[derive(Debug, Clone, Copy)]
pub struct ControllerHandle {
    id: u64,
}

impl ControllerHandle {
    fn post(self, f: impl FnOnce(&Rc<RefCell<Inner>>) + Send + 'static) {
        let id = self.id;
        let posted = slint::invoke_from_event_loop(move || {
            let inner = REGISTRY.with(|r| r.borrow().get(&id).and_then(Weak::upgrade));
            if let Some(inner) = inner {
                f(&inner);
            }
        });
        if posted.is_err() {
            tracing::debug!("event loop gone, message to the UI dropped");
        }
    }

    /// Final recognition result.
    pub fn heard(self, text: String) {
        self.post(move |i| heard(i, &text));
    }
    /// Partial result while the citizen speaks.
    pub fn partial(self, text: String) {
        self.post(move |i| partial(i, &text));
    }
    /// Listening timed out with nothing said.
    pub fn no_speech(self) {
        self.post(no_speech);
    }
    /// The kiosk started saying this.
    pub fn speaking(self, caption: String) {
        self.post(move |i| speaking(i, &caption));
    }
    pub fn done_speaking(self) {
        self.post(done_speaking);
    }
    /// Result of a microphone or speaker test, for the supervisor screen.
    pub fn test_result(self, text: String) {
        self.post(move |i| test_result(i, &text));
    }
    pub fn set_status(self, status: KioskStatus) {
        self.post(move |i| set_status(i, status));
    }
    /// What the voice can do: without hearing, the screen says to touch.
    pub fn voice_available(self, hearing: bool, speaking: bool) {
        self.post(move |i| dispatch(i, KioskEvent::Voice { hearing, speaking }));
    }
    /// New flows (after a publication): used from the next person on.
    pub fn set_flows(self, flows: Vec<Arc<Flow>>) {
        self.post(move |i| dispatch(i, KioskEvent::FlowsChanged(flows)));
    }
    /// A new availability snapshot: used from the next person on.
    pub fn set_availability(self, availability: Arc<kiosk_flow::booking::Availability>) {
        self.post(move |i| i.borrow_mut().machine.set_availability(Some(availability)));
    }
    /// Enrolment changed: used from the next person on.
    pub fn set_enrolled(self, enrolled: bool) {
        self.post(move |i| dispatch(i, KioskEvent::Enrolled(enrolled)));
    }
    /// An event for the machine (the host adapter's late answers).
    pub fn event(self, event: KioskEvent) {
        self.post(move |i| dispatch(i, event));
    }
}

impl Controller {
    /// Builds the window, wires every callback and shows the attract screen. Storage and
    /// network effects go to `host`.
    #[tracing::instrument(name = "ui.controller.new", skip_all, fields(flows = config.flows.len()))]
    pub fn new(
        config: UiConfig,
        host: Host,
        voice: Box<dyn VoicePort>,
    ) -> Result<Controller, UiError> {
        let window = KioskWindow::new()?;
        let today = config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let machine = KioskMachine::new(config.machine_config(host.can_send()), today);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let inner = Rc::new(RefCell::new(Inner {
            window: window.as_weak(),
            config,
            machine,
            host,
            voice,
            page: Page::Attract,
            screen: None,
            typed: String::new(),
            typed_for: String::new(),
            digits: false,
            letter: layouts::ALL_LETTERS.to_string(),
            scan_letters: None,
            calendar: None,
            timer: Timer::default(),
            countdown: Timer::default(),
            idle_left: 0,
            status: KioskStatus::default(),
            supervisor_notes: Vec::new(),
            on_print: None,
            light: LightFollower::new(),
            shown_light: Light::Off,
            on_light: None,
            id,
        }));
        REGISTRY.with(|r| r.borrow_mut().insert(id, Rc::downgrade(&inner)));
        wire(&window, &inner);
        {
            let mut me = inner.borrow_mut();
            let k = window.global::<Kiosk>();
            k.set_printer(me.config.printer);
            k.set_long_press_ms(i32::try_from(me.config.long_press.as_millis()).unwrap_or(3000));
            let settings = me.machine.settings();
            me.apply_settings(settings);
        }
        let effects = inner.borrow_mut().machine.start();
        carry_out(&inner, effects);
        Ok(Controller { inner, window, id })
    }

    pub fn window(&self) -> &KioskWindow {
        &self.window
    }

    /// A handle for other threads (voice, sync) to post to this controller.
    pub fn handle(&self) -> ControllerHandle {
        ControllerHandle { id: self.id }
    }

    /// Shows the window and runs the event loop until it closes.
    pub fn run(&self) -> Result<(), UiError> {
        self.window.run()?;
        Ok(())
    }

    /// Called with the slip when "Imprimer" is touched (or the privacy notice is printed), on
    /// the UI thread: `f` must only queue it.
    pub fn on_print(&self, f: impl FnMut(&Printout) + 'static) {
        self.inner.borrow_mut().on_print = Some(Box::new(f));
    }

    /// Called with the status light's state now and whenever it changes (the front panel).
    pub fn on_light(&self, mut f: impl FnMut(Light) + 'static) {
        let mut me = self.inner.borrow_mut();
        me.shown_light = me.light.light();
        f(me.shown_light);
        me.on_light = Some(Box::new(f));
    }

    /// The status light's state now.
    pub fn light(&self) -> Light {
        self.inner.borrow().light.light()
    }

    // Same-thread versions of the handle's messages (tests, single-threaded apps).
    pub fn heard(&self, text: &str) {
        heard(&self.inner, text);
    }
    pub fn partial(&self, text: &str) {
        partial(&self.inner, text);
    }
    pub fn no_speech(&self) {
        no_speech(&self.inner);
    }
    pub fn speaking(&self, caption: &str) {
        speaking(&self.inner, caption);
    }
    pub fn done_speaking(&self) {
        done_speaking(&self.inner);
    }
    pub fn test_result(&self, text: &str) {
        test_result(&self.inner, text);
    }
    pub fn set_status(&self, status: KioskStatus) {
        set_status(&self.inner, status);
    }
    pub fn set_flows(&self, flows: Vec<Arc<Flow>>) {
        dispatch(&self.inner, KioskEvent::FlowsChanged(flows));
    }
    pub fn voice_available(&self, hearing: bool, speaking: bool) {
        dispatch(&self.inner, KioskEvent::Voice { hearing, speaking });
    }
    /// Gives the machine an event, as the window's callbacks do.
    pub fn event(&self, event: KioskEvent) {
        dispatch(&self.inner, event);
    }

    /// What is on screen, for tests and logs.
    pub fn page(&self) -> Page {
        self.inner.borrow().page
    }
    /// The step on screen (on the end screen: the step that ended the flow).
    pub fn step_id(&self) -> Option<String> {
        self.inner
            .borrow()
            .screen
            .as_ref()
            .map(|s| s.step_id.clone())
    }
    pub fn current_screen(&self) -> Option<Screen> {
        self.inner.borrow().screen.clone()
    }
    /// Whether the machine still holds a citizen's session.
    pub fn has_session(&self) -> bool {
        self.inner.borrow().machine.session().is_some()
    }

    /// Lets the machine's timer run out now (tests and screenshots; the timer does it
    /// otherwise): on a citizen's page, "Vous êtes toujours là ?".
    pub fn time_out(&self) {
        self.inner.borrow().timer.stop();
        dispatch(&self.inner, KioskEvent::TimerFired);
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        REGISTRY.with(|r| r.borrow_mut().remove(&self.id));
    }
}

/// Every callback of the window: what is purely visual is done here, the rest goes to the
/// machine.
fn wire(window: &KioskWindow, inner: &Rc<RefCell<Inner>>) {
    let k = window.global::<Kiosk>();
    macro_rules! on {
        ($setter:ident, |$rc:ident $(, $arg:ident : $ty:ty)*| $body:block) => {{
            let w = Rc::downgrade(inner);
            k.$setter(move |$($arg: $ty),*| {
                if let Some($rc) = w.upgrade() {
                    $body
                }
            });
        }};
    }
    on!(on_start, |rc| { dispatch(&rc, KioskEvent::Tap) });
    on!(on_choose_flow, |rc, id: SharedString| {
        dispatch(&rc, KioskEvent::Touched(id.to_string()))
    });
    on!(on_touched, |rc, id: SharedString| {
        dispatch(&rc, KioskEvent::Touched(id.to_string()))
    });
    on!(on_command, |rc, id: SharedString| {
        let page = rc.borrow().page;
        let event = match (page, Command::from_button_id(&id)) {
            (Page::Pin, Some(Command::Cancel)) => KioskEvent::PinKey("annuler".into()),
            (_, Some(command)) => KioskEvent::Command(command),
            (_, None) => {
                tracing::debug!(id = %id, "unknown command button");
                return;
            }
        };
        dispatch(&rc, event);
    });
    on!(on_key, |rc, key: SharedString| {
        let page = rc.borrow().page;
        if page == Page::Pin {
            let key = match key.as_str() {
                layouts::ERASE => "effacer".to_string(),
                layouts::VALIDATE => "valider".to_string(),
                other => other.to_string(),
            };
            dispatch(&rc, KioskEvent::PinKey(key));
        } else {
            let typed = rc.borrow_mut().key(&key);
            let event = match typed {
                Some(value) => KioskEvent::Touched(value),
                None => KioskEvent::Activity,
            };
            dispatch(&rc, event);
        }
    });
    on!(on_filter, |rc, letter: SharedString| {
        {
            let mut me = rc.borrow_mut();
            me.letter = letter.to_string();
            me.show_long_list();
        }
        dispatch(&rc, KioskEvent::Activity);
    });
    on!(on_calendar_move, |rc, pages: i32| {
        {
            let mut me = rc.borrow_mut();
            if let Some(view) = &me.calendar {
                me.calendar = Some(view.moved(pages));
                me.show_calendar();
            }
        }
        dispatch(&rc, KioskEvent::Activity);
    });
    on!(on_finish, |rc| {
        dispatch(&rc, KioskEvent::Touched("terminer".into()))
    });
    on!(on_print_receipt, |rc| { dispatch(&rc, KioskEvent::Print) });
    on!(on_still_here, |rc| { dispatch(&rc, KioskEvent::Tap) });
    on!(on_open_settings, |rc| {
        rc.borrow().with_kiosk(|k| k.set_settings_open(true));
        dispatch(&rc, KioskEvent::Activity);
    });
    on!(on_close_settings, |rc| {
        rc.borrow().with_kiosk(|k| k.set_settings_open(false));
        dispatch(&rc, KioskEvent::Activity);
    });
    on!(on_text_size, |rc, delta: i32| {
        let change = if delta > 0 {
            SettingChange::TextBigger
        } else {
            SettingChange::TextSmaller
        };
        dispatch(&rc, KioskEvent::Setting(change));
    });
    on!(on_contrast, |rc, high: bool| {
        dispatch(&rc, KioskEvent::Setting(SettingChange::Contrast(high)))
    });
    on!(on_speech_rate, |rc, delta: i32| {
        let change = if delta > 0 {
            SettingChange::Faster
        } else {
            SettingChange::Slower
        };
        dispatch(&rc, KioskEvent::Setting(change));
    });
    on!(on_one_button, |rc, on: bool| {
        dispatch(&rc, KioskEvent::Setting(SettingChange::OneButton(on)))
    });
    on!(on_scan_speed, |rc, delta: i32| {
        let change = if delta > 0 {
            SettingChange::ScanFaster
        } else {
            SettingChange::ScanSlower
        };
        dispatch(&rc, KioskEvent::Setting(change));
    });
    on!(on_change_volume, |rc, delta: i32| {
        let change = if delta > 0 {
            SettingChange::Louder
        } else {
            SettingChange::Quieter
        };
        dispatch(&rc, KioskEvent::Setting(change));
    });
    on!(on_corner_held, |rc| {
        dispatch(&rc, KioskEvent::SupervisorCorner)
    });
    on!(on_supervisor_action, |rc, action: SharedString| {
        let page = rc.borrow().page;
        let event = match (page, action.as_str()) {
            (Page::Pin, _) => KioskEvent::PinKey("annuler".into()),
            (_, "micro") => KioskEvent::Supervisor(SupervisorAction::TestMicrophone),
            (_, "haut-parleur") => KioskEvent::Supervisor(SupervisorAction::TestSpeaker),
            (_, "reessayer") => KioskEvent::Supervisor(SupervisorAction::RetryRefused),
            _ => KioskEvent::Supervisor(SupervisorAction::Close),
        };
        dispatch(&rc, event);
    });
    on!(on_resized, |rc| { rc.borrow_mut().relayout() });
}

/// Gives the machine one event and carries out what it answers.
fn dispatch(inner: &Rc<RefCell<Inner>>, event: KioskEvent) {
    let captioned = {
        let me = inner.borrow();
        me.wants_caption(&event)
    };
    let effects = {
        let mut me = inner.borrow_mut();
        let today = me.today();
        me.machine.set_today(today);
        me.machine.handle(event)
    };
    carry_out(inner, effects);
    if captioned {
        inner.borrow().show_caption();
    }
}

/// Carries out effects in order; the store's and the back end's answers go back in.
fn carry_out(inner: &Rc<RefCell<Inner>>, effects: Vec<KioskEffect>) {
    let mut queue = VecDeque::from([effects]);
    while let Some(effects) = queue.pop_front() {
        for effect in effects {
            let reply = {
                let me = inner.borrow();
                let handle = ControllerHandle { id: me.id };
                me.host.carry_out(&effect, move |event| handle.event(event))
            };
            {
                let mut me = inner.borrow_mut();
                me.light.effect(&effect);
                me.effect(effect, inner);
            }
            if let Some(event) = reply {
                let more = inner.borrow_mut().machine.handle(event);
                queue.push_back(more);
            }
        }
    }
    inner.borrow_mut().update_light();
}

fn heard(inner: &Rc<RefCell<Inner>>, text: &str) {
    inner.borrow_mut().light.done_listening();
    inner.borrow().with_kiosk(|k| {
        k.set_heard(SharedString::new());
        k.set_listening(false);
    });
    dispatch(inner, KioskEvent::Heard(text.to_string()));
}

fn partial(inner: &Rc<RefCell<Inner>>, text: &str) {
    inner.borrow().with_kiosk(|k| k.set_heard(text.into()));
    dispatch(inner, KioskEvent::Activity);
}

fn no_speech(inner: &Rc<RefCell<Inner>>) {
    inner.borrow_mut().light.done_listening();
    inner.borrow().with_kiosk(|k| {
        k.set_heard(SharedString::new());
        k.set_listening(false);
    });
    dispatch(inner, KioskEvent::Silence);
}

fn speaking(inner: &Rc<RefCell<Inner>>, caption: &str) {
    inner.borrow().set_caption(caption);
}

fn done_speaking(inner: &Rc<RefCell<Inner>>) {
    inner.borrow_mut().light.done_speaking();
    // The idle time counts from the end of what the kiosk said.
    dispatch(inner, KioskEvent::DoneSpeaking);
}

fn test_result(inner: &Rc<RefCell<Inner>>, text: &str) {
    inner
        .borrow()
        .with_kiosk(|k| k.set_test_result(text.into()));
}

fn set_status(inner: &Rc<RefCell<Inner>>, status: KioskStatus) {
    let mut me = inner.borrow_mut();
    me.status = status;
    me.show_status();
}

pub(crate) fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

pub(crate) fn option_item(o: &ScreenOption) -> OptionItem {
    OptionItem {
        id: o.id.as_str().into(),
        label: o.label.as_str().into(),
        icon: pictograms::path_for(o.pictogram.as_deref()).into(),
        selected: false,
    }
}

impl Inner {
    pub(crate) fn with_kiosk(&self, f: impl FnOnce(&Kiosk<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(&window.global::<Kiosk>());
        }
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Commands whose answer is said but not on screen get a caption bubble.
    pub(crate) fn wants_caption(&self, event: &KioskEvent) -> bool {
        let command = match event {
            KioskEvent::Command(c) => Some(*c),
            // The front panel's « Aide »: the Aide command; held, « Appeler quelqu'un ».
            KioskEvent::Button {
                button: PanelButton::Help,
                press,
            } => Some(match press {
                Press::Short => Command::Help,
                Press::Long => Command::Human,
            }),
            KioskEvent::Heard(text) => {
                understand::understand(Expected::Text, text, self.today()).command
            }
            _ => None,
        };
        matches!(
            command,
            Some(
                Command::Help
                    | Command::Human
                    | Command::Slower
                    | Command::Louder
                    | Command::WhereAmI
            )
        )
    }

    pub(crate) fn compact(&self) -> bool {
        let Some(window) = self.window.upgrade() else {
            return true;
        };
        let size = window.window().size();
        let scale = window.window().scale_factor().max(0.1);
        let (w, h) = (size.width as f32 / scale, size.height as f32 / scale);
        if h <= 0.0 {
            return true;
        }
        let theme = window.global::<Theme>();
        theme.set_screen_height(h);
        theme.set_screen_width(w);
        h < 600.0
    }

    pub(crate) fn set_page(&mut self, page: Page) {
        self.page = page;
        self.with_kiosk(|k| k.set_page(page));
    }

    /// Keeps the text being said; it is shown only by [`Inner::show_caption`].
    pub(crate) fn set_caption(&self, text: &str) {
        self.with_kiosk(|k| k.set_caption(text.into()));
    }

    /// Shows what was last said in the bubble: for what the screen does not already show
    /// (help, a call for help, a speech setting confirmed).
    pub(crate) fn show_caption(&self) {
        self.with_kiosk(|k| k.set_show_caption(true));
    }

    /// Carries out one effect (storage and network effects were given to the host adapter).
    pub(crate) fn effect(&mut self, effect: KioskEffect, inner: &Rc<RefCell<Inner>>) {
        match effect {
            KioskEffect::Show(view) => self.show(view, inner),
            KioskEffect::Say { text } => {
                self.voice.say(&text);
                self.set_caption(&text);
            }
            KioskEffect::Listen { phrases } => {
                self.voice.listen(phrases);
                self.with_kiosk(|k| k.set_listening(true));
            }
            KioskEffect::Hush => {
                self.voice.stop_speaking();
                self.voice.stop_listening();
                self.with_kiosk(|k| {
                    k.set_listening(false);
                    k.set_heard(SharedString::new());
                });
            }
            KioskEffect::SetTimer(after) => match after {
                None => self.timer.stop(),
                Some(after) => {
                    let weak = Rc::downgrade(inner);
                    self.timer.start(TimerMode::SingleShot, after, move || {
                        if let Some(rc) = weak.upgrade() {
                            dispatch(&rc, KioskEvent::TimerFired);
                        }
                    });
                }
            },
            KioskEffect::ApplySettings(settings) => self.apply_settings(settings),
            KioskEffect::Print(printout) => {
                if let Some(print) = self.on_print.as_mut() {
                    print(&printout);
                }
            }
            KioskEffect::TestMicrophone => self.voice.test_microphone(),
            KioskEffect::TestSpeaker => self.voice.test_speaker(),
            KioskEffect::FlowFinished { flow_id, outcome } => {
                tracing::info!(flow_id, outcome = ?std::mem::discriminant(&outcome), "flow finished")
            }
            KioskEffect::Submit(_)
            | KioskEffect::CallForHelp { .. }
            | KioskEffect::AskHelpCall { .. }
            | KioskEffect::LookupStatus { .. } => {}
            // The host put them back in the queue: the supervisor screen shows the new count.
            KioskEffect::RetryRefused => self.show_status(),
        }
    }

    /// Tells the front panel when the light's state changed.
    pub(crate) fn update_light(&mut self) {
        let light = self.light.light();
        if light != self.shown_light {
            self.shown_light = light;
            if let Some(hook) = self.on_light.as_mut() {
                hook(light);
            }
        }
    }

    pub(crate) fn apply_settings(&mut self, settings: Settings) {
        let (scale, size_label) =
            TEXT_SCALES[usize::from(settings.text_size).min(TEXT_SCALES.len() - 1)];
        let (rate, rate_label) = RATES[usize::from(settings.speech_rate).min(RATES.len() - 1)];
        self.voice.set_rate(rate);
        self.voice.set_volume(settings.volume);
        if let Some(window) = self.window.upgrade() {
            let theme = window.global::<Theme>();
            theme.set_text_scale(scale);
            theme.set_high_contrast(settings.high_contrast);
            let k = window.global::<Kiosk>();
            k.set_text_size_label(size_label.into());
            k.set_speech_label(rate_label.into());
            k.set_volume(i32::from(settings.volume));
            k.set_one_button_on(settings.one_button);
            let step = settings.scan_step().as_millis();
            k.set_scan_speed_label(
                format!("{},{} s par choix", step / 1000, step % 1000 / 100)
                    .replace(",0 s", " s")
                    .into(),
            );
        }
        self.relayout();
    }

    pub(crate) fn show_status(&mut self) {
        let mut status = self.status.clone();
        if let Storage::Store(store) = self.host.storage() {
            match store.pending_count() {
                Ok(n) => status.queue_length = Some(n),
                Err(error) => tracing::warn!(%error, "queue length unknown"),
            }
            match store.refused_count() {
                Ok(n) => status.refused = Some(n),
                Err(error) => tracing::warn!(%error, "refused count unknown"),
            }
        }
        let mut lines: Vec<StatusLine> = self
            .supervisor_notes
            .iter()
            .map(|note| StatusLine {
                label: "Attention".into(),
                value: note.as_str().into(),
                ok: false,
            })
            .collect();
        lines.extend(status.lines().into_iter().map(|l| StatusLine {
            label: l.label.into(),
            value: l.value.into(),
            ok: l.ok,
        }));
        let has_refused = status.refused.is_some_and(|n| n > 0);
        self.with_kiosk(|k| {
            k.set_status(model(lines));
            k.set_has_refused(has_refused);
        });
    }
}
