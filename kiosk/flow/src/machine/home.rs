//! The home menu: kinds of flows, the flows of a kind, the status lookup entry, and choosing one.

use super::*;

impl KioskMachine {
    pub(super) fn home_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let Page::Home { kind, misses } = self.page.clone() else {
            return;
        };
        match event {
            KioskEvent::Touched(id) => match self.menu.touched(&id) {
                Some(choice) => self.choose(choice, out),
                None => self.present_home(None, None, out),
            },
            KioskEvent::Heard(text) => {
                if let Some(command) =
                    understand::understand(Expected::Text, &text, self.today).command
                {
                    // "aide", "retour"… unless the menu has a better reading ("de l'aide humaine").
                    return self.home_command(command, out);
                }
                match self.menu.understand_choice(&text) {
                    Some(choice) => self.choose(choice, out),
                    None => {
                        let misses = misses + 1;
                        self.page = Page::Home { kind, misses };
                        let notice = if misses >= 2 {
                            format!("{HOME_NOT_UNDERSTOOD} {HOME_TRY_TOUCH}")
                        } else {
                            HOME_NOT_UNDERSTOOD.to_string()
                        };
                        let spoken = format!("{notice} {HOME_REPROMPT}");
                        self.present_home(Some(notice), Some(spoken), out);
                    }
                }
            }
            KioskEvent::Command(command) => self.home_command(command, out),
            KioskEvent::Silence => self.listen(Some(self.home_grammar()), out),
            _ => {}
        }
    }

    pub(super) fn home_command(&mut self, command: Command, out: &mut Vec<KioskEffect>) {
        let Page::Home { kind, .. } = self.page.clone() else {
            return;
        };
        match command {
            Command::Repeat => self.present_home(None, None, out),
            // "Je ne sais pas" on the home menu: not an answer to skip, a citizen who needs help.
            Command::Help | Command::Skip => {
                self.present_home(None, Some(HOME_HELP.to_string()), out)
            }
            Command::WhereAmI => {
                let spoken = format!("{HOME_WHERE} {}", self.home_spoken(kind));
                self.present_home(None, Some(spoken), out)
            }
            Command::Back if kind.is_some() => self.go_home(None, false, out),
            Command::Back | Command::Restart => self.present_home(None, None, out),
            Command::Cancel => {
                out.push(KioskEffect::Say {
                    text: GOODBYE.to_string(),
                });
                self.go_attract(out);
            }
            Command::Slower | Command::Louder => {
                self.speech_command(command, out);
                self.present_home(None, None, out);
            }
            Command::Human => {
                self.call_for_help(HOME_HELP_FLOW, "menu", out);
                self.listen(Some(self.home_grammar()), out);
            }
        }
    }

    pub(super) fn choose(&mut self, choice: MenuChoice, out: &mut Vec<KioskEffect>) {
        match choice {
            MenuChoice::Flow(id) => self.start_flow(&id, out),
            MenuChoice::Kind(kind) => self.go_home(Some(kind), false, out),
            MenuChoice::Status => self.start_lookup(out),
        }
    }

    pub(super) fn go_home(
        &mut self,
        kind: Option<FlowKind>,
        greet: bool,
        out: &mut Vec<KioskEffect>,
    ) {
        // With one kind of flows only, its flows are the home menu.
        let kind = kind.or(match self.menu.sections.as_slice() {
            [only] => Some(only.kind),
            _ => None,
        });
        self.page = Page::Home { kind, misses: 0 };
        let spoken = if greet {
            Some(format!("{HOME_GREETING} {}", self.home_spoken(kind)))
        } else {
            None
        };
        self.present_home(None, spoken, out);
    }

    pub(super) fn present_home(
        &mut self,
        notice: Option<String>,
        spoken: Option<String>,
        out: &mut Vec<KioskEffect>,
    ) {
        let Page::Home { kind, .. } = self.page else {
            return;
        };
        let view = self.view(PageView::Home(self.home_view(kind, notice)));
        self.show(view, out);
        let text = spoken.unwrap_or_else(|| self.home_spoken(kind));
        out.push(KioskEffect::Say { text });
        self.listen(Some(self.home_grammar()), out);
    }

    pub(super) fn home_view(&self, kind: Option<FlowKind>, notice: Option<String>) -> HomeView {
        let section = kind.and_then(|k| self.menu.sections.iter().find(|s| s.kind == k));
        match section {
            Some(section) => {
                let mut tiles: Vec<Tile> = section
                    .entries
                    .iter()
                    .map(|e| Tile {
                        id: e.flow_id.clone(),
                        label: e.title.clone(),
                        pictogram: e.pictogram.clone(),
                    })
                    .collect();
                let top = self.menu.sections.len() == 1;
                if top {
                    // The only kind is the home menu: the status lookup stays reachable.
                    tiles.push(status_tile());
                }
                HomeView {
                    title: section.heading.clone(),
                    tiles,
                    can_go_back: !top,
                    notice,
                }
            }
            None => {
                let mut tiles: Vec<Tile> = self
                    .menu
                    .sections
                    .iter()
                    .map(|s| Tile {
                        id: s.kind.keyword().to_string(),
                        label: s.heading.clone(),
                        pictogram: Some(kind_pictogram(s.kind).to_string()),
                    })
                    .collect();
                tiles.push(status_tile());
                HomeView {
                    title: HOME_QUESTION.to_string(),
                    tiles,
                    can_go_back: false,
                    notice,
                }
            }
        }
    }

    pub(super) fn home_spoken(&self, kind: Option<FlowKind>) -> String {
        let section = kind.and_then(|k| self.menu.sections.iter().find(|s| s.kind == k));
        match section {
            Some(section) => {
                let titles: Vec<&str> = section.entries.iter().map(|e| e.title.as_str()).collect();
                let mut text = format!("{} : {}.", section.heading, titles.join(", ou "));
                if self.menu.sections.len() > 1 {
                    text.push_str(" Pour autre chose, dites : retour.");
                } else {
                    text.push(' ');
                    text.push_str(HOME_STATUS_TOO);
                }
                text
            }
            None => {
                let choices: Vec<String> = self
                    .menu
                    .sections
                    .iter()
                    .map(|s| s.heading.to_lowercase())
                    .collect();
                match choices.is_empty() {
                    true => format!("{HOME_QUESTION} {HOME_STATUS_TOO}"),
                    false => format!("{HOME_QUESTION} {}. {HOME_STATUS_TOO}", join_or(&choices)),
                }
            }
        }
    }
}
