//! Login page benchmark (`cargo bench -p backend --bench login_page`): views of the login
//! page per second by a few concurrent clients without cookies, over loopback HTTP to the
//! real server, and proof that none of them wrote anything (the form's token is stateless).
//!
//! `BACKEND_BENCH_N` (default 5000) views, `BACKEND_BENCH_CLIENTS` (default 8) clients.

mod common;

use common::{env_number, BenchServer};
use std::time::Instant;

fn main() {
    let total = env_number("BACKEND_BENCH_N", 5000);
    let clients = env_number("BACKEND_BENCH_CLIENTS", 8);
    common::block_on(run(total, clients));
}

async fn run(total: usize, clients: usize) {
    let server = BenchServer::start(|_| {}).await;
    let url = format!("{}/connexion", server.base);

    let client = reqwest::Client::new();
    let started = Instant::now();
    let per_client = total.div_ceil(clients);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                for _ in 0..per_client {
                    let response = client.get(&url).send().await.expect("send");
                    assert_eq!(response.status().as_u16(), 200);
                    response.bytes().await.expect("body");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("client task");
    }
    let elapsed = started.elapsed();
    let views = per_client * clients;

    let sessions = server.count("sessions");
    assert_eq!(sessions, 0, "showing the login page must store nothing");
    server.stop().await;
    println!(
        "page de connexion : {views} affichages sans cookie en {:.2} s par {clients} clients, \
         soit {:.0} pages/s, {sessions} session enregistrée",
        elapsed.as_secs_f64(),
        views as f64 / elapsed.as_secs_f64()
    );
}
