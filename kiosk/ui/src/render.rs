//! Pure layout of the kiosk window: the machine's views and the flow's screens laid out on
//! the Slint component (keypads, long lists, calendars, what is being typed).

use crate::controller::{model, option_item, Inner};
use crate::generated::{Focus, InputKind, Kiosk, OptionItem, Page, SummaryItem};
use crate::layouts::{self, CalendarView, KeyLayout};
use crate::pictograms;
use kiosk_flow::machine::{PageView, ScanView, View};
use kiosk_flow::runtime::{Input, Screen};
use slint::{ComponentHandle, SharedString, TimerMode};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

impl Inner {
    /// Lays out a view of the machine.
    pub(crate) fn show(&mut self, view: View, inner: &Rc<RefCell<Inner>>) {
        self.with_kiosk(|k| {
            k.set_hearing(view.hearing);
            if !view.hearing {
                k.set_listening(false);
            }
        });
        self.show_scan(view.scan.as_deref());
        self.show_idle_prompt(view.idle_prompt, inner);
        if view.idle_prompt.is_some() {
            return;
        }
        match view.page {
            PageView::Attract { .. } => {
                self.screen = None;
                self.typed.clear();
                self.typed_for.clear();
                self.calendar = None;
                self.with_kiosk(|k| {
                    k.set_settings_open(false);
                    k.set_receipt(SharedString::new());
                    k.set_step_text(SharedString::new());
                    k.set_notice(SharedString::new());
                    k.set_typed(SharedString::new());
                    k.set_caption(SharedString::new());
                    k.set_show_caption(false);
                    k.set_heard(SharedString::new());
                    k.set_progress_total(0);
                    k.set_pin_dots(SharedString::new());
                    k.set_pin_message(SharedString::new());
                    k.set_test_result(SharedString::new());
                });
                self.set_page(Page::Attract);
            }
            PageView::Home(home) => {
                self.screen = None;
                self.with_kiosk(|k| {
                    k.set_progress_total(0);
                    k.set_home_title(home.title.as_str().into());
                    k.set_home_can_go_back(home.can_go_back);
                    k.set_notice(home.notice.clone().unwrap_or_default().into());
                    k.set_show_caption(false);
                    k.set_tiles(model(
                        home.tiles
                            .iter()
                            .map(|t| OptionItem {
                                id: t.id.as_str().into(),
                                label: t.label.as_str().into(),
                                icon: pictograms::path_for(t.pictogram.as_deref()).into(),
                                selected: false,
                            })
                            .collect(),
                    ));
                });
                self.set_page(Page::Home);
            }
            PageView::Step(screen) => {
                self.set_page(Page::Step);
                self.show_screen(screen);
            }
            PageView::Done { text, receipt } => {
                // `screen` keeps the flow's last step (its id names the end, for screenshots).
                self.with_kiosk(|k| {
                    k.set_step_text(text.as_str().into());
                    k.set_receipt(receipt.unwrap_or_default().into());
                    k.set_notice(SharedString::new());
                    k.set_show_caption(false);
                });
                self.set_page(Page::Done);
            }
            PageView::Pin { digits, message } => {
                self.screen = None;
                self.with_kiosk(|k| {
                    k.set_pin_dots("●".repeat(digits).into());
                    k.set_pin_message(message.unwrap_or_default().into());
                    k.set_settings_open(false);
                });
                self.set_page(Page::Pin);
                self.set_keys(layouts::pin_pad());
            }
            PageView::Supervisor { notes } => {
                self.screen = None;
                self.supervisor_notes = notes;
                self.set_page(Page::Supervisor);
                self.show_status();
            }
        }
    }

    /// One-button mode: the item highlighted (the focus ring of the buttons that are it) and
    /// the scan's strip, a few items around the one highlighted.
    pub(crate) fn show_scan(&mut self, scan: Option<&ScanView>) {
        self.scan_letters = scan.map(|s| s.letter_group.clone());
        let shown = if self.compact() { 3 } else { 5 };
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let focus = window.global::<Focus>();
        let k = window.global::<Kiosk>();
        let Some(scan) = scan else {
            focus.set_scanning(false);
            focus.set_id(SharedString::new());
            return;
        };
        focus.set_scanning(true);
        focus.set_id(scan.current().map(|i| i.id.as_str()).unwrap_or("").into());
        let start = scan
            .highlighted
            .saturating_sub(shown / 2)
            .min(scan.items.len().saturating_sub(shown));
        let items: Vec<OptionItem> = scan
            .items
            .iter()
            .enumerate()
            .skip(start)
            .take(shown)
            .map(|(i, item)| OptionItem {
                id: item.id.as_str().into(),
                label: if item.group {
                    format!("{}…", item.label)
                } else {
                    item.label.clone()
                }
                .into(),
                icon: SharedString::new(),
                selected: i == scan.highlighted,
            })
            .collect();
        k.set_scan_title(scan.title.as_str().into());
        k.set_scan_items(model(items));
        k.set_scan_typed(scan.typed.clone().unwrap_or_default().into());
    }

    /// "Vous êtes toujours là ?" and its countdown (display only: the machine's timer decides).
    pub(crate) fn show_idle_prompt(&mut self, seconds: Option<u32>, inner: &Rc<RefCell<Inner>>) {
        match seconds {
            Some(seconds) => {
                self.idle_left = seconds;
                self.with_kiosk(|k| {
                    k.set_idle_seconds(seconds as i32);
                    k.set_idle_prompt(true);
                });
                let weak = Rc::downgrade(inner);
                self.countdown
                    .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                        if let Some(rc) = weak.upgrade() {
                            let mut me = rc.borrow_mut();
                            me.idle_left = me.idle_left.saturating_sub(1);
                            let left = me.idle_left as i32;
                            me.with_kiosk(|k| k.set_idle_seconds(left));
                        }
                    });
            }
            None => {
                self.countdown.stop();
                self.with_kiosk(|k| k.set_idle_prompt(false));
            }
        }
    }

    /// Lays out a screen of the flow.
    pub(crate) fn show_screen(&mut self, screen: Screen) {
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
            Input::Choice if long_list(&screen) => InputKind::LongList,
            Input::Choice => InputKind::Choice,
            Input::Choices { .. } => InputKind::Choices,
            Input::Number { .. } => InputKind::Number,
            Input::Phone => InputKind::Phone,
            Input::Email => InputKind::Email,
            Input::Text { .. } => InputKind::Text,
            Input::Date { .. } => InputKind::Date,
            Input::Time { .. } => InputKind::Time,
            Input::PrivacyNotice { full: false } => InputKind::Notice,
            Input::PrivacyNotice { full: true } => InputKind::NoticeFull,
            Input::ReceiptCode => InputKind::Text,
            Input::Nothing => InputKind::None,
        };
        let hint = match &screen.input {
            Input::Number { min, max } => format!("Un nombre de {min} à {max}."),
            Input::Choices { max, .. } if *max > 1 => {
                "Plusieurs réponses possibles : touchez-les, puis « Valider ».".to_string()
            }
            _ => String::new(),
        };
        let (selected, can_confirm) = match &screen.input {
            Input::Choices { min, selected, .. } => (selected.clone(), selected.len() >= *min),
            _ => (Vec::new(), false),
        };
        self.with_kiosk(|k| {
            k.set_flow_title(screen.flow_title.as_str().into());
            k.set_step_text(screen.text.as_str().into());
            k.set_notice(screen.notice.clone().unwrap_or_default().into());
            k.set_show_caption(false);
            k.set_step_icon(pictograms::path_for(screen.pictogram.as_deref()).into());
            k.set_input(input);
            k.set_options(model(
                screen
                    .options
                    .iter()
                    .map(|o| OptionItem {
                        selected: selected.contains(&o.id),
                        ..option_item(o)
                    })
                    .collect(),
            ));
            k.set_chosen_count(selected.len() as i32);
            k.set_can_confirm_choices(can_confirm);
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
            k.set_can_skip(screen.can_skip);
            k.set_hint(hint.into());
        });
        self.screen = Some(screen);
        self.relayout();
    }

    /// Lays out the size-dependent parts of the current input again.
    pub(crate) fn relayout(&mut self) {
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
            Input::Text { .. } | Input::ReceiptCode => {
                self.set_keys(layouts::keyboard(false, self.digits))
            }
            Input::Choice if long_list(&screen) => self.show_long_list(),
            Input::Date {
                earliest,
                latest,
                allowed,
            } => {
                let today = self.today();
                let view = match self.calendar.take() {
                    Some(view) if view.weeks == if compact { 3 } else { 5 } => view,
                    _ => CalendarView::new(*earliest, *latest, allowed.clone(), today, compact),
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

    pub(crate) fn set_keys(&self, layout: KeyLayout) {
        self.with_kiosk(|k| {
            k.set_keys(model(layout.keys));
            k.set_key_columns(layout.columns);
            k.set_key_rows(layout.rows);
            k.set_key_display(layout.display);
        });
    }

    /// The long list and its filter. On a small screen the initials come in a few groups
    /// ("C–G"), every one in sight; a group then opens on its own initials, so that a name is
    /// two taps away in a short list.
    pub(crate) fn show_long_list(&mut self) {
        let Some(screen) = &self.screen else { return };
        let labels: Vec<String> = screen.options.iter().map(|o| o.label.clone()).collect();
        // In one-button mode, the letter groups the machine scans, the one it opened.
        if let Some(opened) = &self.scan_letters {
            self.letter = opened
                .clone()
                .unwrap_or_else(|| layouts::ALL_LETTERS.to_string());
        }
        let groups = if self.compact() || self.scan_letters.is_some() {
            layouts::COMPACT_LETTER_GROUPS
        } else {
            usize::MAX
        };
        let groups = layouts::letter_groups(labels, groups);
        // The group holding the chosen letter or group, if any.
        let open = groups
            .iter()
            .find(|g| g.label == self.letter || g.contains(&self.letter))
            .cloned();
        if open.is_none() {
            self.letter = layouts::ALL_LETTERS.to_string();
        }
        let buttons: Vec<String> = match &open {
            Some(group) if group.initials.len() > 1 => group.initials.clone(),
            _ => groups.iter().map(|g| g.label.clone()).collect(),
        };
        let letter = self.letter.clone();
        let shown: Vec<OptionItem> = screen
            .options
            .iter()
            .filter(|o| {
                let initial = layouts::initial(&o.label);
                match &open {
                    None => true,
                    Some(group) if group.label == letter => group.contains(&initial),
                    Some(_) => initial == letter,
                }
            })
            .map(option_item)
            .collect();
        let mut labels = vec![SharedString::from(layouts::ALL_LETTERS)];
        labels.extend(buttons.iter().map(|b| SharedString::from(b.as_str())));
        self.with_kiosk(|k| {
            k.set_letters(model(labels));
            k.set_letter(letter.into());
            k.set_shown_options(model(shown));
        });
    }

    pub(crate) fn show_calendar(&self) {
        let Some(view) = &self.calendar else { return };
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

    pub(crate) fn show_typed(&self) {
        let shown = match self.screen.as_ref().map(|s| &s.input) {
            Some(Input::Phone) => layouts::phone_display(&self.typed),
            _ => self.typed.clone(),
        };
        self.with_kiosk(|k| k.set_typed(shown.into()));
    }

    /// A key of the keypad or keyboard; returns the value typed when "Valider" is touched.
    pub(crate) fn key(&mut self, key: &str) -> Option<String> {
        let input = self.screen.as_ref().map(|s| s.input.clone())?;
        let limit = match input {
            Input::Number { min, max } => layouts::number_digits(min, max),
            Input::Phone => 10,
            Input::Email => 254,
            Input::Text { max_length } => max_length,
            // Six characters and the dash.
            Input::ReceiptCode => 7,
            _ => return None,
        };
        match key {
            layouts::ERASE => {
                self.typed.pop();
            }
            layouts::VALIDATE => {
                let value = self.typed.trim().to_string();
                return (!value.is_empty()).then_some(value);
            }
            layouts::DIGITS | layouts::LETTERS => {
                self.digits = key == layouts::DIGITS;
                self.relayout();
                return None;
            }
            layouts::SPACE => {
                if !self.typed.is_empty() && !self.typed.ends_with(' ') {
                    self.typed.push(' ');
                }
            }
            other => {
                let digits_only = matches!(input, Input::Number { .. } | Input::Phone);
                if digits_only && !other.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                if self.typed.chars().count() + other.chars().count() <= limit {
                    self.typed.push_str(other);
                }
            }
        }
        self.show_typed();
        None
    }
}

/// A choice shown as the long list with its letter filter.
fn long_list(screen: &Screen) -> bool {
    layouts::needs_letter_filter(screen.options.iter().map(|o| o.label.as_str()))
}
