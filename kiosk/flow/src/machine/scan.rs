//! One-button mode's scan: what can be chosen on the screen, in the order the kiosk highlights
//! it, as a tree (letter groups, then names; keyboard groups, then keys; months, then days).
//!
//! The machine builds a [`Scan`] from every view it shows while the mode is on, moves the
//! highlight one item at each tick of its timer and, on a press of « Parler », opens the group
//! highlighted or carries out the item (a touch, a command button, a key). The view carries a
//! [`ScanView`] so that every host draws the focus on the item highlighted.

use super::view::{PageView, View};
use crate::calendar::{time_slots, DaysAllowed};
use crate::letters;
use crate::load::CONFIRM_CHOICES;
use crate::model::display;
use crate::runtime::{Input, Screen};
use crate::understand::Command;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::time::Duration;

/// The scan as the screen shows it: the items of the level being scanned and the one
/// highlighted (a thick focus ring on screen, its label said aloud).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanView {
    /// What is being chosen: « Choisissez », or the group opened (« A à C », « Autres boutons »).
    pub title: String,
    pub items: Vec<ScanItem>,
    pub highlighted: usize,
    /// What is written so far with the scanned keyboard or keypad (text, number, phone, code).
    pub typed: Option<String>,
    /// In a long list, the letter group opened (its label as the touchscreen's letter filter
    /// shows it, e.g. « A–C »): the screen shows the names of that group only.
    pub letter_group: Option<String>,
}

impl ScanView {
    /// The item highlighted.
    pub fn current(&self) -> Option<&ScanItem> {
        self.items.get(self.highlighted)
    }
}

/// One item of the scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanItem {
    /// What it is on screen: an option's or tile's id (`oui`, `eclairage-public`, `suivant`),
    /// a command button's id (`repeter`, `aide`…), or an item only the scan has: a group
    /// (`groupe:…`; a long list's letter group is `groupe:` and the filter's label), a key
    /// (`touche:a`, `touche:effacer`, `touche:valider`) or `revenir` (out of a group).
    pub id: String,
    /// Shown and said.
    pub label: String,
    /// Choosing it opens a group of items.
    pub group: bool,
}

/// The id of the « Autres boutons » group: the command buttons.
pub const COMMANDS_GROUP: &str = "groupe:autres";
/// The id of the item that leaves a group.
pub const UP: &str = "revenir";
/// The id of the one item of the offer to turn one-button mode on.
pub const OFFER_ITEM: &str = "activer-un-bouton";
/// The id of the one item of « Vous êtes toujours là ? ».
pub const STILL_HERE_ITEM: &str = "toujours-la";

/// No level of the scan holds more items than this: longer runs are cut into groups.
const MAX_LEVEL: usize = 12;
/// How many groups of letters a long list is scanned in (the compact letter filter's).
const SCAN_LETTER_GROUPS: usize = letters::COMPACT_LETTER_GROUPS;

/// What choosing an item does.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    /// A touch on the screen (the attract screen).
    Tap,
    Touch(String),
    Command(Command),
    Print,
    /// Adds a character to what is written.
    Type(char),
    Erase,
    /// Sends what is written, as if typed on the keypad or keyboard.
    SendTyped,
    /// Leaves the group.
    Up,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Target {
    Item {
        id: String,
        label: String,
        action: Action,
    },
    Group {
        id: String,
        label: String,
        /// The letter filter's label, for a long list's letter group.
        letters: Option<String>,
        children: Vec<Target>,
    },
}

impl Target {
    fn item(id: impl Into<String>, label: impl Into<String>, action: Action) -> Target {
        Target::Item {
            id: id.into(),
            label: label.into(),
            action,
        }
    }

    fn group(id: impl Into<String>, label: impl Into<String>, children: Vec<Target>) -> Target {
        Target::Group {
            id: id.into(),
            label: label.into(),
            letters: None,
            children,
        }
    }

    fn label(&self) -> &str {
        match self {
            Target::Item { label, .. } | Target::Group { label, .. } => label,
        }
    }

    fn shown(&self) -> ScanItem {
        match self {
            Target::Item { id, label, .. } => ScanItem {
                id: id.clone(),
                label: label.clone(),
                group: false,
            },
            Target::Group { id, label, .. } => ScanItem {
                id: id.clone(),
                label: label.clone(),
                group: true,
            },
        }
    }
}

/// Which screen a scan belongs to: the same screen shown again (a tile toggled, a notice, the
/// voice coming back) keeps the highlight where it was.
#[derive(Debug, Clone, PartialEq)]
struct ScanKey {
    page: &'static str,
    step: String,
    text: String,
    input: &'static str,
    items: Vec<String>,
}

/// The scan of the screen shown.
#[derive(Debug, Clone)]
pub(super) struct Scan {
    key: ScanKey,
    root: Vec<Target>,
    /// The groups opened, from the top.
    path: Vec<usize>,
    index: usize,
    /// What is written with the scanned keyboard, when the screen asks for typing.
    typed: Option<String>,
    /// How long the scan has run since the last press: the page's own time-out (idle, end
    /// screen) counts in scan steps.
    pub(super) elapsed: Duration,
}

/// What a press of « Parler » chose.
pub(super) enum Chosen {
    /// The scan moved (a group opened or closed, a key typed): show it again.
    Moved,
    /// Something to do: the same as a touch or a command button.
    Do(Action),
    /// « Valider » with nothing written.
    NothingTyped,
}

impl Scan {
    /// The scan of a view; `None` when nothing on it can be chosen (PIN pad, waiting).
    pub(super) fn of(view: &View, printer: bool, today: NaiveDate) -> Option<Scan> {
        let (key, root, typing) = match &view.page {
            PageView::Attract { .. } => (
                key("attract", "", "", "", Vec::new()),
                vec![Target::item("commencer", "Commencer", Action::Tap)],
                false,
            ),
            PageView::Home(home) => {
                let mut root: Vec<Target> = home
                    .tiles
                    .iter()
                    .map(|t| Target::item(&t.id, &t.label, Action::Touch(t.id.clone())))
                    .collect();
                root.push(commands(home.can_go_back, false));
                let ids = home.tiles.iter().map(|t| t.id.clone()).collect();
                (key("home", "", &home.title, "", ids), root, false)
            }
            PageView::Step(screen) => {
                let (mut root, typing) = step_targets(screen, today)?;
                if screen.can_skip {
                    root.push(command_item(Command::Skip, "Passer"));
                }
                root.push(commands(screen.can_go_back, true));
                let ids = screen.options.iter().map(|o| o.id.clone()).collect();
                let k = key(
                    "step",
                    &screen.step_id,
                    &screen.text,
                    input_name(&screen.input),
                    ids,
                );
                (k, root, typing)
            }
            PageView::Done { text, .. } => {
                let mut root = vec![Target::item(
                    "terminer",
                    "Terminer",
                    Action::Touch("terminer".into()),
                )];
                if printer {
                    root.push(Target::item("imprimer", "Imprimer", Action::Print));
                }
                root.push(Target::group(
                    COMMANDS_GROUP,
                    "Autres boutons",
                    vec![
                        command_item(Command::Repeat, "Répéter"),
                        command_item(Command::Human, "Appeler quelqu'un"),
                    ],
                ));
                (key("done", "", text, "", Vec::new()), root, false)
            }
            PageView::Pin { .. } | PageView::Supervisor { .. } => return None,
        };
        Some(Scan {
            key,
            root,
            path: Vec::new(),
            index: 0,
            typed: typing.then(String::new),
            elapsed: Duration::ZERO,
        })
    }

    /// The same screen as `self` (shown again): the highlight stays.
    pub(super) fn same_screen(&self, other: &Scan) -> bool {
        self.key == other.key
    }

    /// Takes the new targets of the same screen (a tile toggled), keeping the highlight when
    /// it still exists.
    pub(super) fn refresh(&mut self, newer: Scan) {
        self.root = newer.root;
        if self.level_targets().is_none() {
            self.back_to_top();
        }
        let len = self.level().len();
        if self.index >= len {
            self.index = 0;
        }
    }

    pub(super) fn back_to_top(&mut self) {
        self.path.clear();
        self.index = 0;
    }

    fn level_targets(&self) -> Option<&Vec<Target>> {
        let mut level = &self.root;
        for &i in &self.path {
            match level.get(i) {
                Some(Target::Group { children, .. }) => level = children,
                _ => return None,
            }
        }
        Some(level)
    }

    /// The items of the level scanned: a group's items end with « Revenir ».
    fn level(&self) -> Vec<Target> {
        let mut items = self.level_targets().cloned().unwrap_or_default();
        if !self.path.is_empty() {
            items.push(Target::item(UP, "Revenir", Action::Up));
        }
        items
    }

    /// The next item (back to the first after the last).
    pub(super) fn advance(&mut self) {
        let len = self.level().len().max(1);
        self.index = (self.index + 1) % len;
    }

    /// The label of the item highlighted, to say.
    pub(super) fn spoken(&self) -> String {
        self.level()
            .get(self.index)
            .map(|t| t.label().to_string())
            .unwrap_or_default()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    /// « Parler » pressed on the item highlighted.
    pub(super) fn choose(&mut self) -> Chosen {
        let level = self.level();
        let Some(target) = level.get(self.index).cloned() else {
            return Chosen::Moved;
        };
        match target {
            Target::Group { .. } => {
                self.path.push(self.index);
                self.index = 0;
                Chosen::Moved
            }
            Target::Item { action, .. } => match action {
                Action::Up => {
                    self.index = self.path.pop().unwrap_or(0);
                    Chosen::Moved
                }
                Action::Type(c) => {
                    if let Some(typed) = &mut self.typed {
                        typed.push(c);
                    }
                    self.back_to_top();
                    Chosen::Moved
                }
                Action::Erase => {
                    if let Some(typed) = &mut self.typed {
                        typed.pop();
                    }
                    Chosen::Moved
                }
                Action::SendTyped => match self.typed.as_deref().map(str::trim) {
                    Some(typed) if !typed.is_empty() => {
                        Chosen::Do(Action::Touch(typed.to_string()))
                    }
                    _ => Chosen::NothingTyped,
                },
                Action::Command(command) => {
                    // After a command the scan starts again from the top of the screen.
                    self.back_to_top();
                    Chosen::Do(Action::Command(command))
                }
                action => Chosen::Do(action),
            },
        }
    }

    /// What the screen shows of the scan.
    pub(super) fn view(&self) -> ScanView {
        let mut title = "Choisissez".to_string();
        let mut letter_group = None;
        let mut level = &self.root;
        for &i in &self.path {
            if let Some(Target::Group {
                label,
                letters,
                children,
                ..
            }) = level.get(i)
            {
                title = label.clone();
                if letters.is_some() {
                    letter_group = letters.clone();
                }
                level = children;
            }
        }
        ScanView {
            title,
            items: self.level().iter().map(Target::shown).collect(),
            highlighted: self.index,
            typed: self.typed.clone(),
            letter_group,
        }
    }
}

fn key(
    page: &'static str,
    step: &str,
    text: &str,
    input: &'static str,
    items: Vec<String>,
) -> ScanKey {
    ScanKey {
        page,
        step: step.to_string(),
        text: text.to_string(),
        input,
        items,
    }
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Continue => "continue",
        Input::YesNo => "yes_no",
        Input::Choice => "choice",
        Input::Choices { .. } => "choices",
        Input::Number { .. } => "number",
        Input::Phone => "phone",
        Input::Email => "email",
        Input::Text { .. } => "text",
        Input::Date { .. } => "date",
        Input::Time { .. } => "time",
        Input::PrivacyNotice { .. } => "notice",
        Input::ReceiptCode => "receipt",
        Input::Nothing => "nothing",
    }
}

fn command_item(command: Command, label: &str) -> Target {
    Target::item(command.button_id(), label, Action::Command(command))
}

/// The command buttons, in one group at the end of every screen (they are rarely needed, and
/// scanning them at every turn would make each choice slower).
fn commands(can_go_back: bool, in_flow: bool) -> Target {
    let mut items = vec![command_item(Command::Repeat, "Répéter")];
    if can_go_back {
        items.push(command_item(Command::Back, "Retour"));
    }
    items.push(command_item(Command::Help, "Aide"));
    if in_flow {
        items.push(command_item(Command::Restart, "Recommencer"));
    }
    items.push(command_item(Command::Human, "Appeler quelqu'un"));
    items.push(command_item(Command::Cancel, "Arrêter"));
    Target::group(COMMANDS_GROUP, "Autres boutons", items)
}

/// The targets of a step's input, and whether it is typed (keyboard or keypad). `None`: the
/// step waits (nothing to choose but nothing to scan either).
fn step_targets(screen: &Screen, today: NaiveDate) -> Option<(Vec<Target>, bool)> {
    let options = || -> Vec<Target> {
        screen
            .options
            .iter()
            .map(|o| Target::item(&o.id, &o.label, Action::Touch(o.id.clone())))
            .collect()
    };
    Some(match &screen.input {
        Input::Nothing => return None,
        Input::Continue if screen.options.is_empty() => (
            vec![Target::item(
                "suivant",
                "Suivant",
                Action::Touch("suivant".into()),
            )],
            false,
        ),
        Input::YesNo if screen.options.is_empty() => (
            vec![
                Target::item("oui", "Oui", Action::Touch("oui".into())),
                Target::item("non", "Non", Action::Touch("non".into())),
            ],
            false,
        ),
        Input::Continue | Input::YesNo | Input::PrivacyNotice { .. } => (options(), false),
        Input::Choice => (long_list(screen, options()), false),
        Input::Choices { selected, .. } => {
            let mut targets: Vec<Target> = screen
                .options
                .iter()
                .map(|o| {
                    let label = match selected.contains(&o.id) {
                        true => format!("{}, choisi", o.label),
                        false => o.label.clone(),
                    };
                    Target::item(&o.id, label, Action::Touch(o.id.clone()))
                })
                .collect();
            targets = long_list(screen, targets);
            targets.push(Target::item(
                CONFIRM_CHOICES,
                "Valider",
                Action::Touch(CONFIRM_CHOICES.into()),
            ));
            (targets, false)
        }
        Input::Number { min, .. } => (keypad(*min < 0), true),
        Input::Phone => (keypad(false), true),
        Input::Text { .. } => (keyboard(Keyboard::Text), true),
        Input::Email => (keyboard(Keyboard::Email), true),
        Input::ReceiptCode => (keyboard(Keyboard::Code), true),
        Input::Date {
            earliest,
            latest,
            allowed,
        } => (days(*earliest, *latest, allowed, today), false),
        Input::Time { earliest, latest } => {
            let slots = time_slots(earliest, latest)
                .into_iter()
                .map(|s| Target::item(&s.id, &s.label, Action::Touch(s.id.clone())))
                .collect();
            (cut(slots), false)
        }
    })
}

/// A long list (the 96 communes) is scanned by the touchscreen's letter groups, then names.
fn long_list(screen: &Screen, targets: Vec<Target>) -> Vec<Target> {
    if !letters::needs_letter_filter(screen.options.iter().map(|o| o.label.as_str())) {
        return cut(targets);
    }
    let labels = screen.options.iter().map(|o| o.label.clone());
    letters::letter_groups(labels, SCAN_LETTER_GROUPS)
        .into_iter()
        .map(|group| {
            let children: Vec<Target> = screen
                .options
                .iter()
                .zip(&targets)
                .filter(|(o, _)| group.contains(&letters::initial(&o.label)))
                .map(|(_, t)| t.clone())
                .collect();
            let spoken = match (group.initials.first(), group.initials.last()) {
                (Some(a), Some(b)) if a != b => format!("De {a} à {b}"),
                (Some(a), _) => format!("Lettre {a}"),
                _ => String::new(),
            };
            Target::Group {
                id: format!("groupe:{}", group.label),
                label: spoken,
                letters: Some(group.label),
                children: cut(children),
            }
        })
        .collect()
}

/// Runs longer than [`MAX_LEVEL`] cut into groups named by their first and last items.
fn cut(targets: Vec<Target>) -> Vec<Target> {
    if targets.len() <= MAX_LEVEL {
        return targets;
    }
    let groups = targets.len().div_ceil(MAX_LEVEL - 2);
    let size = targets.len().div_ceil(groups);
    let grouped: Vec<Target> = targets
        .chunks(size)
        .map(|chunk| {
            let first = chunk.first().map(Target::label).unwrap_or_default();
            let last = chunk.last().map(Target::label).unwrap_or_default();
            let label = format!("De {first} à {last}");
            Target::group(format!("groupe:{label}"), label, chunk.to_vec())
        })
        .collect();
    cut(grouped)
}

fn keypad(negative: bool) -> Vec<Target> {
    let mut keys: Vec<Target> = ('0'..='9')
        .map(|d| Target::item(format!("touche:{d}"), d.to_string(), Action::Type(d)))
        .collect();
    if negative {
        keys.push(Target::item("touche:-", "Moins", Action::Type('-')));
    }
    keys.push(erase());
    keys.push(send());
    keys
}

fn erase() -> Target {
    Target::item("touche:effacer", "Effacer", Action::Erase)
}

fn send() -> Target {
    Target::item("touche:valider", "Valider", Action::SendTyped)
}

#[derive(Clone, Copy, PartialEq)]
enum Keyboard {
    Text,
    Email,
    Code,
}

/// A keyboard scanned by groups of letters, then letters: six steps at most to any letter.
fn keyboard(kind: Keyboard) -> Vec<Target> {
    const ROWS: [&str; 4] = ["abcdef", "ghijkl", "mnopqr", "stuvwxyz"];
    let key = |c: char| {
        let (id, label) = match c {
            ' ' => ("touche:espace".to_string(), "Espace".to_string()),
            '\'' => ("touche:apostrophe".to_string(), "Apostrophe".to_string()),
            '-' => ("touche:tiret".to_string(), "Tiret".to_string()),
            '@' => ("touche:arobase".to_string(), "Arobase".to_string()),
            '.' => ("touche:point".to_string(), "Point".to_string()),
            ',' => ("touche:virgule".to_string(), "Virgule".to_string()),
            '_' => ("touche:souligne".to_string(), "Tiret bas".to_string()),
            c if kind == Keyboard::Code => (format!("touche:{c}"), c.to_uppercase().to_string()),
            c => (format!("touche:{c}"), c.to_string()),
        };
        Target::item(id, label, Action::Type(c))
    };
    let mut targets: Vec<Target> = ROWS
        .iter()
        .map(|row| {
            let first = row.chars().next().unwrap_or('a').to_ascii_uppercase();
            let last = row.chars().last().unwrap_or('z').to_ascii_uppercase();
            let label = format!("De {first} à {last}");
            Target::group(
                format!("groupe:{first}-{last}"),
                label,
                row.chars().map(key).collect(),
            )
        })
        .collect();
    let signs: &[char] = match kind {
        Keyboard::Text => &[' ', '\'', '-', ',', '.'],
        Keyboard::Email => &['@', '.', '-', '_'],
        Keyboard::Code => &[],
    };
    if kind == Keyboard::Text {
        // The space is the most frequent key after letters: at the top level.
        targets.push(key(' '));
    }
    targets.push(Target::group(
        "groupe:chiffres",
        "Chiffres",
        ('0'..='9').map(key).collect(),
    ));
    let signs: Vec<Target> = signs
        .iter()
        .filter(|c| **c != ' ')
        .map(|c| key(*c))
        .collect();
    if !signs.is_empty() {
        targets.push(Target::group("groupe:signes", "Signes", signs));
    }
    targets.push(erase());
    targets.push(send());
    targets
}

/// A month (0-based) and its accepted days.
type MonthDays = (u32, Vec<NaiveDate>);
/// A year and its months.
type YearDays = (i32, Vec<MonthDays>);

/// A date: the accepted days, by year, then month, then runs of days. A question without
/// bounds scans from a hundred years ago to five years ahead.
fn days(
    earliest: Option<NaiveDate>,
    latest: Option<NaiveDate>,
    allowed: &DaysAllowed,
    today: NaiveDate,
) -> Vec<Target> {
    let first = earliest
        .or_else(|| today.checked_sub_months(Months::new(12 * 100)))
        .unwrap_or(today);
    let last = latest
        .or_else(|| today.checked_add_months(Months::new(12 * 5)))
        .unwrap_or(today);
    let mut years: Vec<YearDays> = Vec::new();
    let mut day = first;
    while day <= last {
        if allowed.allows_within(day, earliest, latest) {
            if years.last().map(|(y, _)| *y) != Some(day.year()) {
                years.push((day.year(), Vec::new()));
            }
            if let Some((_, months)) = years.last_mut() {
                if months.last().map(|(m, _)| *m) != Some(day.month0()) {
                    months.push((day.month0(), Vec::new()));
                }
                if let Some((_, days)) = months.last_mut() {
                    days.push(day);
                }
            }
        }
        match day.checked_add_days(Days::new(1)) {
            Some(next) => day = next,
            None => break,
        }
    }
    let several_years = years.len() > 1;
    let month_group = |year: i32, month0: u32, days: Vec<NaiveDate>| {
        let name = display::MONTHS[month0 as usize];
        let label = match several_years {
            true => format!("{name} {year}"),
            false => name.to_string(),
        };
        let items = days
            .into_iter()
            .map(|d| {
                let id = d.format("%Y-%m-%d").to_string();
                let label = display::date(d);
                Target::item(id.clone(), label, Action::Touch(id))
            })
            .collect();
        Target::group(format!("groupe:{year}-{}", month0 + 1), label, cut(items))
    };
    let mut by_year: Vec<Target> = years
        .into_iter()
        .map(|(year, months)| {
            let months: Vec<Target> = months
                .into_iter()
                .map(|(m, d)| month_group(year, m, d))
                .collect();
            Target::group(format!("groupe:{year}"), year.to_string(), months)
        })
        .collect();
    match by_year.len() {
        // One year: its months straight away.
        1 => match by_year.pop() {
            Some(Target::Group { children, .. }) => cut(children),
            _ => Vec::new(),
        },
        _ => cut(by_year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn depth_to(targets: &[Target], id: &str) -> Option<usize> {
        targets.iter().enumerate().find_map(|(i, t)| match t {
            Target::Item { id: x, .. } if x == id => Some(i + 1),
            Target::Group { children, .. } => depth_to(children, id).map(|n| n + i + 1),
            _ => None,
        })
    }

    #[test]
    fn no_level_is_longer_than_the_bound_and_every_day_is_reachable() {
        let targets = days(
            Some(d("2026-12-01")),
            Some(d("2028-06-30")),
            &DaysAllowed::default(),
            d("2026-12-01"),
        );
        fn check(level: &[Target]) {
            assert!(level.len() <= MAX_LEVEL, "{} items", level.len());
            for t in level {
                if let Target::Group { children, .. } = t {
                    check(children);
                }
            }
        }
        check(&targets);
        assert!(depth_to(&targets, "2028-06-30").is_some());
        assert!(depth_to(&targets, "2026-12-01").is_some());
        assert!(depth_to(&targets, "2028-07-01").is_none());
    }

    #[test]
    fn the_keyboard_reaches_every_letter_in_few_steps() {
        let keys = keyboard(Keyboard::Text);
        for c in 'a'..='z' {
            let steps = depth_to(&keys, &format!("touche:{c}")).unwrap();
            assert!(steps <= 12, "{c}: {steps}");
        }
        assert!(depth_to(&keys, "touche:espace").is_some());
        assert!(depth_to(&keyboard(Keyboard::Email), "touche:arobase").is_some());
    }
}
