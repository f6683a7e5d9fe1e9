//! The headless Chromium rig shared by the browser tests (`backend/tests/browser.rs`, and the
//! end-to-end tests of `tests/`, which include this file by path): chromedriver on a free
//! port (Debian's `/usr/bin/chromium` and `/usr/bin/chromedriver`, or `CHROMIUM` and
//! `CHROMEDRIVER`), a fresh profile, fantoccini, and the few gestures the tests make.
//!
//! Without Chromium the tests FAIL, saying to run `scripts/setup-browser`: they never pass
//! silently.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The browser and its driver, found where Debian installs them.
pub fn browser_paths() -> (PathBuf, PathBuf) {
    let find = |variable: &str, default: &str| {
        std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
    };
    let chromium = find("CHROMIUM", "/usr/bin/chromium");
    let chromedriver = find("CHROMEDRIVER", "/usr/bin/chromedriver");
    for path in [&chromium, &chromedriver] {
        assert!(
            path.exists(),
            "{} est introuvable : les tests du navigateur ont besoin de Chromium et de \
             chromedriver (paquets Debian chromium et chromium-driver). Lancez \
             scripts/setup-browser, puis relancez les tests.",
            path.display()
        );
    }
    (chromium, chromedriver)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("test helper")
        .local_addr()
        .expect("test helper")
        .port()
}

/// chromedriver on a free port, and a fresh headless Chromium session through it.
pub struct Chrome {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    pub async fn start() -> Chrome {
        let (chromium, chromedriver) = browser_paths();
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("{} : {error}", chromedriver.display()));
        let url = format!("http://127.0.0.1:{port}");
        let ready = reqwest::Client::new();
        let mut up = false;
        for _ in 0..300 {
            if let Ok(response) = ready.get(format!("{url}/status")).send().await {
                if response.status().is_success() {
                    up = true;
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(up, "chromedriver did not start on port {port}");
        let profile = tempfile::tempdir().expect("test helper");
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": chromium, "args": args}),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a Chromium session through chromedriver");
        Chrome {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        if matches!(self.driver.try_wait(), Ok(None)) {
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
    }
}

/// Runs `body` with a browser, and always closes the browser, even when `body` fails.
pub async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let chrome = Chrome::start().await;
    let outcome = tokio::spawn(body(chrome.client.clone())).await;
    chrome.stop().await;
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("{error}"),
        }
    }
}

/// Polls until the page's `css` element contains `text` (at most 15 s).
pub async fn wait_for_text(client: &Client, css: &str, text: &str) -> String {
    let mut last = String::new();
    for _ in 0..150 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            if let Ok(found) = element.text().await {
                if found.contains(text) {
                    return found;
                }
                last = found;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    panic!("« {text} » never appeared in {css} on {url}; last: {last}");
}

pub async fn fill(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.expect("test helper");
    field.clear().await.expect("test helper");
    field.send_keys(text).await.expect("test helper");
}

pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
        .click()
        .await
        .expect("test helper");
}

/// Logs in through the login page, as a person would.
pub async fn log_in(client: &Client, base: &str, email: &str, password: &str) {
    client
        .goto(&format!("{base}/connexion"))
        .await
        .expect("test helper");
    fill(client, "email", email).await;
    fill(client, "password", password).await;
    click(
        client,
        "form[action=\"/connexion\"] button[type=\"submit\"]",
    )
    .await;
}
