//! A `choices` question: options are added, taken out or toggled one utterance or touch at a
//! time, each change said back, until "c'est tout" or « Valider » (or the maximum is reached).

use super::*;
use crate::load::CONFIRM_CHOICES;
use crate::understand::SeveralChoices;

/// "Choisissez entre 1 et 3 réponses." and the like: the rule of a `choices` question.
pub(super) fn count_rule(min: usize, max: usize) -> String {
    let answers = |n: usize| if n > 1 { "réponses" } else { "réponse" };
    match (min, max) {
        (min, max) if min == max => format!("Choisissez {min} {}.", answers(min)),
        (0, max) => format!("Choisissez au plus {max} {}.", answers(max)),
        (min, max) => format!("Choisissez entre {min} et {max} {}.", answers(max)),
    }
}

impl Session {
    /// The options chosen so far on the `choices` question at `index`: the selection being
    /// made, or else the answer already given (a correction starts from it).
    pub(super) fn selection_at(&self, index: usize) -> Vec<String> {
        match &self.selection {
            Some((at, chosen)) if *at == index => chosen.clone(),
            _ => match self.answers.get(&self.flow.steps[index].id) {
                Some(Value::Choices(ids)) => ids.clone(),
                _ => Vec::new(),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn answer_several(
        &mut self,
        index: usize,
        q: &Question,
        options: &[ChoiceOption],
        (min, max): (usize, usize),
        utterance: &str,
        touched: bool,
        out: &mut Vec<Effect>,
    ) {
        let mut chosen = self.selection_at(index);
        let reply = if touched {
            let id = utterance.trim();
            if id == CONFIRM_CHOICES {
                SeveralChoices::Done
            } else if options.iter().any(|o| o.id == id) {
                if chosen.iter().any(|c| c == id) {
                    SeveralChoices::Remove(vec![id.to_string()])
                } else {
                    SeveralChoices::Add(vec![id.to_string()])
                }
            } else {
                // Only the tiles and Valider are touched here; anything else is no answer.
                return self.miss(NOT_UNDERSTOOD, out);
            }
        } else {
            match understand::understand_several(options, utterance) {
                (Some(command), _) => return self.command(command, out),
                (None, Some(reply)) => reply,
                (None, None) => return self.miss(NOT_UNDERSTOOD, out),
            }
        };
        let in_order = |ids: &[String]| -> Vec<String> {
            options
                .iter()
                .filter(|o| ids.contains(&o.id))
                .map(|o| o.id.clone())
                .collect()
        };
        let said_list = |ids: &[String]| display::value(&Value::Choices(ids.to_vec()), &q.kind);
        let finished = match reply {
            SeveralChoices::Done => {
                if chosen.len() < min {
                    let notice = if chosen.is_empty() {
                        format!("{NOTHING_CHOSEN_YET} {}", count_rule(min, max))
                    } else {
                        count_rule(min, max)
                    };
                    return self.miss(&notice, out);
                }
                true
            }
            SeveralChoices::Exactly(ids) => {
                if ids.len() < min || ids.len() > max {
                    return self.miss(&count_rule(min, max), out);
                }
                chosen = ids;
                true
            }
            SeveralChoices::Add(ids) => {
                let mut more = chosen.clone();
                more.extend(ids.into_iter().filter(|id| !chosen.contains(id)));
                if more.len() > max {
                    return self.miss(&count_rule(min, max), out);
                }
                chosen = in_order(&more);
                chosen.len() == max
            }
            SeveralChoices::Remove(ids) => {
                chosen.retain(|id| !ids.contains(id));
                false
            }
        };
        self.misses = 0;
        if finished {
            self.selection = None;
            let value = Value::Choices(in_order(&chosen));
            out.push(Effect::Say {
                text: format!("Vous avez choisi : {}.", said_list(&chosen)),
            });
            return self.accept(index, q, value, out);
        }
        // Say what is chosen now, and wait for more.
        let so_far = if chosen.is_empty() {
            NOTHING_CHOSEN_YET.to_string()
        } else {
            format!("J'ai noté : {}.", said_list(&chosen))
        };
        self.selection = Some((index, chosen));
        let screen = self.current_screen(None);
        out.push(Effect::Show(screen));
        out.push(Effect::Say {
            text: format!("{so_far} {ANYTHING_ELSE}"),
        });
        out.push(self.listen());
    }
}
