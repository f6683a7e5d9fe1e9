//! The terminal simulator plays the kiosk as the touchscreen does: one person after another,
//! submissions sealed into the real outbox, the status of a request asked of the real back end.

use e2e::{Backend, Kiosk};
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn script(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

/// A script line per answer of an example script (comments and blanks left out).
fn example(name: &str) -> Vec<String> {
    std::fs::read_to_string(repo().join("flows/examples").join(name))
        .expect("example script")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn simulate(kiosk: &Kiosk, dir: &Path, lines: &[String]) -> (bool, String, serde_json::Value) {
    let file = dir.join(format!("script-{}.txt", rand::random::<u32>()));
    std::fs::write(&file, lines.join("\n") + "\n").expect("script");
    let out = kiosk
        .run(&[
            "simulate",
            &repo().join("flows").to_string_lossy(),
            "--answers",
            &file.to_string_lossy(),
            "--today",
            "2026-11-28",
            "--submit",
            "--json",
        ])
        .expect("simulate");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        json,
    )
}

#[test]
fn two_citizens_in_one_run_queue_two_submissions_and_a_status_lookup_says_traite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Backend::start(&dir.path().join("backend")).expect("backend");
    let kiosk = Kiosk::new(&dir.path().join("borne"));
    let code = backend.add_kiosk("borne-visites").expect("kiosk add");
    kiosk.enroll(&backend.url, &code).expect("enroll");

    // Two people, one after the other, each from the attract screen.
    let mut lines: Vec<String> = vec![
        "touch".into(),
        "touch:report".into(),
        "touch:eclairage-public".into(),
    ];
    lines.extend(example("eclairage-public.txt"));
    lines.push("touch:terminer".into());
    lines.extend(["touch".into(), "un trou sur la route".into()]);
    lines.extend(example("voirie.txt"));
    lines.push("touch:terminer".into());
    let (ok, transcript, json) = simulate(&kiosk, dir.path(), &lines);
    assert!(ok, "{transcript}");
    let visits = json["visits"].as_array().expect("visits");
    assert_eq!(visits.len(), 2, "{json}");
    assert_eq!(visits[0]["flow_id"], "eclairage-public");
    assert_eq!(visits[1]["flow_id"], "voirie");
    // The second person never sees the first one's answers.
    let second = transcript
        .rfind("Accueil (en attente d'une personne)")
        .map(|at| &transcript[at..])
        .unwrap_or_default();
    assert!(!second.contains("Duisans"), "{second}");
    let outbox = kiosk.run(&["outbox"]).expect("outbox");
    assert_eq!(String::from_utf8_lossy(&outbox.stdout).lines().count(), 2);

    // Delivered, then an agent sets the first one to « traité » with a note.
    kiosk.sync_until_empty(20).expect("everything delivered");
    let receipt = visits[0]["outcome"]["receipt"].as_str().expect("receipt");
    let out = Backend::command(
        &dir.path().join("backend"),
        &[
            "status",
            "set",
            receipt,
            "traite",
            "--note",
            "Le lampadaire est réparé.",
        ],
    )
    .expect("status set");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // At the kiosk: « Où en est ma demande ? », the code said letter by letter.
    let spoken: Vec<String> = receipt
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(letter_name)
        .collect();
    let lines: Vec<String> = vec![
        "touch".into(),
        "où en est ma demande".into(),
        spoken.join(" "),
        "oui".into(),
        "touch:terminer".into(),
    ];
    let (ok, transcript, _) = simulate(&kiosk, dir.path(), &lines);
    assert!(ok, "{transcript}");
    assert!(
        transcript.contains(&format!("Votre demande {receipt} est traitée.")),
        "{transcript}"
    );
    assert!(
        transcript.contains("Le lampadaire est réparé."),
        "{transcript}"
    );

    // Back end down: the kiosk says it cannot check now, and when to come back.
    drop(backend);
    let (ok, transcript, _) = simulate(&kiosk, dir.path(), &lines);
    assert!(ok, "{transcript}");
    assert!(
        transcript.contains("Je ne peux pas vérifier maintenant"),
        "{transcript}"
    );
    assert!(transcript.contains("Revenez plus tard"), "{transcript}");
}

#[test]
fn an_unenrolled_kiosk_offers_no_flow_that_sends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kiosk = Kiosk::new(&dir.path().join("borne"));
    let lines: Vec<String> = script(&["touch", "touch:suivi", "touch:terminer"])
        .lines()
        .map(str::to_string)
        .collect();
    let (ok, transcript, _) = simulate(&kiosk, dir.path(), &lines);
    // Every shipped flow sends something: only the status entry is offered, and it says why
    // it cannot check.
    assert!(transcript.contains("[suivi]"), "{transcript}");
    for kind in ["[report]", "[booking]", "[procedure]"] {
        assert!(!transcript.contains(kind), "{kind} offered:\n{transcript}");
    }
    assert!(
        transcript.contains("n'est pas encore reliée aux services"),
        "{transcript}"
    );
    assert!(ok, "{transcript}");
    let outbox = kiosk.run(&["outbox"]).expect("outbox");
    assert_eq!(String::from_utf8_lossy(&outbox.stdout).lines().count(), 0);
}

/// How a person says a character of a receipt code.
fn letter_name(c: char) -> String {
    match c {
        '2' => "deux",
        '3' => "trois",
        '4' => "quatre",
        '5' => "cinq",
        '6' => "six",
        '7' => "sept",
        '8' => "huit",
        '9' => "neuf",
        'A' => "a",
        'B' => "bé",
        'C' => "cé",
        'D' => "dé",
        'E' => "e",
        'F' => "effe",
        'G' => "gé",
        'H' => "ache",
        'J' => "ji",
        'K' => "ka",
        'L' => "elle",
        'M' => "emme",
        'N' => "enne",
        'P' => "pé",
        'Q' => "cu",
        'R' => "erre",
        'S' => "esse",
        'T' => "té",
        'U' => "u",
        'V' => "vé",
        'W' => "double vé",
        'X' => "ixe",
        'Y' => "i grec",
        'Z' => "zède",
        other => panic!("{other} is not in the receipt alphabet"),
    }
    .to_string()
}
