//! Bookings with real availability, offline, with conflicts told honestly: the real `kiosk`
//! and `backend` processes on 127.0.0.1, the shipped village-hall flow played by the
//! simulator, the availability snapshot synced into the kiosks' SQLite, and the fault proxy.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use e2e::proxy::Proxy;
use e2e::{Backend, Kiosk};
use kiosk_flow::booking::{Availability, BookingRequest, DayFree};
use kiosk_flow::calendar::is_public_holiday;
use kiosk_flow::model::display::MONTHS;
use kiosk_flow::runtime::{Submission, SubmittedAnswer};
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;

/// Duisans (INSEE 62279): the village hall the example script books.
const HALL: &str = "salle-62279";
const CHAIRS: &str = "materiel-chaises";

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The first Saturday at least `ahead` days from today that is not a public holiday.
fn saturday_after(ahead: u64) -> NaiveDate {
    let mut day = today().checked_add_days(Days::new(ahead)).expect("date");
    while day.weekday() != Weekday::Sat || is_public_holiday(day) {
        day = day.succ_opt().expect("date");
    }
    day
}

fn backend_ok(dir: &Path, args: &[&str]) -> String {
    let out = Backend::command(dir, args).expect("backend command");
    assert!(
        out.status.success(),
        "backend {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The village-hall example script, with the date said as « le 13 mars 2027 ».
fn hall_script(day: NaiveDate) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("flows/examples/salle-des-fetes.txt"))
        .expect("example script");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if l.starts_with("le seize janvier") {
                format!(
                    "le {} {} {}",
                    day.day(),
                    MONTHS[day.month0() as usize],
                    day.year()
                )
            } else {
                l.to_string()
            }
        })
        .collect()
}

/// Plays the village-hall flow with `--submit`: the transcript and the JSON result.
fn book_hall(kiosk: &Kiosk, day: NaiveDate) -> (String, serde_json::Value) {
    let file = kiosk
        .dir
        .with_extension(format!("{}.txt", rand::random::<u32>()));
    std::fs::write(&file, hall_script(day).join("\n") + "\n").expect("script");
    let out = kiosk
        .run(&[
            "simulate",
            &repo().join("flows/salle-des-fetes.yaml").to_string_lossy(),
            "--answers",
            &file.to_string_lossy(),
            "--today",
            &today().to_string(),
            "--submit",
            "--json",
        ])
        .expect("simulate");
    let transcript = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{transcript}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    (transcript, json)
}

/// `kiosk status RECEIPT`: the back end's answer.
fn status(kiosk: &Kiosk, receipt: &str) -> serde_json::Value {
    let out = kiosk.run(&["status", receipt]).expect("status");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status JSON")
}

fn snapshot(kiosk: &Kiosk) -> Availability {
    kiosk
        .store()
        .expect("store")
        .availability()
        .expect("read")
        .expect("a snapshot was synced")
        .0
}

fn enrolled(backend: &Backend, url: &str, dir: &Path, name: &str) -> Kiosk {
    let kiosk = Kiosk::new(&dir.join(name));
    let code = backend.add_kiosk(name).expect("kiosk add");
    kiosk.enroll(url, &code).expect("enroll");
    kiosk
}

#[test]
fn two_kiosks_offline_book_the_same_hall_day_and_exactly_one_is_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("backend");
    let mut backend = Backend::start(&data).expect("backend");
    backend_ok(
        &data,
        &[
            "resource",
            "add",
            HALL,
            "--name",
            "Salle des fêtes de Duisans",
            "--kind",
            "salle",
            "--service",
            "reservations",
            "--commune",
            "Duisans",
            "--auto-confirm",
        ],
    );
    let day = saturday_after(30);
    let blocked = day.checked_add_days(Days::new(14)).expect("date");
    backend_ok(
        &data,
        &[
            "resource",
            "block",
            HALL,
            &blocked.to_string(),
            "--note",
            "Travaux",
        ],
    );
    let a = enrolled(&backend, &backend.url, dir.path(), "borne-duisans");
    let b = enrolled(&backend, &backend.url, dir.path(), "borne-avesnes");

    // Both kiosks offline: each takes a hold on the same day, said as a hold.
    backend.kill();
    let mut receipts = Vec::new();
    for kiosk in [&a, &b] {
        let (transcript, json) = book_hall(kiosk, day);
        assert!(
            transcript.contains("Votre demande est notée pour le"),
            "{transcript}"
        );
        assert!(transcript.contains("La mairie de Duisans la confirmera."));
        assert_eq!(json["submission"]["booking"]["resource"], HALL, "{json}");
        assert_eq!(json["submission"]["booking"]["day"], day.to_string());
        receipts.push(
            json["outcome"]["receipt"]
                .as_str()
                .expect("receipt")
                .to_string(),
        );
    }

    // Back online: both sync at once.
    backend.restart().expect("restart");
    std::thread::scope(|s| {
        for kiosk in [&a, &b] {
            s.spawn(move || kiosk.sync_until_empty(20).expect("delivered"));
        }
    });
    let states: Vec<serde_json::Value> = receipts
        .iter()
        .map(|r| status(&a, r)["booking"].clone())
        .collect();
    let confirmed: Vec<_> = states
        .iter()
        .filter(|s| s["state"] == "confirmed")
        .collect();
    let declined: Vec<_> = states.iter().filter(|s| s["state"] == "declined").collect();
    assert_eq!((confirmed.len(), declined.len()), (1, 1), "{states:?}");
    let declined = declined[0];
    assert_eq!(declined["reason"], "la salle est déjà prise", "{declined}");
    let alternatives = declined["alternatives"].as_array().expect("alternatives");
    assert!(!alternatives.is_empty(), "{declined}");
    assert!(!alternatives.contains(&serde_json::Value::from(day.to_string())));
    assert!(!alternatives.contains(&serde_json::Value::from(blocked.to_string())));
    // A retry changes nothing: both sync again, the decisions stay.
    for kiosk in [&a, &b] {
        kiosk.sync_until_empty(3).expect("nothing left");
    }
    for (receipt, before) in receipts.iter().zip(&states) {
        assert_eq!(&status(&b, receipt)["booking"], before);
    }

    // The next snapshot shows the day taken, the blocked day and public holidays closed.
    let snap = snapshot(&a);
    assert_eq!(snap.day_free(HALL, day, 1), DayFree::Taken { left: 0 });
    assert_eq!(snap.day_free(HALL, blocked, 1), DayFree::Closed);
    let holiday = (1..=365)
        .filter_map(|n| today().checked_add_days(Days::new(n)))
        .find(|d| is_public_holiday(*d))
        .expect("a public holiday within a year");
    assert_eq!(snap.day_free(HALL, holiday, 1), DayFree::Closed);
    assert_eq!(
        snap.day_free(HALL, day.succ_opt().expect("date"), 1),
        DayFree::Free
    );

    // A third citizen, offline again, asks for that day: told it is taken, offered the
    // nearest free day, and the hold goes for that one.
    backend.kill();
    let (transcript, json) = book_hall(&a, day);
    assert!(
        transcript.contains("la salle est déjà prise. Le plus proche est le"),
        "{transcript}"
    );
    let booked: NaiveDate = json["submission"]["booking"]["day"]
        .as_str()
        .expect("day")
        .parse()
        .expect("date");
    assert_ne!(booked, day);
    assert_ne!(booked, blocked);
    // The blocked day and the holiday are refused too, never offered.
    for refused in [blocked, holiday] {
        if refused < today().checked_add_days(Days::new(7)).expect("date") {
            continue;
        }
        let (transcript, json) = book_hall(&a, refused);
        let offered = json["submission"]["booking"]["day"].as_str().expect("day");
        assert_ne!(offered, refused.to_string(), "{transcript}");
    }
}

/// A request for `quantity` chairs on `day`, as the equipment flow seals it.
fn chairs(day: NaiveDate, quantity: u32) -> Submission {
    let answer = |id: &str, value: serde_json::Value, display: &str| SubmittedAnswer {
        step_id: id.to_string(),
        label: id.to_string(),
        value,
        display: display.to_string(),
        dataset: None,
        details: Default::default(),
    };
    Submission {
        flow_id: "pret-materiel".to_string(),
        flow_version: 3,
        service: "reservations".to_string(),
        answers: vec![
            answer("materiel", "chaises".into(), "Des chaises"),
            answer("quantite", quantity.into(), &quantity.to_string()),
            answer("date", day.to_string().into(), &day.to_string()),
        ],
        urgent: false,
        booking: Some(BookingRequest {
            resource: CHAIRS.to_string(),
            day,
            quantity,
        }),
    }
}

#[test]
fn equipment_never_goes_below_zero_with_four_kiosks_through_a_faulty_network() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("backend");
    let backend = Backend::start(&data).expect("backend");
    backend_ok(
        &data,
        &[
            "resource",
            "add",
            CHAIRS,
            "--name",
            "Chaises",
            "--kind",
            "materiel",
            "--service",
            "reservations",
            "--quantity",
            "40",
            "--per-booking",
            "10",
            "--auto-confirm",
        ],
    );
    let target = backend
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let proxy = Proxy::start(target, 15).expect("proxy");
    let days = [saturday_after(20), saturday_after(27)];
    let kiosks: Vec<Kiosk> = (0..4)
        .map(|i| enrolled(&backend, &proxy.url, dir.path(), &format!("borne-{i}")))
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let mut asked: BTreeMap<String, (NaiveDate, u32)> = BTreeMap::new();
    for kiosk in &kiosks {
        let store = kiosk.store().expect("store");
        for n in 0..12 {
            let (day, quantity) = (days[n % 2], rng.gen_range(1..=10));
            let queued = store
                .queue_submission(&chairs(day, quantity))
                .expect("queued");
            asked.insert(queued.receipt, (day, quantity));
        }
    }

    proxy.set_faults(true);
    std::thread::scope(|s| {
        for kiosk in &kiosks {
            s.spawn(move || kiosk.sync_until_empty(200).expect("drained despite faults"));
        }
    });
    use std::sync::atomic::Ordering::SeqCst;
    let c = &proxy.counts;
    assert!(c.cut.load(SeqCst) + c.reset.load(SeqCst) + c.answer_500.load(SeqCst) > 0);
    proxy.set_faults(false);

    // Every request arrived once and was decided; what is confirmed fits in the 40 chairs.
    let db = rusqlite::Connection::open(data.join("backend.sqlite3")).expect("backend db");
    let mut confirmed: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut declined = 0;
    for (receipt, (day, quantity)) in &asked {
        let (state, booked_day, booked): (String, String, u32) = db
            .query_row(
                "SELECT b.state, b.day, b.quantity FROM bookings b \
                 JOIN submissions s ON s.id = b.submission_id WHERE s.receipt = ?1",
                [receipt],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("one booking per request");
        assert_eq!((booked_day, booked), (day.to_string(), *quantity));
        match state.as_str() {
            "confirmed" => *confirmed.entry(*day).or_default() += quantity,
            "declined" => declined += 1,
            other => panic!("a booking left {other} on a resource that confirms"),
        }
    }
    let rows: i64 = db
        .query_row("SELECT count(*) FROM bookings", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows as usize, asked.len(), "a booking filed twice");
    for (day, total) in &confirmed {
        assert!(*total <= 40, "{total} chairs confirmed on {day}");
    }
    // 48 requests of about 5 chairs on two days of 40: some had to be declined.
    assert!(declined > 0);
    // And the next snapshot says what is left, never below zero.
    kiosks[0].sync_until_empty(5).expect("sync");
    let snap = snapshot(&kiosks[0]);
    for day in days {
        let left = 40 - confirmed.get(&day).copied().unwrap_or(0);
        let expected = if left == 0 {
            DayFree::Taken { left: 0 }
        } else {
            DayFree::Free
        };
        assert_eq!(snap.day_free(CHAIRS, day, 1), expected, "{day}");
        if left > 0 {
            assert_eq!(
                snap.day_free(CHAIRS, day, left + 1),
                DayFree::Taken { left }
            );
        }
    }
}
