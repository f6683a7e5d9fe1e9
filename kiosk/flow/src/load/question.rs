//! Questions (`ask`) and their kinds, with each kind's own keys.

use super::fields::Fields;
use super::reader::{position_of, scalar_position, Reader};
use super::text::PlacedText;
use super::Datasets;
use crate::diagnostic::Position;
use crate::model::{
    ChoiceOption, DateBound, OptionsFilter, Question, QuestionKind, ResourceBinding, TextFormat,
};
use chrono::{NaiveDate, NaiveTime};
use marked_yaml::Node;

/// The id a touch on the « Valider » button of a `choices` question sends.
pub const CONFIRM_CHOICES: &str = "valider";

/// Keys that belong to one question type or another, and to which.
pub(super) const TYPE_KEYS: [(&str, &str); 13] = [
    ("options", "choice et choices"),
    ("options_from", "choice et choices"),
    ("filter", "choice et choices"),
    ("min", "number et choices"),
    ("max", "number et choices"),
    ("max_length", "text"),
    ("format", "text"),
    ("earliest", "date et time"),
    ("latest", "date et time"),
    ("weekdays", "date"),
    ("exclude", "date"),
    ("resource", "date"),
    ("quantity", "date"),
];

impl Reader<'_> {
    pub(super) fn question(
        &mut self,
        fields: &mut Fields<'_>,
        context: &str,
        datasets: &Datasets,
        texts: &mut Vec<PlacedText>,
        filter_at: &mut Option<Position>,
    ) -> Option<Question> {
        let ask = self.required_text(fields, "ask", context);
        let help = self.required_text(fields, "help", &format!("{context} (ce que dit « aide »)"));
        let reprompt = self.required_text(
            fields,
            "reprompt",
            &format!("{context} (ce qui est dit quand la réponse n'est pas comprise)"),
        );
        let label = self
            .required(
                fields,
                "label",
                &format!("{context} (son nom dans le résumé)"),
            )
            .and_then(|n| self.string(n, "label"));
        let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
        let confirm = fields
            .get("confirm")
            .and_then(|n| self.boolean(n, "confirm"));
        let optional = fields
            .get("optional")
            .and_then(|n| self.boolean(n, "optional"));
        let personal_node = fields.get("personal");
        let declared_personal = personal_node.and_then(|n| self.boolean(n, "personal"));
        let type_node = self.required(fields, "type", context);
        let dataset = fields
            .get("options_from")
            .and_then(|n| n.as_scalar().map(|s| s.as_str().to_string()));
        let kind = type_node.and_then(|n| {
            let word = self.string(n, "type")?;
            self.question_kind(&word, n, fields, datasets)
        });
        if kind.is_none() {
            // The type's own keys could not all be read: do not report them as unknown too.
            fields.used.extend(TYPE_KEYS.iter().map(|(k, _)| *k));
        }
        for text in [&ask, &help, &reprompt].into_iter().flatten() {
            texts.push(PlacedText {
                text: text.text.clone(),
                placed: text.placed.clone(),
            });
        }
        let kind = kind?;
        let options_filter = match fields.get("filter") {
            Some(node) => {
                *filter_at = Some(position_of(node));
                Some(Box::new(self.options_filter(
                    node,
                    dataset.as_deref(),
                    datasets,
                )?))
            }
            None => None,
        };
        let resource = match kind {
            QuestionKind::Date { .. } => match fields.get("resource") {
                Some(node) => Some(Box::new(self.resource_binding(node, fields)?)),
                None => None,
            },
            _ => None,
        };
        if let (Some(false), Some(node), true) =
            (declared_personal, personal_node, kind.always_personal())
        {
            self.diags.error(
                position_of(node),
                format!(
                    "« personal: false » n'est pas possible pour une question « {} » : un texte libre, un téléphone ou une adresse e-mail est toujours une donnée personnelle",
                    kind.keyword()
                ),
            );
            return None;
        }
        Some(Question {
            ask: ask?.text,
            help: help?.text,
            reprompt: reprompt?.text,
            label: label?,
            pictogram,
            confirm: confirm.unwrap_or_else(|| kind.confirms_by_default()),
            optional: optional.unwrap_or(false),
            dataset: dataset.filter(|_| !kind.options().is_empty()),
            options_filter,
            resource,
            personal: kind.always_personal() || declared_personal == Some(true),
            kind,
        })
    }

    pub(super) fn question_kind(
        &mut self,
        word: &str,
        type_node: &Node,
        fields: &mut Fields<'_>,
        datasets: &Datasets,
    ) -> Option<QuestionKind> {
        match word {
            "yes_no" => Some(QuestionKind::YesNo),
            "phone" => Some(QuestionKind::Phone),
            "email" => Some(QuestionKind::Email),
            "choice" => self
                .options_source(word, type_node, fields, datasets)
                .map(|options| QuestionKind::Choice { options }),
            "choices" => {
                let options = self.options_source(word, type_node, fields, datasets)?;
                self.several_choices(options, type_node, fields)
            }
            "number" => {
                let min = fields
                    .get("min")
                    .map(|n| (self.integer(n, "min"), position_of(n)));
                let max = fields
                    .get("max")
                    .map(|n| (self.integer(n, "max"), position_of(n)));
                let min_value = match min {
                    Some((v, _)) => v?,
                    None => 0,
                };
                let max_value = match max {
                    Some((v, _)) => v?,
                    None => 999,
                };
                if min_value > max_value {
                    let at = max.map_or(position_of(type_node), |(_, p)| p);
                    self.diags.error(
                        at,
                        format!("« max » ({max_value}) est plus petit que « min » ({min_value})"),
                    );
                    return None;
                }
                Some(QuestionKind::Number {
                    min: min_value,
                    max: max_value,
                })
            }
            "text" => {
                let max_length = match fields.get("max_length") {
                    Some(n) => {
                        let v = self.integer(n, "max_length")?;
                        if !(1..=2000).contains(&v) {
                            self.diags
                                .error(position_of(n), "« max_length » doit aller de 1 à 2000");
                            return None;
                        }
                        v as usize
                    }
                    None => 300,
                };
                let format = match fields.get("format") {
                    Some(n) => self.text_format(n)?,
                    None => TextFormat::Free,
                };
                Some(QuestionKind::Text { max_length, format })
            }
            "date" => {
                let allowed = self.days_allowed(fields);
                let earliest = match fields.get("earliest") {
                    Some(n) => self.date_bound(n, "earliest")?,
                    None => DateBound::Open,
                };
                let latest = match fields.get("latest") {
                    Some(n) => self.date_bound(n, "latest")?,
                    None => DateBound::Open,
                };
                // Compare on a reference day; relative bounds keep their order on any day.
                let reference = NaiveDate::from_ymd_opt(2026, 1, 1);
                if let (Some(e), Some(l)) = (
                    reference.and_then(|r| earliest.resolve(r)),
                    reference.and_then(|r| latest.resolve(r)),
                ) {
                    let both_same_kind = matches!(
                        (earliest, latest),
                        (DateBound::Fixed(_), DateBound::Fixed(_))
                            | (DateBound::Relative { .. }, DateBound::Relative { .. })
                    );
                    if both_same_kind && e > l {
                        let at = fields.key_position("latest");
                        self.diags.error(
                            at,
                            "« latest » vient avant « earliest » : aucune date possible",
                        );
                        return None;
                    }
                }
                let allowed = allowed?;
                if !self.some_day_possible(earliest, latest, &allowed, fields) {
                    return None;
                }
                Some(QuestionKind::Date {
                    earliest,
                    latest,
                    allowed: Box::new(allowed),
                })
            }
            "time" => {
                let parse = |reader: &mut Self,
                             key: &'static str,
                             fields: &mut Fields<'_>,
                             default: NaiveTime| {
                    match fields.get(key) {
                        Some(n) => {
                            let s = reader.string(n, key)?;
                            match NaiveTime::parse_from_str(&s, "%H:%M") {
                                Ok(t) => Some(t),
                                Err(_) => {
                                    reader.diags.error(
                                        position_of(n),
                                        format!("« {key} » doit être une heure comme 14:30, pas « {s} »"),
                                    );
                                    None
                                }
                            }
                        }
                        None => Some(default),
                    }
                };
                let earliest = parse(self, "earliest", fields, NaiveTime::MIN)?;
                let latest = parse(self, "latest", fields, NaiveTime::from_hms_opt(23, 59, 0)?)?;
                if earliest > latest {
                    let at = fields.key_position("latest");
                    self.diags.error(
                        at,
                        "« latest » vient avant « earliest » : aucune heure possible",
                    );
                    return None;
                }
                Some(QuestionKind::Time { earliest, latest })
            }
            other => {
                let kinds = [
                    "yes_no", "choice", "choices", "number", "text", "phone", "email", "date",
                    "time",
                ];
                let hint = kinds
                    .iter()
                    .min_by_key(|k| strsim::levenshtein(k, other))
                    .filter(|k| strsim::levenshtein(k, other) <= 2)
                    .map(|k| format!(" : vouliez-vous dire « {k} » ?"))
                    .unwrap_or_else(|| format!(" (types possibles : {})", kinds.join(", ")));
                self.diags.error(
                    position_of(type_node),
                    format!("type de question inconnu « {other} »{hint}"),
                );
                None
            }
        }
    }

    /// `resource: salle-{commune}` and `quantity: quantite` of a `date` question: the id
    /// with at most one earlier answer in braces (checked with the other references).
    fn resource_binding(
        &mut self,
        node: &Node,
        fields: &mut Fields<'_>,
    ) -> Option<ResourceBinding> {
        // Read first, so that a malformed id does not also report « quantity » as unknown.
        let quantity_node = fields.get("quantity");
        let written = self.string(node, "resource")?;
        let written = written.trim();
        let (template, step) = match (written.split_once('{'), written.matches('{').count()) {
            (None, _) if !written.contains('}') => (written.to_string(), None),
            (Some((before, rest)), 1) => match rest.split_once('}') {
                Some((step, after)) if !after.contains('}') => {
                    let step = step.trim();
                    (format!("{before}{{{step}}}{after}"), Some(step.to_string()))
                }
                _ => (String::new(), None),
            },
            _ => (String::new(), None),
        };
        let resolved = match &step {
            Some(s) => template.replace(&format!("{{{s}}}"), "x"),
            None => template.clone(),
        };
        if !super::fields::is_valid_id(&resolved)
            || step
                .as_deref()
                .is_some_and(|s| !super::fields::is_valid_id(s))
        {
            self.diags.error(
                position_of(node),
                format!("« resource » : « {written} » n'est pas un identifiant de ressource ({}), avec au plus une réponse entre accolades, par exemple « salle-{{commune}} »", super::fields::ID_RULE),
            );
            return None;
        }
        let quantity = match quantity_node {
            Some(n) => Some(self.id(n, "quantity")?),
            None => None,
        };
        Some(ResourceBinding {
            template,
            step,
            quantity,
        })
    }

    /// `format: name`: what a `text` question holds.
    fn text_format(&mut self, node: &Node) -> Option<TextFormat> {
        let word = self.string(node, "format")?;
        let format = TextFormat::from_keyword(word.trim());
        if format.is_none() {
            let known: Vec<&str> = TextFormat::KEYWORDS.iter().map(|(k, _)| *k).collect();
            self.diags.error(
                position_of(node),
                format!(
                    "« format » : « {word} » n'est pas un format de texte connu (formats possibles : {})",
                    known.join(", ")
                ),
            );
        }
        format
    }

    /// The options of a `choice` or `choices` question: inline or from a dataset.
    fn options_source(
        &mut self,
        word: &str,
        type_node: &Node,
        fields: &mut Fields<'_>,
        datasets: &Datasets,
    ) -> Option<Vec<ChoiceOption>> {
        let inline = fields.get("options");
        let from = fields.get("options_from");
        match (inline, from) {
            (Some(_), Some(f)) => {
                self.diags.error(
                    position_of(f),
                    "« options » et « options_from » ensemble : choisissez l'un ou l'autre",
                );
                None
            }
            (None, None) => {
                // A misspelled `opitons:` is reported as such, not as missing.
                if !fields.has_near_miss("options") && !fields.has_near_miss("options_from") {
                    self.diags.error(
                        position_of(type_node),
                        format!(
                            "une question « {word} » a besoin de « options » ou de « options_from »"
                        ),
                    );
                }
                None
            }
            (Some(list), None) => {
                let options = self.options(list, false);
                (!options.is_empty()).then_some(options)
            }
            (None, Some(f)) => {
                let name = self.string(f, "options_from")?;
                match datasets.get(&name) {
                    Some(d) => Some(d.options.clone()),
                    None => {
                        let mut known: Vec<&str> = datasets.keys().map(String::as_str).collect();
                        known.sort_unstable();
                        let known = if known.is_empty() {
                            "aucun jeu de données dans le dossier data/".to_string()
                        } else {
                            format!("jeux connus : {}", known.join(", "))
                        };
                        self.diags.error(
                            position_of(f),
                            format!("jeu de données inconnu « {name} » ({known})"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// `type: choices`: how many options may be chosen (`min` 1 and `max` all by default),
    /// and no option id that is the « Valider » button's.
    fn several_choices(
        &mut self,
        options: Vec<ChoiceOption>,
        type_node: &Node,
        fields: &mut Fields<'_>,
    ) -> Option<QuestionKind> {
        let count = options.len();
        let mut bound = |reader: &mut Self, key: &'static str, default: usize| match fields.get(key)
        {
            Some(n) => {
                let value = reader.integer(n, key)?;
                match usize::try_from(value) {
                    Ok(v) if v <= count => Some((v, position_of(n))),
                    _ => {
                        reader.diags.error(
                            position_of(n),
                            format!("« {key} » doit aller de 0 à {count}, le nombre d'options"),
                        );
                        None
                    }
                }
            }
            None => Some((default, position_of(type_node))),
        };
        let (min, _) = bound(self, "min", 1)?;
        let (max, max_at) = bound(self, "max", count)?;
        if max == 0 {
            self.diags.error(
                max_at,
                "« max » vaut 0 : la personne ne pourrait rien choisir",
            );
            return None;
        }
        if min > max {
            self.diags.error(
                max_at,
                format!("« max » ({max}) est plus petit que « min » ({min})"),
            );
            return None;
        }
        if let Some(taken) = options.iter().find(|o| o.id == CONFIRM_CHOICES) {
            self.diags.error(
                position_of(type_node),
                format!("l'option « {} » a l'identifiant « {CONFIRM_CHOICES} », réservé au bouton Valider des questions « choices » : choisissez-en un autre", taken.label),
            );
            return None;
        }
        Some(QuestionKind::Choices { options, min, max })
    }

    /// `filter: { FIELD: STEP }`: the dataset's options whose field is the answer to STEP.
    fn options_filter(
        &mut self,
        node: &Node,
        dataset: Option<&str>,
        datasets: &Datasets,
    ) -> Option<OptionsFilter> {
        let Some(dataset) = dataset.and_then(|id| datasets.get(id)) else {
            self.diags.error(
                position_of(node),
                "« filter » ne va qu'avec « options_from » : il garde certaines options d'un jeu de données",
            );
            return None;
        };
        let entries = node.as_mapping().map(|m| m.iter().collect::<Vec<_>>());
        let Some([(field, step)]) = entries.as_deref() else {
            self.diags.error(
                position_of(node),
                "« filter » s'écrit { champ: étape }, par exemple { commune: lieu } : les options dont le champ « commune » est la réponse à l'étape « lieu »",
            );
            return None;
        };
        let field_name = field.as_str().to_string();
        if !dataset.fields.contains_key(&field_name) {
            let known: Vec<&str> = dataset.fields.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                format!("« {} » ne déclare aucun champ (« fields »)", dataset.id)
            } else {
                format!("champs de « {} » : {}", dataset.id, known.join(", "))
            };
            self.diags.error(
                scalar_position(field),
                format!("« filter » : champ inconnu « {field_name} » ({known})"),
            );
            return None;
        }
        let step = self.id(step, "filter")?;
        Some(OptionsFilter {
            field: field_name,
            step,
        })
    }

    pub(super) fn date_bound(&mut self, node: &Node, key: &str) -> Option<DateBound> {
        let text = self.string(node, key)?;
        let bound = parse_date_bound(&text);
        if bound.is_none() {
            self.diags.error(
                position_of(node),
                format!("« {key} » : « {text} » n'est pas une date comprise (today, today+90d, today-18y, today+6m, today+2w ou 2027-01-31)"),
            );
        }
        bound
    }
}

/// `today`, `today+90d`, `today-18y`, `today+6m`, `today+2w`, or `2027-01-31`.
pub fn parse_date_bound(text: &str) -> Option<DateBound> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(DateBound::Fixed(d));
    }
    let rest = text.strip_prefix("today")?.trim();
    if rest.is_empty() {
        return Some(DateBound::Relative { days: 0, months: 0 });
    }
    let (sign, rest) = match rest.chars().next()? {
        '+' => (1i64, &rest[1..]),
        '-' => (-1i64, &rest[1..]),
        _ => return None,
    };
    let rest = rest.trim();
    let unit = rest.chars().last()?;
    let amount: i64 = rest[..rest.len() - unit.len_utf8()].trim().parse().ok()?;
    if amount > 100_000 {
        return None;
    }
    let amount = sign * amount;
    match unit {
        'd' => Some(DateBound::Relative {
            days: amount,
            months: 0,
        }),
        'w' => Some(DateBound::Relative {
            days: amount * 7,
            months: 0,
        }),
        'm' => Some(DateBound::Relative {
            days: 0,
            months: i32::try_from(amount).ok()?,
        }),
        'y' => Some(DateBound::Relative {
            days: 0,
            months: i32::try_from(amount * 12).ok()?,
        }),
        _ => None,
    }
}
