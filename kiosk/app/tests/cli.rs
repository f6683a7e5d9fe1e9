//! The `kiosk` binary end to end: every shipped flow checks clean and plays each of its
//! answer scripts to the end; `flow check` and `understand` behave as documented.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the kiosk binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn shipped_flows_check_clean() {
    let out = kiosk(&["flow", "check", "flows/"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "", "no warning either");
}

/// Every answer script in flows/examples/ plays its flow to the end.
#[test]
fn every_example_script_plays_to_the_end() {
    let examples = repo().join("flows/examples");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("flows/examples exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    scripts.sort();
    let flows: Vec<PathBuf> = std::fs::read_dir(repo().join("flows"))
        .expect("flows exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let mut failures = Vec::new();
    for flow in &flows {
        let id = flow
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let own: Vec<&PathBuf> = scripts
            .iter()
            .filter(|s| {
                let stem = s.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                stem == id
                    || stem
                        .strip_prefix(id)
                        .is_some_and(|rest| rest.starts_with('-'))
                        && !flows
                            .iter()
                            .any(|f| f.file_stem().and_then(|s| s.to_str()) == Some(stem))
            })
            .collect();
        if own.is_empty() {
            failures.push(format!("{id}: no answer script in flows/examples/"));
        }
        for script in own {
            let out = kiosk(&[
                "simulate",
                &flow.to_string_lossy(),
                "--answers",
                &script.to_string_lossy(),
                "--today",
                "2026-11-28",
                "--json",
            ]);
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            if !out.status.success() || json["outcome"].is_null() {
                failures.push(format!(
                    "{}: did not play to the end\n{}",
                    script.display(),
                    text(&out.stderr)
                        .lines()
                        .rev()
                        .take(25)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn street_light_report_submits_what_was_said() {
    let out = kiosk(&[
        "simulate",
        "flows/eclairage-public.yaml",
        "--answers",
        "flows/examples/eclairage-public.txt",
        "--today",
        "2026-11-28",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["flow_id"], "eclairage-public");
    assert_eq!(json["outcome"]["outcome"], "submitted");
    let receipt = json["outcome"]["receipt"].as_str().expect("a receipt code");
    assert_eq!(receipt.len(), 7);
    assert_eq!(json["answers"]["telephone"], "0612345678");
    assert_eq!(json["answers"]["rappel"], true);
    assert_eq!(json["service"], "voirie");
    let transcript = text(&out.stderr);
    assert!(transcript.contains("Vous avez dit : 06 12 34 56 78. C'est bien ça ?"));
    assert!(transcript.contains(receipt));
}

/// One-button mode: the shipped street-light script made of button presses and waits only
/// (`flows/examples/eclairage-public-un-bouton.txt`) submits the report, and the transcript
/// shows the item highlighted.
#[test]
fn street_light_report_with_the_button_only() {
    let script = "flows/examples/eclairage-public-un-bouton.txt";
    let lines = std::fs::read_to_string(repo().join(script)).expect("script");
    assert!(lines
        .lines()
        .filter(|l| !l.starts_with('#'))
        .all(|l| l == "attendre" || l.starts_with("bouton:parler")));
    let out = kiosk(&[
        "simulate",
        "flows/eclairage-public.yaml",
        "--answers",
        script,
        "--today",
        "2026-11-28",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["outcome"]["outcome"], "submitted");
    assert_eq!(json["answers"]["commune"], "62820");
    assert_eq!(json["answers"]["lieu"], "rue haute");
    assert_eq!(json["answers"]["probleme"], "clignote");
    assert_eq!(json["answers"]["telephone"], "0612345678");
    let transcript = text(&out.stderr);
    assert!(transcript.contains("un bouton oui, 2 s par choix"));
    assert!(transcript.contains("BOUTON: De R à W : ▶ De Rebreuve-sur-Canche"));
    assert!(transcript.contains("▶ Tincques ◀"));
    assert!(transcript.contains("écrit : « rue haute »"));
}

#[test]
fn a_script_that_stops_early_fails_and_says_where() {
    let dir = std::env::temp_dir().join(format!("kiosk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("court.txt");
    std::fs::write(&script, "suivant\n").expect("write");
    let out = kiosk(&[
        "simulate",
        "flows/eclairage-public.yaml",
        "--answers",
        &script.to_string_lossy(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("étape « commune »"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn flow_check_reports_file_line_column_and_fails() {
    let dir = std::env::temp_dir().join(format!("kiosk-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("mauvais.yaml");
    std::fs::write(
        &bad,
        "id: essai\nversion: 1\ntitle: Essai\nkind: report\nservice: voirie\ndescription: Un essai.\ntitel: Oups\nsteps:\n  - id: fin\n    end: Au revoir.\n",
    )
    .expect("write");
    let out = kiosk(&["flow", "check", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("mauvais.yaml:7:1: clé inconnue « titel »"),
        "{stdout}"
    );
}

/// A flow that asks a phone number finds its service's privacy notice in `services/` beside
/// it; without that file, `flow check` says which file to add, at the `service:` line; a
/// notice template with a value left to write, or a service described twice, is refused.
#[test]
fn flow_check_finds_the_services_privacy_notices_beside_the_flows() {
    let dir = std::env::temp_dir().join(format!("kiosk-notices-{}", std::process::id()));
    let services = dir.join("services");
    std::fs::create_dir_all(&services).expect("temp dir");
    std::fs::write(
        dir.join("rappel.yaml"),
        "id: rappel-voirie\nversion: 1\ntitle: Être rappelé\nkind: report\nservice: voirie\ndescription: Un agent vous rappelle.\nprivacy:\n  purpose: vous rappeler\n  retention: un mois\nsteps:\n  - id: telephone\n    ask: Votre numéro ?\n    label: Téléphone\n    type: phone\n    help: Dites votre numéro.\n    reprompt: Redites votre numéro.\n  - id: resume\n    summary: Voici votre demande.\n  - id: envoi\n    submit: Merci. Votre code est {recu}.\n",
    )
    .expect("write");
    let check = || kiosk(&["flow", "check", &dir.to_string_lossy()]);
    let out = check();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rappel.yaml:5:10: aucune notice sur les données pour le service « voirie » : ajoutez le fichier services/voirie.yaml"),
        "{stdout}"
    );

    let notice =
        std::fs::read_to_string(repo().join("flows/services/voirie.yaml")).expect("notice");
    std::fs::write(services.join("voirie.yaml"), &notice).expect("write");
    let out = check();
    assert!(out.status.success(), "{}", text(&out.stdout));

    std::fs::write(services.join("voirie2.yaml"), &notice).expect("write");
    std::fs::write(
        services.join("modele.yaml"),
        notice
            .replace("service: voirie", "service: modele")
            .replace("dpo: dpo@campagnesartois.fr", "dpo: dpo@…"),
    )
    .expect("write");
    let out = check();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("voirie2.yaml:4:1: le service « voirie » a déjà sa notice dans"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("modele.yaml:8:6: « dpo » contient « … » : écrivez le vrai texte à la place"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A flow saved in Windows-1252 gets the same French message from every command that reads
/// it, and one saved by Windows Notepad (byte-order mark, CRLF) is accepted.
#[test]
fn a_file_not_in_utf8_is_refused_alike_by_check_and_simulate() {
    let dir = std::env::temp_dir().join(format!("kiosk-encoding-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let flow = |id: &str, description: &[u8]| {
        [
            format!("id: {id}\r\nversion: 1\r\ntitle: Essai\r\nkind: report\r\nservice: voirie\r\ndescription: ").as_bytes(),
            description,
            b"\r\nsteps:\r\n  - id: fin\r\n    end: Au revoir.\r\n",
        ]
        .concat()
    };
    let windows = dir.join("windows.yaml");
    std::fs::write(&windows, flow("windows", b"Un essai \xE0 la mairie.")).expect("write");
    let notepad = [
        b"\xEF\xBB\xBF".as_slice(),
        &flow("notepad", "Un essai à la mairie.".as_bytes()),
    ]
    .concat();
    std::fs::write(dir.join("notepad.yaml"), notepad).expect("write");
    let message = "windows.yaml:6:23: le fichier n'est pas enregistré en UTF-8 : ici, « à » est sans doute écrit en Windows-1252 (ou ISO-8859-1). Dans votre éditeur, choisissez « Enregistrer sous » puis l'encodage « UTF-8 »";

    let out = kiosk(&["flow", "check", &dir.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.trim_end().ends_with(message), "{stdout}");

    let out = kiosk(&["simulate", &windows.to_string_lossy()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.lines().any(|l| l.ends_with(message)), "{stderr}");
    assert!(!stderr.contains('\u{FFFD}'), "{stderr}");
}

#[test]
fn understand_prints_one_json_object() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--kind",
                "phone",
                "plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit",
            ],
            r#"{"command":null,"value":"0612345678"}"#,
        ),
        (
            &["--kind", "date", "--today", "2026-11-28", "demain"],
            r#"{"command":null,"value":"2026-11-29"}"#,
        ),
        (
            &["--kind", "yes_no", "je veux parler à quelqu'un"],
            r#"{"command":"human","value":null}"#,
        ),
        (
            &["--kind", "number", "j'ai deux enfants"],
            r#"{"command":null,"value":2}"#,
        ),
        (
            &[
                "--kind",
                "choice",
                "--option",
                "salle=salle des fêtes|la grande salle",
                "--option",
                "barnum=tente|chapiteau",
                "--",
                "la grande salle",
            ],
            r#"{"command":null,"value":"salle"}"#,
        ),
        (
            &["--kind", "time", "midi et quart"],
            r#"{"command":null,"value":"12:15"}"#,
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["understand"];
        all.extend_from_slice(args);
        let out = kiosk(&all);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let want: serde_json::Value = serde_json::from_str(expected).expect("JSON");
        assert_eq!(got, want, "{args:?}");
    }
}

#[test]
fn a_folder_opens_the_home_menu_by_kind() {
    let dir = std::env::temp_dir().join(format!("kiosk-menu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("menu.txt");
    // A touch on the attract screen, the home menu by kind, then the flow by voice.
    let mut lines = String::from("touch\nun lampadaire ne marche plus\n");
    lines.push_str(
        &std::fs::read_to_string(repo().join("flows/examples/eclairage-public.txt"))
            .expect("script"),
    );
    std::fs::write(&script, lines).expect("write");
    let out = kiosk(&[
        "simulate",
        "flows/",
        "--answers",
        &script.to_string_lossy(),
        "--today",
        "2026-11-28",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let transcript = text(&out.stderr);
    let report = transcript
        .find("Signaler un problème")
        .expect("reports heading");
    let booking = transcript.find("Réserver").expect("bookings heading");
    let procedure = transcript
        .find("Faire une démarche")
        .expect("procedures heading");
    assert!(report < booking && booking < procedure);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["flow_id"], "eclairage-public");
}

/// A date on Tuesdays only: the simulator prints the rule with the calendar, and a Wednesday
/// said gets the nearest Tuesday offered.
#[test]
fn simulate_prints_the_days_a_date_accepts() {
    let dir = std::env::temp_dir().join(format!("kiosk-days-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let flow = dir.join("encombrants.yaml");
    std::fs::write(
        &flow,
        "id: encombrants\nversion: 1\ntitle: Encombrants\nkind: booking\nservice: dechets\n\
         description: Demander un passage.\nsteps:\n  - id: jour\n    ask: Quel jour ?\n    \
         label: Jour\n    type: date\n    earliest: today+1d\n    latest: today+6m\n    \
         weekdays: [mardi]\n    exclude: [jours-feries]\n    help: Dites un mardi.\n    \
         reprompt: Dites un mardi.\n  - id: resume\n    summary: Voici.\n  - id: envoi\n    \
         submit: Merci.\n",
    )
    .expect("write the flow");
    let script = dir.join("encombrants.txt");
    std::fs::write(&script, "demain\noui\noui\n").expect("write the script");
    let out = kiosk(&[
        "simulate",
        &flow.to_string_lossy(),
        "--answers",
        &script.to_string_lossy(),
        "--today",
        "2026-12-01",
        "--json",
    ]);
    let transcript = text(&out.stderr);
    assert!(out.status.success(), "{transcript}");
    assert!(
        transcript
            .contains("calendrier du 2026-12-02 au 2027-06-01 : le mardi, sauf les jours fériés"),
        "{transcript}"
    );
    assert!(
        transcript.contains(
            "seuls les mardis sont possibles. Le plus proche est le mardi 8 décembre 2026."
        ),
        "{transcript}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["answers"]["jour"], "2026-12-08");
}

/// A kiosk configured with the published default supervisor PIN refuses to start, with a
/// message in French and English, and the exit code the systemd unit does not restart on.
#[test]
fn run_refuses_the_published_default_pin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "[supervisor]\npin = \"2468\"\n").expect("write kiosk.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--config", config.to_str().expect("utf-8 path"), "run"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the kiosk binary runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("code superviseur est le code publié"),
        "{stderr}"
    );
    assert!(stderr.contains("published default"), "{stderr}");
}

/// The front panel in an answer script: someone arrives, holds « Aide », presses « Parler »
/// and says what they came for, then leaves: the idle time is the shorter one.
#[test]
fn the_front_panel_lines_drive_the_simulator() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("panel.txt");
    let mut lines = String::from(
        "presence:oui\nbouton:aide-long\nbouton:parler\nun lampadaire ne marche plus\n",
    );
    lines.push_str(
        &std::fs::read_to_string(repo().join("flows/examples/eclairage-public.txt"))
            .expect("script"),
    );
    lines.push_str("presence:non\nattendre\n");
    std::fs::write(&script, lines).expect("write");
    let out = kiosk(&[
        "simulate",
        "flows/",
        "--answers",
        &script.to_string_lossy(),
        "--today",
        "2026-11-28",
    ]);
    let transcript = text(&out.stdout);
    assert!(out.status.success(), "{}\n{transcript}", text(&out.stderr));
    let greeting = transcript.find("VOIX  : Bonjour.").expect("greeted");
    let call = transcript
        .find("(appel à l'aide noté pour les ambassadeurs : parcours accueil, étape menu)")
        .expect("a call for help");
    assert!(greeting < call, "{transcript}");
    assert!(transcript.contains("Demande : parcours eclairage-public"));
    // Gone from the end screen: the absent time (15 s by default), not the end screen's 90.
    let left = transcript.rfind("> presence:non").expect("left");
    assert!(
        transcript[left..].contains("(15 s plus tard)"),
        "{}",
        &transcript[left..]
    );
    assert!(transcript[left..].contains("── Accueil"));

    // A typo on a panel line is refused with its line, not heard as speech.
    std::fs::write(&script, "presence:oui\nbouton:parle\n").expect("write");
    let out = kiosk(&["simulate", "flows/", "--answers", &script.to_string_lossy()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("ligne 2 : « bouton:parle »"), "{err}");
    assert!(err.contains("bouton:aide-long"), "{err}");
}
