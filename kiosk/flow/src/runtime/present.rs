//! What the session shows, says and listens for at the current moment.

use super::*;

impl Session {
    // ----- what to show, say and listen for ---------------------------------------------

    /// Renders a text with the active answers; `receipt` fills `{recu}`.
    pub(super) fn render(&self, text: &Text, spoken: bool, receipt: Option<&str>) -> String {
        let template = if spoken { text.spoken() } else { &text.show };
        let active = self.active_answers();
        template.render(|name| {
            if name == "recu" {
                if let Some(r) = receipt {
                    return r.to_string();
                }
            }
            match active.iter().find(|(s, _, _)| s.id == name) {
                Some((_, q, v)) if spoken => display::value_spoken(v, &q.kind),
                Some((_, q, v)) => display::value(v, &q.kind),
                None => NO_ANSWER.to_string(),
            }
        })
    }

    pub(super) fn summary_lines(&self, index: usize) -> Vec<SummaryLine> {
        let fields = match &self.flow.steps[index].body {
            StepBody::Summary { fields, .. } => fields.clone(),
            _ => Vec::new(),
        };
        self.active_responses()
            .into_iter()
            .filter(|(s, _, _)| fields.is_empty() || fields.contains(&s.id))
            .map(|(s, q, v)| SummaryLine {
                step_id: s.id.clone(),
                label: q.label.clone(),
                value: v.map_or_else(|| NO_ANSWER.to_string(), |v| display::value(v, &q.kind)),
            })
            .collect()
    }

    pub(super) fn screen(&self, index: usize, text: String, notice: Option<String>) -> Screen {
        let step = &self.flow.steps[index];
        Screen {
            flow_title: self.flow.title.clone(),
            step_id: step.id.clone(),
            text,
            pictogram: None,
            input: Input::Nothing,
            options: Vec::new(),
            summary: Vec::new(),
            notice,
            progress: Progress {
                current: index + 1,
                total: self.flow.steps.len(),
            },
            can_go_back: !self.trail.is_empty(),
            can_skip: false,
        }
    }

    /// The screen of the current state, with what to say to present it.
    pub(super) fn current_screen_and_speech(
        &self,
        notice: Option<String>,
    ) -> Option<(Screen, String)> {
        let yes_no = ScreenOption::yes_no;
        let result = match &self.state {
            State::NotStarted | State::Finished => return None,
            State::At(i) => {
                let step = &self.flow.steps[*i];
                match &step.body {
                    StepBody::Info {
                        text, pictogram, ..
                    } => {
                        let mut s = self.screen(*i, self.render(text, false, None), notice);
                        s.pictogram = pictogram.clone();
                        s.input = Input::Continue;
                        (s, self.render(text, true, None))
                    }
                    StepBody::Question(q) => {
                        let mut s = self.screen(*i, self.render(&q.ask, false, None), notice);
                        s.pictogram = q.pictogram.clone();
                        s.can_skip = q.optional;
                        let kind = self.kind_now(q);
                        s.input = self.input_for(&kind);
                        s.options = match kind.as_ref() {
                            QuestionKind::YesNo => yes_no(),
                            QuestionKind::Choice { options }
                            | QuestionKind::Choices { options, .. } => options
                                .iter()
                                .map(|o| ScreenOption {
                                    id: o.id.clone(),
                                    label: o.label.clone(),
                                    pictogram: o.pictogram.clone(),
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        let mut spoken = self.render(&q.ask, true, None);
                        if let QuestionKind::Choices { min, max, .. } = kind.as_ref() {
                            s.input = Input::Choices {
                                min: *min,
                                max: *max,
                                selected: self.selection_at(*i),
                            };
                            if *max > 1 {
                                spoken = format!("{spoken} {SEVERAL_HINT}");
                            }
                        }
                        (s, spoken)
                    }
                    StepBody::Summary { text, .. } => {
                        let lines = self.summary_lines(*i);
                        let mut spoken = self.render(text, true, None);
                        let active = self.active_answers();
                        for line in &lines {
                            let value = active
                                .iter()
                                .find(|(s, _, _)| s.id == line.step_id)
                                .map(|(_, q, v)| display::value_spoken(v, &q.kind))
                                .unwrap_or_else(|| line.value.clone());
                            spoken.push_str(&format!(" {} : {}.", line.label, value));
                        }
                        spoken.push(' ');
                        spoken.push_str(ALL_RIGHT);
                        let shown = format!("{} {ALL_RIGHT}", self.render(text, false, None));
                        let mut s = self.screen(*i, shown, notice);
                        s.input = Input::YesNo;
                        s.options = yes_no();
                        s.summary = lines;
                        (s, spoken)
                    }
                    StepBody::Submit { .. } | StepBody::End { .. } => {
                        let text = match &step.body {
                            StepBody::End { text } | StepBody::Submit { text, .. } => text,
                            _ => return None,
                        };
                        let mut s = self.screen(*i, self.render(text, false, None), notice);
                        s.can_go_back = false;
                        (s, self.render(text, true, None))
                    }
                }
            }
            State::ReadBack {
                step,
                value,
                offered_because,
            } => {
                let q = match &self.flow.steps[*step].body {
                    StepBody::Question(q) => q,
                    _ => return None,
                };
                let said = |shown: String| match offered_because {
                    Some(why) => date_offer::offer_text(why, &shown),
                    None => format!("Vous avez dit : {shown}. {IS_IT_RIGHT}"),
                };
                let shown = said(display::value(value, &q.kind));
                let spoken = said(display::value_spoken(value, &q.kind));
                let mut s = self.screen(*step, shown, notice);
                s.input = Input::YesNo;
                s.options = yes_no();
                (s, spoken)
            }
            State::Correcting { summary } => {
                let lines = self.summary_lines(*summary);
                let mut s = self.screen(*summary, WHAT_TO_CHANGE.to_string(), notice);
                s.input = Input::Choice;
                s.options = lines
                    .iter()
                    .map(|l| ScreenOption {
                        id: l.step_id.clone(),
                        label: format!("{} : {}", l.label, l.value),
                        pictogram: None,
                    })
                    .collect();
                let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
                let spoken = format!("{WHAT_TO_CHANGE} Dites : {}.", labels.join(", ou "));
                (s, spoken)
            }
            State::Notice { question, page } => {
                return self.notice_screen_and_speech(*question, *page, notice)
            }
            State::ConfirmCancel { .. } => {
                let index = self.current_index().unwrap_or(0);
                let mut s = self.screen(index, REALLY_CANCEL.to_string(), notice);
                s.input = Input::YesNo;
                s.options = yes_no();
                (s, REALLY_CANCEL.to_string())
            }
            State::Storing { step } => {
                let mut s = self.screen(*step, SAVING.to_string(), notice);
                s.can_go_back = false;
                (s, SAVING.to_string())
            }
            State::StoreFailed { step } => {
                let mut s = self.screen(*step, STORE_FAILED.to_string(), notice);
                s.input = Input::Continue;
                (s, STORE_FAILED.to_string())
            }
        };
        Some(result)
    }

    pub(super) fn current_screen(&self, notice: Option<String>) -> Screen {
        match self.current_screen_and_speech(notice) {
            Some((s, _)) => s,
            None => Screen {
                flow_title: self.flow.title.clone(),
                step_id: String::new(),
                text: String::new(),
                pictogram: None,
                input: Input::Nothing,
                options: Vec::new(),
                summary: Vec::new(),
                notice: None,
                progress: Progress {
                    current: self.flow.steps.len(),
                    total: self.flow.steps.len(),
                },
                can_go_back: false,
                can_skip: false,
            },
        }
    }

    /// Shows and says the current state. `notice` goes on screen and is said first;
    /// `instead` replaces the usual spoken text (help, a call for help).
    pub(super) fn present(
        &mut self,
        notice: Option<String>,
        instead: Option<String>,
        out: &mut Vec<Effect>,
    ) {
        let Some((screen, spoken)) = self.current_screen_and_speech(notice.clone()) else {
            return;
        };
        let text = match (notice, instead) {
            (_, Some(instead)) => instead,
            (Some(notice), None) => format!("{notice} {spoken}"),
            (None, None) => spoken,
        };
        out.push(Effect::Show(screen));
        out.push(Effect::Say { text });
        if !matches!(self.state, State::Storing { .. } | State::Finished) {
            out.push(self.listen());
        }
    }

    pub(super) fn input_for(&self, kind: &QuestionKind) -> Input {
        match kind {
            QuestionKind::YesNo => Input::YesNo,
            QuestionKind::Choice { .. } => Input::Choice,
            QuestionKind::Choices { min, max, .. } => Input::Choices {
                min: *min,
                max: *max,
                selected: Vec::new(),
            },
            QuestionKind::Number { min, max } => Input::Number {
                min: *min,
                max: *max,
            },
            QuestionKind::Text { max_length, .. } => Input::Text {
                max_length: *max_length,
            },
            QuestionKind::Phone => Input::Phone,
            QuestionKind::Email => Input::Email,
            QuestionKind::Date {
                earliest,
                latest,
                allowed,
            } => Input::Date {
                earliest: earliest.resolve(self.today),
                latest: latest.resolve(self.today),
                allowed: allowed.as_ref().clone(),
            },
            QuestionKind::Time { earliest, latest } => Input::Time {
                earliest: earliest.format("%H:%M").to_string(),
                latest: latest.format("%H:%M").to_string(),
            },
        }
    }

    /// The recognition grammar for the current moment.
    pub(super) fn listen(&self) -> Effect {
        let yes_no_and_continue = || {
            let mut phrases = understand::grammar_phrases(Expected::YesNo).unwrap_or_default();
            phrases.extend(CONTINUE_WORDS.iter().map(|w| w.to_string()));
            Some(phrases)
        };
        let phrases = match &self.state {
            State::At(i) => match &self.flow.steps[*i].body {
                StepBody::Question(q) => self.question_grammar(*i, q),
                _ => yes_no_and_continue(),
            },
            State::Correcting { summary } => {
                let options: Vec<ChoiceOption> = self
                    .summary_lines(*summary)
                    .iter()
                    .map(|l| ChoiceOption::new(&l.step_id, &l.label, &[]))
                    .collect();
                understand::grammar_phrases(Expected::Choice(&options))
            }
            State::Notice { page, .. } => Some(self.notice_phrases(*page)),
            State::ReadBack { step, .. } => {
                // "non" or a corrected value straight away.
                let mut phrases = yes_no_and_continue();
                if let (Some(p), StepBody::Question(q)) =
                    (&mut phrases, &self.flow.steps[*step].body)
                {
                    match self.question_grammar(*step, q) {
                        Some(more) => p.extend(more),
                        None => phrases = None,
                    }
                }
                phrases
            }
            _ => yes_no_and_continue(),
        };
        Effect::Listen { phrases }
    }

    /// The phrases of a question; none (free dictation) for the questions the recognition model
    /// cannot hear every option of ([`Flow::free_recognition`]).
    fn question_grammar(&self, step: usize, q: &Question) -> Option<Vec<String>> {
        if self
            .flow
            .free_recognition
            .contains(&self.flow.steps[step].id)
        {
            return None;
        }
        understand::grammar_phrases(expected(&self.kind_now(q), self.today))
    }

    /// The grammar of the current moment, for the voice layer and tests.
    pub fn grammar(&self) -> Option<Vec<String>> {
        match self.listen() {
            Effect::Listen { phrases } => phrases,
            _ => None,
        }
    }

    /// The screen of the current moment (for a UI that redraws, e.g. after a setting change).
    pub fn screen_now(&self) -> Option<Screen> {
        self.current_screen_and_speech(None).map(|(s, _)| s)
    }
}
