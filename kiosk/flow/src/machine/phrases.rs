//! The kiosk's own sentences outside flows, in plain French. Every one of them is fixed (no
//! answer in it), so the voice layer may synthesize and cache them ahead of time.

pub const ATTRACT_INVITATION: &str =
    "Bonjour ! Touchez l'écran ou dites « bonjour » pour commencer.";
pub const HOME_QUESTION: &str = "Que voulez-vous faire ?";
pub const HOME_GREETING: &str = "Bonjour.";
/// The same words as a question's misunderstanding.
pub const HOME_NOT_UNDERSTOOD: &str = crate::runtime::NOT_UNDERSTOOD;
pub const HOME_REPROMPT: &str = "Dites ce que vous voulez faire, ou touchez une image.";
pub const HOME_TRY_TOUCH: &str = "Vous pouvez aussi toucher une image sur l'écran.";
pub const HOME_HELP: &str =
    "Choisissez ce que vous voulez faire. Dites-le, ou touchez une image. Vous pouvez dire : répéter, retour, ou je veux parler à quelqu'un.";
/// Said after the kinds (or the flows, when there is one kind only) on the home screen.
pub const HOME_STATUS_TOO: &str =
    "Pour savoir où en est une demande, dites : où en est ma demande.";
pub const HOME_WHERE: &str = "Vous êtes à l'accueil de la borne.";
pub const STILL_THERE: &str = "Vous êtes toujours là ? Touchez l'écran pour continuer.";
pub const GOODBYE: &str = "D'accord. Au revoir.";
pub const WIPED: &str = "Vos réponses sont effacées. Au revoir.";
/// "Non" to "Vous êtes toujours là ?": one goodbye, not [`GOODBYE`] then [`WIPED`].
pub const GOODBYE_WIPED: &str = "D'accord. Vos réponses sont effacées. Au revoir.";
pub const SLOWER: &str = "D'accord. Je parle plus lentement.";
pub const LOUDER: &str = "D'accord. Je parle plus fort.";
pub const DONE_HINT: &str = "Touchez Terminer quand vous avez fini.";
/// A call for help nobody has taken yet (or that has not reached the back end): it is
/// noted, nobody is promised; the citizen may go on or wait.
pub const HELP_NOTED: &str =
    "Votre appel est noté. Je vous dirai quand quelqu'un l'aura reçu. Vous pouvez continuer avec moi, ou attendre ici.";
/// An ambassador took the call and comes over (the back end said so).
pub const HELP_COMING: &str = "Quelqu'un a reçu votre appel et arrive.";
/// An ambassador took the call and will call back (the back end said so).
pub const HELP_CALLING_BACK: &str = "Quelqu'un a reçu votre appel et va vous rappeler.";
/// A kiosk not enrolled with the back end: the call goes nowhere.
pub const HELP_UNAVAILABLE: &str =
    "Cette borne ne peut appeler personne. Demandez à l'accueil, ou continuez avec moi.";

// One-button mode.
pub const ONE_BUTTON_OFFER_TITLE: &str = "Mode un bouton ?";
pub const ONE_BUTTON_OFFER: &str =
    "Voulez-vous le mode un bouton ? Les choix défilent un par un, et je les dis. Vous appuyez sur le bouton Parler pour choisir. Pour l'activer, appuyez maintenant sur le bouton Parler.";
pub const ONE_BUTTON_NOT_TAKEN: &str = "D'accord. Le mode un bouton n'est pas activé.";
pub const ONE_BUTTON_ON: &str =
    "Le mode un bouton est activé. Les choix défilent un par un. Appuyez sur le bouton Parler pour choisir. Pour arrêter ce mode, gardez le bouton appuyé.";
pub const ONE_BUTTON_OFF: &str = "Le mode un bouton est arrêté.";
pub const NOTHING_WRITTEN: &str = "Rien n'est écrit pour l'instant.";
/// Said after [`STILL_THERE`] in one-button mode.
pub const ONE_BUTTON_STILL_THERE: &str = "Vous pouvez aussi appuyer sur le bouton Parler.";

// The status lookup.
pub const LOOKUP_TITLE: &str = "Où en est ma demande ?";
pub const LOOKUP_ASK: &str =
    "Quel est votre code de suivi ? Il est écrit sur votre reçu. Dites-le lettre par lettre, ou tapez-le.";
pub const LOOKUP_REPROMPT: &str =
    "Je n'ai pas compris le code. Dites les six lettres et chiffres un par un. Par exemple : ka, sept, emme, quatre, pé, cu.";
pub const LOOKUP_HELP: &str =
    "Le code de suivi a six lettres et chiffres, par exemple K7M-4PQ. Il est écrit sur le reçu de votre demande. Dites-le un par un, ou tapez-le sur le clavier.";
pub const LOOKUP_WAITING: &str = "Je regarde où en est votre demande.";
pub const LOOKUP_NOT_FOUND: &str =
    "Je ne trouve pas de demande avec ce code. Vérifiez le code sur votre reçu. Si la demande est récente, revenez demain.";
pub const LOOKUP_OFFLINE: &str =
    "Je ne peux pas vérifier maintenant : la borne n'arrive pas à joindre les services. Revenez plus tard, par exemple demain.";
pub const LOOKUP_NOT_ENROLLED: &str =
    "Cette borne n'est pas encore reliée aux services de la communauté de communes. Elle ne peut pas vérifier une demande. Revenez plus tard, ou demandez à l'accueil.";
pub const LOOKUP_QUEUED: &str =
    "Votre demande est enregistrée sur cette borne. Elle sera envoyée dès que le réseau reviendra.";

// Ambassadors.
pub const PIN_WRONG: &str = "Code incorrect. Réessayez.";
pub const NOT_ENROLLED_NOTE: &str =
    "Borne non inscrite : les signalements et réservations ne sont pas proposés, car rien ne pourrait être envoyé. Inscrivez-la avec « kiosk enroll ».";

/// Every fixed sentence above that the kiosk says aloud.
pub const SPOKEN: &[&str] = &[
    HOME_QUESTION,
    HOME_GREETING,
    HOME_NOT_UNDERSTOOD,
    HOME_REPROMPT,
    HOME_TRY_TOUCH,
    HOME_HELP,
    HOME_STATUS_TOO,
    HOME_WHERE,
    STILL_THERE,
    GOODBYE,
    WIPED,
    GOODBYE_WIPED,
    SLOWER,
    LOUDER,
    HELP_NOTED,
    HELP_COMING,
    HELP_CALLING_BACK,
    HELP_UNAVAILABLE,
    LOOKUP_ASK,
    LOOKUP_REPROMPT,
    LOOKUP_HELP,
    LOOKUP_WAITING,
    LOOKUP_NOT_FOUND,
    LOOKUP_OFFLINE,
    LOOKUP_NOT_ENROLLED,
    LOOKUP_QUEUED,
    ONE_BUTTON_OFFER,
    ONE_BUTTON_NOT_TAKEN,
    ONE_BUTTON_ON,
    ONE_BUTTON_OFF,
    NOTHING_WRITTEN,
    ONE_BUTTON_STILL_THERE,
];
