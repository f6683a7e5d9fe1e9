//! Software-renderer timings: a screen change (attract, home, a question, the keyboard)
//! drawn in full at 800x480 and 1280x800 (mean and p95), and the time from creating the
//! controller to the first attract frame. `cargo bench -p kiosk-ui`.

use kiosk_ui::headless::HeadlessWindow;
use kiosk_ui::{Controller, Host, Kiosk, NoVoice, Storage, UiConfig};
use slint::ComponentHandle;
use std::time::{Duration, Instant};

fn flows() -> Vec<std::sync::Arc<kiosk_flow::Flow>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut datasets = kiosk_flow::Datasets::new();
    let communes = std::fs::read_to_string(dir.join("data/communes.yaml")).expect("communes");
    if let Some(d) = kiosk_flow::load_dataset(&communes).value {
        datasets.insert(d.id.clone(), d);
    }
    let mut notices = kiosk_flow::ServiceNotices::new();
    let voirie = std::fs::read_to_string(dir.join("services/voirie.yaml")).expect("notice");
    if let Some(n) = kiosk_flow::load_service_notice(&voirie).value {
        notices.insert(n.service.clone(), n);
    }
    let text = std::fs::read_to_string(dir.join("eclairage-public.yaml")).expect("flow");
    vec![std::sync::Arc::new(
        kiosk_flow::load_flow_with(&text, &datasets, &notices)
            .value
            .expect("flow loads"),
    )]
}

fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>().as_secs_f64() / samples.len() as f64;
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)].as_secs_f64();
    (mean * 1000.0, p95 * 1000.0)
}

fn bench_size(w: u32, h: u32) {
    let started = Instant::now();
    let mut window = HeadlessWindow::install(w, h).expect("platform");
    let config = UiConfig {
        flows: flows(),
        ..UiConfig::default()
    };
    let controller =
        Controller::new(config, Host::new(Storage::Preview, None), Box::new(NoVoice)).expect("ui");
    controller.window().show().expect("show");
    window.render();
    let first_frame = started.elapsed();
    let k = controller.window().global::<Kiosk>();
    let mut samples = Vec::new();
    for i in 0..60 {
        // attract -> home -> welcome -> communes list -> keyboard, then back to attract.
        let t = Instant::now();
        match i % 5 {
            0 => k.invoke_start(),
            1 => k.invoke_choose_flow("eclairage-public".into()),
            2 => k.invoke_touched("suivant".into()),
            3 => k.invoke_touched("62288".into()),
            _ => k.invoke_finish(),
        }
        window.render();
        samples.push(t.elapsed());
    }
    let (mean, p95) = stats(samples);
    println!(
        "{w}x{h}: first attract frame {:.1} ms after Controller::new started; screen change + full frame: mean {mean:.1} ms, p95 {p95:.1} ms",
        first_frame.as_secs_f64() * 1000.0
    );
}

fn main() {
    for (w, h) in [(800, 480), (1280, 800)] {
        // Slint's platform is per thread: one thread per size.
        std::thread::spawn(move || bench_size(w, h))
            .join()
            .expect("bench thread");
    }
}
