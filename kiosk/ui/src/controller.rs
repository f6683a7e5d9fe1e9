//! The session driver on the UI thread: turns touches and what was heard into flow
//! events, carries out the flow's effects (screen, voice, store, calls for help), runs the
//! idle timer, the citizen's settings and the supervisor mode.
//!
//! Decisions stay in kiosk-flow: the controller only lays out `Screen`s and forwards
//! what the citizen did.

use crate::generated::{
    InputKind, Kiosk, KioskWindow, MenuItem, MenuSection, OptionItem, Page, StatusLine,
    SummaryItem, Theme,
};
use crate::layouts::{self, CalendarView, KeyLayout};
use crate::pictograms;
use crate::status::KioskStatus;
use crate::voice::VoicePort;
use chrono::NaiveDate;
use kiosk_flow::menu::{home_menu, Menu};
use kiosk_flow::model::ChoiceOption;
use kiosk_flow::runtime::{
    Effect, Event, Input, Outcome, Screen, ScreenOption, Session, SpeechChange,
};
use kiosk_flow::understand::{self, Expected};
use kiosk_flow::Flow;
use kiosk_store::Store;
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
    /// The ambassadors' PIN (digits).
    pub supervisor_pin: String,
    /// How long the corner must be held to ask for the PIN.
    pub long_press: Duration,
    /// A receipt printer is there: show "Imprimer".
    pub printer: bool,
    /// Text size at the start of each session: 0 normal, 1 large, 2 very large.
    pub text_size: u8,
    pub high_contrast: bool,
    /// Volume in percent at the start of each session.
    pub volume: u8,
    /// The day sessions see as today; `None`: the local date when the session starts.
    pub today: Option<NaiveDate>,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            flows: Vec::new(),
            idle_timeout: Duration::from_secs(60),
            idle_countdown: Duration::from_secs(20),
            supervisor_pin: String::new(),
            long_press: Duration::from_secs(3),
            printer: false,
            text_size: 0,
            high_contrast: false,
            volume: 80,
            today: None,
        }
    }
}

/// Where submissions and calls for help go.
pub enum Storage {
    /// The kiosk's store: submissions sealed into the outbox, calls for help queued.
    Store(Arc<Store>),
    /// Previews (screenshots): nothing is kept; the receipt code is a sample.
    Preview,
}

/// A preview's receipt code (shape of a real one).
pub const SAMPLE_RECEIPT: &str = "K7M-4PQ";

const TEXT_SCALES: [(f32, &str); 3] = [(1.0, "normal"), (1.2, "grand"), (1.4, "très grand")];
const RATES: [(f32, &str); 5] = [
    (0.7, "très lente"),
    (0.85, "lente"),
    (1.0, "normale"),
    (1.15, "rapide"),
    (1.3, "très rapide"),
];
const NORMAL_RATE: usize = 2;
const HOME_HELP_FLOW: &str = "accueil";
const HELP_CALLED: &str = "J'appelle quelqu'un pour vous aider. Restez ici, s'il vous plaît.";
const HOME_NOT_UNDERSTOOD: &str =
    "Je n'ai pas compris. Dites ce que vous voulez faire, ou touchez une image.";
const STILL_THERE: &str = "Vous êtes toujours là ? Touchez l'écran pour continuer.";
const WAKE_WORDS: [&str; 4] = ["bonjour", "commencer", "salut", "bonsoir"];
const YES_WORDS: [&str; 6] = [
    "oui",
    "je suis là",
    "toujours là",
    "ouais",
    "d'accord",
    "continuer",
];

/// Called with the receipt code and the screen's text.
type PrintHook = Box<dyn FnMut(&str, &str)>;

struct Settings {
    text: usize,
    contrast: bool,
    rate: usize,
    volume: u8,
}

struct Inner {
    window: slint::Weak<KioskWindow>,
    config: UiConfig,
    storage: Storage,
    voice: Box<dyn VoicePort>,
    menu: Menu,
    session: Option<Session>,
    page: Page,
    /// The page under the supervisor screens.
    before_supervisor: Page,
    screen: Option<Screen>,
    /// What is being typed on the keypad or keyboard, for the step `typed_for`.
    typed: String,
    typed_for: String,
    digits: bool,
    letter: String,
    calendar: Option<CalendarView>,
    settings: Settings,
    idle: Timer,
    countdown: Timer,
    idle_left: u32,
    pin: String,
    status: KioskStatus,
    on_print: Option<PrintHook>,
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

/// The session driver. Create it on the UI thread after the Slint platform is chosen.
pub struct Controller {
    inner: Rc<RefCell<Inner>>,
    window: KioskWindow,
    id: u64,
}

/// Posts voice results and status updates to the controller from any thread.
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
    /// New flows (after a publication): used from the next session on.
    pub fn set_flows(self, flows: Vec<Arc<Flow>>) {
        self.post(move |i| set_flows(i, flows));
    }
}

impl Controller {
    /// Builds the window and wires every callback. Shows the attract screen.
    #[tracing::instrument(name = "ui.controller.new", skip_all, fields(flows = config.flows.len()))]
    pub fn new(
        config: UiConfig,
        storage: Storage,
        voice: Box<dyn VoicePort>,
    ) -> Result<Controller, UiError> {
        let window = KioskWindow::new()?;
        let menu = home_menu(config.flows.iter().map(|f| f.as_ref()));
        let settings = Settings {
            text: usize::from(config.text_size).min(TEXT_SCALES.len() - 1),
            contrast: config.high_contrast,
            rate: NORMAL_RATE,
            volume: config.volume.min(100),
        };
        let inner = Rc::new(RefCell::new(Inner {
            window: window.as_weak(),
            config,
            storage,
            voice,
            menu,
            session: None,
            page: Page::Attract,
            before_supervisor: Page::Attract,
            screen: None,
            typed: String::new(),
            typed_for: String::new(),
            digits: false,
            letter: layouts::ALL_LETTERS.to_string(),
            calendar: None,
            settings,
            idle: Timer::default(),
            countdown: Timer::default(),
            idle_left: 0,
            pin: String::new(),
            status: KioskStatus::default(),
            on_print: None,
        }));
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        REGISTRY.with(|r| r.borrow_mut().insert(id, Rc::downgrade(&inner)));
        wire(&window, &inner);
        {
            let mut me = inner.borrow_mut();
            let k = window.global::<Kiosk>();
            k.set_printer(me.config.printer);
            k.set_long_press_ms(i32::try_from(me.config.long_press.as_millis()).unwrap_or(3000));
            me.apply_settings();
            me.go_attract();
        }
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

    /// Called with the receipt code and the screen's text when "Imprimer" is touched.
    pub fn on_print(&self, f: impl FnMut(&str, &str) + 'static) {
        self.inner.borrow_mut().on_print = Some(Box::new(f));
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
        set_flows(&self.inner, flows);
    }

    /// What is on screen, for tests and logs.
    pub fn page(&self) -> Page {
        self.inner.borrow().page
    }
    /// The step on screen, if a flow is being played.
    pub fn step_id(&self) -> Option<String> {
        let me = self.inner.borrow();
        me.session.as_ref()?;
        me.screen.as_ref().map(|s| s.step_id.clone())
    }
    pub fn current_screen(&self) -> Option<Screen> {
        self.inner.borrow().screen.clone()
    }

    /// Shows "Vous êtes toujours là ?" now (screenshots; the idle timer does it otherwise).
    pub fn ask_if_still_there(&self) {
        let weak = Rc::downgrade(&self.inner);
        self.inner.borrow_mut().ask_if_still_there(weak);
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        REGISTRY.with(|r| r.borrow_mut().remove(&self.id));
    }
}

/// Every callback of the window goes to the controller, and counts as activity.
fn wire(window: &KioskWindow, inner: &Rc<RefCell<Inner>>) {
    let k = window.global::<Kiosk>();
    macro_rules! on {
        ($setter:ident, |$me:ident, $weak:ident $(, $arg:ident : $ty:ty)*| $body:block) => {{
            let w = Rc::downgrade(inner);
            k.$setter(move |$($arg: $ty),*| {
                if let Some(rc) = w.upgrade() {
                    let $weak = Rc::downgrade(&rc);
                    let mut guard = rc.borrow_mut();
                    let $me: &mut Inner = &mut guard;
                    $body
                    $me.activity(&$weak);
                }
            });
        }};
    }
    on!(on_start, |me, weak| { me.go_home() });
    on!(on_choose_flow, |me, weak, id: SharedString| {
        me.start_flow(&id)
    });
    on!(on_touched, |me, weak, id: SharedString| {
        me.feed(Event::Touched(id.to_string()))
    });
    on!(on_command, |me, weak, id: SharedString| { me.command(&id) });
    on!(on_key, |me, weak, key: SharedString| { me.key(&key) });
    on!(on_filter, |me, weak, letter: SharedString| {
        me.letter = letter.to_string();
        me.show_long_list();
    });
    on!(on_calendar_move, |me, weak, pages: i32| {
        if let Some(view) = me.calendar {
            me.calendar = Some(view.moved(pages));
            me.show_calendar();
        }
    });
    on!(on_finish, |me, weak| { me.go_attract() });
    on!(on_print_receipt, |me, weak| { me.print() });
    on!(on_still_here, |me, weak| { me.still_here() });
    on!(on_open_settings, |me, weak| {
        me.with_kiosk(|k| k.set_settings_open(true));
    });
    on!(on_close_settings, |me, weak| {
        me.with_kiosk(|k| k.set_settings_open(false));
    });
    on!(on_text_size, |me, weak, delta: i32| {
        let next = me.settings.text as i32 + delta.signum();
        me.settings.text = next.clamp(0, TEXT_SCALES.len() as i32 - 1) as usize;
        me.apply_settings();
        me.relayout();
    });
    on!(on_contrast, |me, weak, high: bool| {
        me.settings.contrast = high;
        me.apply_settings();
    });
    on!(on_speech_rate, |me, weak, delta: i32| {
        let next = me.settings.rate as i32 + delta.signum();
        me.settings.rate = next.clamp(0, RATES.len() as i32 - 1) as usize;
        me.apply_settings();
    });
    on!(on_change_volume, |me, weak, delta: i32| {
        let next = i32::from(me.settings.volume) + delta;
        me.settings.volume = next.clamp(0, 100) as u8;
        me.apply_settings();
    });
    on!(on_corner_held, |me, weak| { me.open_pin() });
    on!(on_supervisor_action, |me, weak, action: SharedString| {
        me.supervisor_action(&action)
    });
    on!(on_resized, |me, weak| { me.relayout() });
}

fn heard(inner: &Rc<RefCell<Inner>>, text: &str) {
    let weak = Rc::downgrade(inner);
    let mut me = inner.borrow_mut();
    me.with_kiosk(|k| {
        k.set_heard(SharedString::new());
        k.set_listening(false);
    });
    if me.idle_prompt_shown() {
        if matches_any(text, &YES_WORDS) {
            me.still_here();
            me.activity(&weak);
        }
        return;
    }
    match me.page {
        Page::Attract => {
            if matches_any(text, &WAKE_WORDS) {
                me.go_home();
            } else {
                me.listen_for_wake_word();
            }
        }
        Page::Home => me.home_heard(text),
        Page::Step => me.feed(Event::Heard(text.to_string())),
        Page::Done | Page::Pin | Page::Supervisor => {}
    }
    me.activity(&weak);
}

fn partial(inner: &Rc<RefCell<Inner>>, text: &str) {
    let weak = Rc::downgrade(inner);
    let mut me = inner.borrow_mut();
    me.activity(&weak);
    me.with_kiosk(|k| k.set_heard(text.into()));
}

fn no_speech(inner: &Rc<RefCell<Inner>>) {
    let mut me = inner.borrow_mut();
    me.with_kiosk(|k| {
        k.set_heard(SharedString::new());
        k.set_listening(false);
    });
    match me.page {
        Page::Step => me.feed(Event::Silence),
        Page::Attract => me.listen_for_wake_word(),
        Page::Home => {
            let grammar = me.home_grammar();
            me.listen(Some(grammar));
        }
        _ => {}
    }
}

fn speaking(inner: &Rc<RefCell<Inner>>, caption: &str) {
    let me = inner.borrow();
    me.set_caption(caption);
}

fn done_speaking(inner: &Rc<RefCell<Inner>>) {
    let weak = Rc::downgrade(inner);
    let mut me = inner.borrow_mut();
    // The idle time counts from the end of what the kiosk said.
    if !me.idle_prompt_shown() {
        me.activity(&weak);
    }
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

fn set_flows(inner: &Rc<RefCell<Inner>>, flows: Vec<Arc<Flow>>) {
    let mut me = inner.borrow_mut();
    me.menu = home_menu(flows.iter().map(|f| f.as_ref()));
    me.config.flows = flows;
    if me.page == Page::Home && me.session.is_none() {
        me.show_menu();
    }
}

/// An utterance that contains one of these words or phrases (case and accents as said).
fn matches_any(text: &str, words: &[&str]) -> bool {
    let text = text.to_lowercase();
    words.iter().any(|w| text.contains(w))
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

fn option_item(o: &ScreenOption) -> OptionItem {
    OptionItem {
        id: o.id.as_str().into(),
        label: o.label.as_str().into(),
        icon: pictograms::path_for(o.pictogram.as_deref()).into(),
    }
}

impl Inner {
    fn with_kiosk(&self, f: impl FnOnce(&Kiosk<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(&window.global::<Kiosk>());
        }
    }

    fn today(&self) -> NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn compact(&self) -> bool {
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

    fn set_page(&mut self, page: Page) {
        self.page = page;
        self.with_kiosk(|k| k.set_page(page));
    }

    fn listen(&mut self, phrases: Option<Vec<String>>) {
        self.voice.listen(phrases);
        self.with_kiosk(|k| k.set_listening(true));
    }

    fn say(&mut self, text: &str) {
        self.voice.say(text);
        self.set_caption(text);
    }

    /// Keeps the text being said; it is shown only by [`Inner::show_caption`].
    fn set_caption(&self, text: &str) {
        self.with_kiosk(|k| k.set_caption(text.into()));
    }

    /// Shows what was last said in the bubble: for what the screen does not already
    /// show (help, a call for help, a speech setting confirmed).
    fn show_caption(&self) {
        self.with_kiosk(|k| k.set_show_caption(true));
    }

    // ----- idle ---------------------------------------------------------------------

    /// Something happened: restart the idle timer (not on the attract screen).
    fn activity(&mut self, weak: &Weak<RefCell<Inner>>) {
        if matches!(self.page, Page::Attract | Page::Pin | Page::Supervisor) {
            self.idle.stop();
            return;
        }
        if self.idle_prompt_shown() {
            return;
        }
        let weak = weak.clone();
        self.idle
            .start(TimerMode::SingleShot, self.config.idle_timeout, move || {
                if let Some(rc) = weak.upgrade() {
                    let w = Rc::downgrade(&rc);
                    rc.borrow_mut().ask_if_still_there(w);
                }
            });
    }

    fn idle_prompt_shown(&self) -> bool {
        self.window
            .upgrade()
            .is_some_and(|w| w.global::<Kiosk>().get_idle_prompt())
    }

    fn ask_if_still_there(&mut self, weak: Weak<RefCell<Inner>>) {
        self.idle.stop();
        self.idle_left = self.config.idle_countdown.as_secs().max(1) as u32;
        let left = self.idle_left as i32;
        self.with_kiosk(|k| {
            k.set_idle_seconds(left);
            k.set_idle_prompt(true);
        });
        self.voice.stop_listening();
        self.say(STILL_THERE);
        let phrases = YES_WORDS.iter().map(|w| w.to_string()).collect();
        self.listen(Some(phrases));
        self.countdown
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                if let Some(rc) = weak.upgrade() {
                    rc.borrow_mut().tick();
                }
            });
    }

    fn tick(&mut self) {
        self.idle_left = self.idle_left.saturating_sub(1);
        let left = self.idle_left as i32;
        self.with_kiosk(|k| k.set_idle_seconds(left));
        if self.idle_left == 0 {
            tracing::info!("idle timeout: session wiped");
            self.go_attract();
        }
    }

    fn still_here(&mut self) {
        self.countdown.stop();
        self.with_kiosk(|k| k.set_idle_prompt(false));
        self.voice.stop_speaking();
        // Say the current moment again, and listen with its grammar.
        match (&mut self.session, self.page) {
            (Some(_), Page::Step) => self.feed(Event::Command(understand::Command::Repeat)),
            (_, Page::Home) => self.show_menu(),
            _ => {}
        }
    }

    // ----- pages --------------------------------------------------------------------

    /// Forgets everything about the person and shows the attract screen.
    fn go_attract(&mut self) {
        self.idle.stop();
        self.countdown.stop();
        self.session = None;
        self.screen = None;
        self.typed.clear();
        self.typed_for.clear();
        self.calendar = None;
        self.pin.clear();
        self.voice.stop_speaking();
        self.voice.stop_listening();
        self.settings.text = usize::from(self.config.text_size).min(TEXT_SCALES.len() - 1);
        self.settings.contrast = self.config.high_contrast;
        self.settings.rate = NORMAL_RATE;
        self.settings.volume = self.config.volume.min(100);
        self.apply_settings();
        self.with_kiosk(|k| {
            k.set_idle_prompt(false);
            k.set_settings_open(false);
            k.set_receipt(SharedString::new());
            k.set_step_text(SharedString::new());
            k.set_notice(SharedString::new());
            k.set_typed(SharedString::new());
            k.set_caption(SharedString::new());
            k.set_show_caption(false);
            k.set_heard(SharedString::new());
            k.set_progress_total(0);
        });
        self.set_page(Page::Attract);
        self.listen_for_wake_word();
    }

    fn listen_for_wake_word(&mut self) {
        self.listen(Some(WAKE_WORDS.iter().map(|w| w.to_string()).collect()));
    }

    fn go_home(&mut self) {
        self.session = None;
        self.screen = None;
        self.with_kiosk(|k| {
            k.set_progress_total(0);
            k.set_notice(SharedString::new());
            k.set_show_caption(false);
        });
        self.set_page(Page::Home);
        self.show_menu();
    }

    fn show_menu(&mut self) {
        let sections: Vec<MenuSection> = self
            .menu
            .sections
            .iter()
            .map(|s| MenuSection {
                heading: s.heading.as_str().into(),
                entries: model(
                    s.entries
                        .iter()
                        .map(|e| MenuItem {
                            flow_id: e.flow_id.as_str().into(),
                            title: e.title.as_str().into(),
                            icon: pictograms::path_for(e.pictogram.as_deref()).into(),
                        })
                        .collect(),
                ),
            })
            .collect();
        self.with_kiosk(|k| k.set_menu(model(sections)));
        let spoken = self.menu.spoken();
        self.say(&spoken);
        let grammar = self.home_grammar();
        self.listen(Some(grammar));
    }

    /// The flows as choices for understanding: the title, and the pictogram's words
    /// ("lampadaire", "salle des fêtes") as synonyms.
    fn home_options(&self) -> Vec<ChoiceOption> {
        self.menu
            .entries()
            .map(|e| {
                let mut option = ChoiceOption::new(&e.flow_id, &e.title, &[]);
                if let Some(p) = &e.pictogram {
                    option.synonyms.push(p.replace('-', " "));
                }
                option
            })
            .collect()
    }

    fn home_grammar(&self) -> Vec<String> {
        let options = self.home_options();
        understand::grammar_phrases(Expected::Choice(&options)).unwrap_or_default()
    }

    fn home_heard(&mut self, text: &str) {
        let options = self.home_options();
        let u = understand::understand(Expected::Choice(&options), text, self.today());
        match (u.value, u.command) {
            (Some(kiosk_flow::Value::Choice(id)), _) => self.start_flow(&id),
            (_, Some(understand::Command::Human)) => self.command("appeler"),
            (_, Some(understand::Command::Repeat | understand::Command::Help)) => self.show_menu(),
            _ => {
                self.say(HOME_NOT_UNDERSTOOD);
                let grammar = self.home_grammar();
                self.listen(Some(grammar));
            }
        }
    }

    fn start_flow(&mut self, flow_id: &str) {
        let Some(flow) = self.config.flows.iter().find(|f| f.id == flow_id).cloned() else {
            tracing::warn!(flow_id, "unknown flow chosen");
            return;
        };
        tracing::info!(flow_id, "session started");
        self.voice.stop_speaking();
        self.session = Some(Session::new(flow, self.today()));
        self.set_page(Page::Step);
        self.feed(Event::Start);
    }

    // ----- the flow -----------------------------------------------------------------

    /// Gives an event to the session and carries out its effects (and the store's answers).
    fn feed(&mut self, event: Event) {
        // Commands whose answer is said but not on screen get a caption.
        let command = match &event {
            Event::Command(c) => Some(*c),
            Event::Touched(_) => None,
            Event::Heard(text) => {
                understand::understand(Expected::YesNo, text, self.today()).command
            }
            _ => None,
        };
        let captioned = matches!(
            command,
            Some(
                understand::Command::Help
                    | understand::Command::Human
                    | understand::Command::Slower
                    | understand::Command::Louder
            )
        );
        self.feed_inner(event);
        if captioned && self.page == Page::Step {
            self.show_caption();
        }
    }

    fn feed_inner(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let Some(session) = self.session.as_mut() else {
                return;
            };
            for effect in session.handle(event) {
                match effect {
                    Effect::Show(screen) => self.show_screen(screen),
                    Effect::Say { text } => self.say(&text),
                    Effect::Listen { phrases } => self.listen(phrases),
                    Effect::Submit(submission) => queue.push_back(self.store(&submission)),
                    Effect::CallForHelp { flow_id, step_id } => {
                        self.call_for_help(&flow_id, &step_id)
                    }
                    Effect::AdjustSpeech { change } => {
                        match change {
                            SpeechChange::Slower => {
                                self.settings.rate = self.settings.rate.saturating_sub(1)
                            }
                            SpeechChange::Louder => {
                                self.settings.volume =
                                    self.settings.volume.saturating_add(15).min(100)
                            }
                        }
                        self.apply_settings();
                    }
                    Effect::Finished { outcome } => self.finished(outcome),
                }
            }
        }
    }

    fn store(&mut self, submission: &kiosk_flow::runtime::Submission) -> Event {
        let _span = tracing::info_span!("ui.submit", flow_id = %submission.flow_id).entered();
        match &self.storage {
            Storage::Preview => Event::Stored {
                receipt: SAMPLE_RECEIPT.to_string(),
            },
            Storage::Store(store) => match store.queue_submission(submission) {
                Ok(queued) => {
                    tracing::info!(id = %queued.id, "submission stored");
                    Event::Stored {
                        receipt: queued.receipt,
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "submission could not be stored");
                    Event::StoreFailed
                }
            },
        }
    }

    fn call_for_help(&mut self, flow_id: &str, step_id: &str) {
        let _span = tracing::info_span!("ui.call_for_help", flow_id, step_id).entered();
        if let Storage::Store(store) = &self.storage {
            match store.queue_help_call(flow_id, step_id) {
                Ok(_) => tracing::info!("call for help queued"),
                Err(error) => tracing::error!(%error, "call for help could not be stored"),
            }
        }
    }

    fn command(&mut self, id: &str) {
        if let (Some(_), Page::Step, Some(command)) = (
            &self.session,
            self.page,
            understand::Command::from_button_id(id),
        ) {
            self.feed(Event::Command(command));
        } else if id == "appeler" {
            self.call_for_help(HOME_HELP_FLOW, "menu");
            self.say(HELP_CALLED);
            self.show_caption();
        }
    }

    fn finished(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Submitted { receipt } => {
                tracing::info!(receipt = %receipt, "session finished: submitted");
                self.with_kiosk(|k| k.set_receipt(receipt.as_str().into()));
                self.set_page(Page::Done);
            }
            Outcome::Ended { step_id } => {
                tracing::info!(step_id, "session finished: end step");
                self.with_kiosk(|k| k.set_receipt(SharedString::new()));
                self.set_page(Page::Done);
            }
            Outcome::Cancelled => {
                tracing::info!("session cancelled");
                self.go_home();
            }
        }
    }

    fn print(&mut self) {
        let receipt = self
            .window
            .upgrade()
            .map(|w| w.global::<Kiosk>().get_receipt().to_string())
            .unwrap_or_default();
        let text = self
            .screen
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        if let Some(print) = self.on_print.as_mut() {
            print(&receipt, &text);
        }
    }

    /// Lays out a screen of the flow.
    fn show_screen(&mut self, screen: Screen) {
        if screen.step_id != self.typed_for {
            self.typed.clear();
            self.digits = false;
            self.letter = layouts::ALL_LETTERS.to_string();
            self.typed_for = screen.step_id.clone();
            self.calendar = None;
        }
        let input = match &screen.input {
            Input::Continue => InputKind::Next,
            Input::YesNo => InputKind::YesNo,
            Input::Choice if screen.options.len() > layouts::LONG_LIST => InputKind::LongList,
            Input::Choice => InputKind::Choice,
            Input::Number { .. } => InputKind::Number,
            Input::Phone => InputKind::Phone,
            Input::Email => InputKind::Email,
            Input::Text { .. } => InputKind::Text,
            Input::Date { .. } => InputKind::Date,
            Input::Time { .. } => InputKind::Time,
            Input::Nothing => InputKind::None,
        };
        let hint = match &screen.input {
            Input::Number { min, max } => format!("Un nombre de {min} à {max}."),
            _ => String::new(),
        };
        self.with_kiosk(|k| {
            k.set_flow_title(screen.flow_title.as_str().into());
            k.set_step_text(screen.text.as_str().into());
            k.set_notice(screen.notice.clone().unwrap_or_default().into());
            k.set_show_caption(false);
            k.set_step_icon(pictograms::path_for(screen.pictogram.as_deref()).into());
            k.set_input(input);
            k.set_options(model(screen.options.iter().map(option_item).collect()));
            k.set_summary(model(
                screen
                    .summary
                    .iter()
                    .map(|l| SummaryItem {
                        label: l.label.as_str().into(),
                        value: l.value.as_str().into(),
                    })
                    .collect(),
            ));
            k.set_progress_current(screen.progress.current as i32);
            k.set_progress_total(screen.progress.total as i32);
            k.set_can_go_back(screen.can_go_back);
            k.set_hint(hint.into());
        });
        self.screen = Some(screen);
        self.relayout();
    }

    /// Lays out the size-dependent parts of the current input again.
    fn relayout(&mut self) {
        let Some(screen) = self.screen.clone() else {
            if self.page == Page::Pin {
                self.set_keys(layouts::pin_pad());
            }
            return;
        };
        let compact = self.compact();
        match &screen.input {
            Input::Number { .. } | Input::Phone => self.set_keys(layouts::numeric(compact)),
            Input::Email => self.set_keys(layouts::keyboard(true, self.digits)),
            Input::Text { .. } => self.set_keys(layouts::keyboard(false, self.digits)),
            Input::Choice if screen.options.len() > layouts::LONG_LIST => self.show_long_list(),
            Input::Date { earliest, latest } => {
                let today = self.today();
                let view = match self.calendar {
                    Some(view) if view.weeks == if compact { 3 } else { 5 } => view,
                    _ => CalendarView::new(*earliest, *latest, today, compact),
                };
                self.calendar = Some(view);
                self.show_calendar();
            }
            Input::Time { earliest, latest } => {
                let slots = layouts::time_slots(earliest, latest);
                self.with_kiosk(|k| k.set_slots(model(slots)));
            }
            _ => {}
        }
        if self.page == Page::Pin {
            self.set_keys(layouts::pin_pad());
        }
        self.show_typed();
    }

    fn set_keys(&self, layout: KeyLayout) {
        self.with_kiosk(|k| {
            k.set_keys(model(layout.keys));
            k.set_key_columns(layout.columns);
            k.set_key_rows(layout.rows);
            k.set_key_display(layout.display);
        });
    }

    fn show_long_list(&mut self) {
        let Some(screen) = &self.screen else { return };
        let letters = layouts::letters(screen.options.iter().map(|o| o.label.clone()));
        let shown: Vec<OptionItem> = screen
            .options
            .iter()
            .filter(|o| {
                self.letter == layouts::ALL_LETTERS || layouts::initial(&o.label) == self.letter
            })
            .map(option_item)
            .collect();
        let letter = self.letter.clone();
        self.with_kiosk(|k| {
            k.set_letters(model(letters.into_iter().map(SharedString::from).collect()));
            k.set_letter(letter.into());
            k.set_shown_options(model(shown));
        });
    }

    fn show_calendar(&self) {
        let Some(view) = self.calendar else { return };
        self.with_kiosk(|k| {
            k.set_weekdays(model(
                layouts::WEEKDAYS
                    .iter()
                    .map(|d| SharedString::from(*d))
                    .collect(),
            ));
            k.set_days(model(view.cells()));
            k.set_day_rows(view.weeks as i32);
            k.set_can_go_earlier(view.can_go_earlier());
            k.set_can_go_later(view.can_go_later());
        });
    }

    fn show_typed(&self) {
        let shown = match self.screen.as_ref().map(|s| &s.input) {
            Some(Input::Phone) => layouts::phone_display(&self.typed),
            _ => self.typed.clone(),
        };
        self.with_kiosk(|k| k.set_typed(shown.into()));
    }

    /// A key of the keypad or keyboard (or of the PIN pad).
    fn key(&mut self, key: &str) {
        if self.page == Page::Pin {
            return self.pin_key(key);
        }
        let Some(input) = self.screen.as_ref().map(|s| s.input.clone()) else {
            return;
        };
        let limit = match input {
            Input::Number { min, max } => layouts::number_digits(min, max),
            Input::Phone => 10,
            Input::Email => 254,
            Input::Text { max_length } => max_length,
            _ => return,
        };
        match key {
            layouts::ERASE => {
                self.typed.pop();
            }
            layouts::VALIDATE => {
                let value = self.typed.trim().to_string();
                if !value.is_empty() {
                    self.feed(Event::Touched(value));
                }
                return;
            }
            layouts::DIGITS | layouts::LETTERS => {
                self.digits = key == layouts::DIGITS;
                self.relayout();
                return;
            }
            layouts::SPACE => {
                if !self.typed.is_empty() && !self.typed.ends_with(' ') {
                    self.typed.push(' ');
                }
            }
            other => {
                let digits_only = matches!(input, Input::Number { .. } | Input::Phone);
                if digits_only && !other.chars().all(|c| c.is_ascii_digit()) {
                    return;
                }
                if self.typed.chars().count() + other.chars().count() <= limit {
                    self.typed.push_str(other);
                }
            }
        }
        self.show_typed();
    }

    // ----- settings -----------------------------------------------------------------

    fn apply_settings(&mut self) {
        let (scale, size_label) = TEXT_SCALES[self.settings.text];
        let (rate, rate_label) = RATES[self.settings.rate];
        let volume = self.settings.volume;
        let contrast = self.settings.contrast;
        self.voice.set_rate(rate);
        self.voice.set_volume(volume);
        if let Some(window) = self.window.upgrade() {
            let theme = window.global::<Theme>();
            theme.set_text_scale(scale);
            theme.set_high_contrast(contrast);
            let k = window.global::<Kiosk>();
            k.set_text_size_label(size_label.into());
            k.set_speech_label(rate_label.into());
            k.set_volume(i32::from(volume));
        }
    }

    // ----- supervisor ---------------------------------------------------------------

    fn open_pin(&mut self) {
        if matches!(self.page, Page::Pin | Page::Supervisor) {
            return;
        }
        tracing::info!("supervisor PIN asked");
        self.idle.stop();
        self.countdown.stop();
        self.before_supervisor = self.page;
        self.pin.clear();
        self.with_kiosk(|k| {
            k.set_pin_dots(SharedString::new());
            k.set_pin_message(SharedString::new());
            k.set_idle_prompt(false);
            k.set_settings_open(false);
        });
        self.set_page(Page::Pin);
        self.set_keys(layouts::pin_pad());
    }

    fn pin_key(&mut self, key: &str) {
        match key {
            layouts::ERASE => {
                self.pin.pop();
            }
            layouts::VALIDATE => {
                let expected = self.config.supervisor_pin.as_bytes();
                let given = self.pin.as_bytes();
                // Same time whatever the first wrong digit.
                let same = !expected.is_empty()
                    && expected.len() == given.len()
                    && expected
                        .iter()
                        .zip(given)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                self.pin.clear();
                if same {
                    tracing::info!("supervisor mode opened");
                    self.with_kiosk(|k| k.set_test_result(SharedString::new()));
                    self.set_page(Page::Supervisor);
                    self.show_status();
                } else {
                    tracing::warn!("wrong supervisor PIN");
                    self.with_kiosk(|k| k.set_pin_message("Code incorrect. Réessayez.".into()));
                }
            }
            digit
                if digit.len() == 1
                    && digit.chars().all(|c| c.is_ascii_digit())
                    && self.pin.len() < 12 =>
            {
                self.pin.push_str(digit);
            }
            _ => {}
        }
        let dots = "●".repeat(self.pin.len());
        self.with_kiosk(|k| k.set_pin_dots(dots.into()));
    }

    fn show_status(&mut self) {
        let mut status = self.status.clone();
        if let Storage::Store(store) = &self.storage {
            match store.pending_count() {
                Ok(n) => status.queue_length = Some(n),
                Err(error) => tracing::warn!(%error, "queue length unknown"),
            }
        }
        let lines: Vec<StatusLine> = status
            .lines()
            .into_iter()
            .map(|l| StatusLine {
                label: l.label.into(),
                value: l.value.into(),
                ok: l.ok,
            })
            .collect();
        self.with_kiosk(|k| k.set_status(model(lines)));
    }

    fn supervisor_action(&mut self, action: &str) {
        match action {
            "micro" => self.voice.test_microphone(),
            "haut-parleur" => self.voice.test_speaker(),
            "recommencer" => {
                tracing::info!("session restarted by an ambassador");
                self.go_attract();
            }
            "fermer" => {
                let back = self.before_supervisor;
                self.pin.clear();
                self.set_page(back);
                if back == Page::Pin || back == Page::Supervisor {
                    self.go_attract();
                } else if back != Page::Attract {
                    // Give the idle timer a fresh start.
                    self.relayout();
                }
            }
            other => tracing::debug!(action = other, "unknown supervisor action"),
        }
    }
}
