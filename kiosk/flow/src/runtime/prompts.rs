//! The built-in phrases, and every fixed text the kiosk may say (for the voice cache).

use crate::model::{Flow, QuestionKind, StepBody, Text};

// Built-in phrases, in plain French.
pub(crate) const NOT_UNDERSTOOD: &str = "Je n'ai pas compris.";
pub(crate) const NOT_HEARD: &str = "Je ne vous ai pas entendu.";
pub(super) const TRY_TOUCH: &str = "Vous pouvez aussi toucher votre réponse sur l'écran.";
pub(super) const IS_IT_RIGHT: &str = "C'est bien ça ?";
pub(super) const ALL_RIGHT: &str = "Est-ce que tout est juste ?";
pub(super) const WHAT_TO_CHANGE: &str = "Que voulez-vous changer ?";
pub(super) const REALLY_CANCEL: &str =
    "Voulez-vous vraiment arrêter ? Vos réponses seront effacées.";
pub(super) const CANCELLED: &str = "D'accord. Vos réponses sont effacées. Au revoir.";
pub(super) const AT_START: &str = "Vous êtes au début.";
pub(super) const RESTARTING: &str = "D'accord. On recommence.";
pub(super) const HELP_CALLED: &str = crate::machine::phrases::HELP_NOTED;
pub(super) const SLOWER: &str = "D'accord. Je parle plus lentement.";
pub(super) const LOUDER: &str = "D'accord. Je parle plus fort.";
pub(super) const CONTINUE_HELP: &str = "Pour continuer, touchez Suivant, ou dites : suivant.";
pub(super) const COMMANDS_HELP: &str =
    "Vous pouvez dire : répéter, retour, ou je veux parler à quelqu'un.";
pub(super) const SAVING: &str = "J'enregistre votre demande.";
pub(super) const STORE_FAILED: &str =
    "Je n'arrive pas à enregistrer votre demande. Touchez Suivant pour réessayer, ou appelez quelqu'un.";
pub(crate) const NO_ANSWER: &str = "non renseigné";
pub(super) const REQUIRED: &str = "Cette question est obligatoire.";
pub(super) const SKIPPED: &str = "D'accord, on passe cette question.";
pub(super) const SKIP_HINT: &str =
    "Cette question n'est pas obligatoire : vous pouvez dire « passer », ou toucher Passer.";
pub(super) const SEVERAL_HINT: &str =
    "Vous pouvez en choisir plusieurs. Quand vous avez fini, dites : c'est tout.";
pub(super) const ANYTHING_ELSE: &str = "Autre chose ? Sinon, dites : c'est tout.";
pub(super) const NOTHING_CHOSEN_YET: &str = "Vous n'avez encore rien choisi.";
// The privacy notice (the notice itself comes from the flow and its service).
pub(super) const NOTICE_CONTINUE: &str =
    "Pour continuer, dites : suivant. Pour tout lire, dites : lire en entier.";
pub(super) const NOTICE_FULL_CONTINUE: &str = "Pour continuer, dites : suivant.";
pub(super) const NOTICE_REFUSED: &str =
    "Sans ces informations, la demande ne peut pas être envoyée. Voulez-vous arrêter ?";
pub(super) const NOTICE_HELP: &str =
    "Ce texte dit ce que deviennent vos réponses. Pour continuer, dites : suivant. Pour tout lire, dites : lire en entier. Si vous ne voulez pas donner ces informations, dites : je ne veux pas.";
pub(super) const NOTICE_PRINTING: &str = "J'imprime le texte en entier.";
pub(super) const NOTICE_NO_PRINTER: &str = "Cette borne n'a pas d'imprimante.";
pub(super) const CONTINUE_WORDS: [&str; 6] = [
    "suivant",
    "continuer",
    "ok",
    "okay",
    "c'est bon",
    "la suite",
];

/// Every text the kiosk may say in `flow` that does not depend on the answers: the steps' spoken
/// forms without `{references}`, their help and reprompts, and the built-in phrases. The voice
/// layer synthesizes them ahead of time (it caches sentence by sentence, so a prompt composed of
/// these texts, such as a notice followed by a question, is served from the cache too).
pub fn fixed_prompts(flow: &Flow) -> Vec<String> {
    let mut texts: Vec<String> = [
        NOT_UNDERSTOOD,
        NOT_HEARD,
        TRY_TOUCH,
        IS_IT_RIGHT,
        ALL_RIGHT,
        WHAT_TO_CHANGE,
        REALLY_CANCEL,
        CANCELLED,
        AT_START,
        RESTARTING,
        HELP_CALLED,
        SLOWER,
        LOUDER,
        CONTINUE_HELP,
        COMMANDS_HELP,
        SAVING,
        STORE_FAILED,
        REQUIRED,
        SKIPPED,
        SKIP_HINT,
        SEVERAL_HINT,
        ANYTHING_ELSE,
        NOTHING_CHOSEN_YET,
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    texts.extend(super::notice::notice_prompts(flow));
    let mut offers = Vec::new();
    let mut add = |text: &Text| {
        let spoken = text.spoken();
        if spoken.references().next().is_none() {
            texts.push(spoken.render(|_| String::new()));
        }
    };
    for step in &flow.steps {
        match &step.body {
            StepBody::Info { text, .. }
            | StepBody::Summary { text, .. }
            | StepBody::Submit { text, .. }
            | StepBody::End { text } => add(text),
            StepBody::Question(question) => {
                add(&question.ask);
                add(&question.help);
                add(&question.reprompt);
                if let QuestionKind::Date { allowed, .. } = &question.kind {
                    offers.extend(super::date_offer::fixed_prompts(allowed));
                }
            }
        }
    }
    texts.extend(offers);
    let mut seen = std::collections::HashSet::new();
    texts.retain(|t| !t.trim().is_empty() && seen.insert(t.clone()));
    texts
}
