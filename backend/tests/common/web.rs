//! A minimal browser for page tests: a cookie jar, forms posted as
//! `application/x-www-form-urlencoded`, redirections not followed (tests check them).

use super::Server;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::collections::BTreeMap;

pub struct Web {
    pub base: String,
    http: reqwest::Client,
    /// The cookies the browser would send: name → value.
    pub cookies: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The `csrf` field of the page's first form.
    pub fn csrf(&self) -> String {
        csrf_in(&self.body).expect("a form with a csrf field")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

impl Web {
    pub fn new(server: &Server) -> Web {
        Web::at(server.addr)
    }

    /// A browser talking to `addr` (the server, or a proxy in front of it).
    pub fn at(addr: std::net::SocketAddr) -> Web {
        Web {
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("test setup"),
            cookies: BTreeMap::new(),
        }
    }

    /// The value of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    fn remember(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let value = value.to_str().expect("ascii cookie");
            let pair = value.split(';').next().unwrap_or_default().trim();
            let (name, content) = pair.split_once('=').expect("name=value");
            if value.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), content.to_string());
            }
        }
    }

    async fn finish(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            let header = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            request.header(COOKIE, header)
        };
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        self.remember(&headers);
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{}", self.base, path));
        self.finish(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_html_form::to_string(form).expect("form");
        let request = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.finish(request).await
    }

    /// Opens the login page and posts `email` and `password` with its token.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/connexion").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            "/connexion",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Logs in and checks it worked.
    pub async fn logged_in(server: &Server, email: &str, password: &str) -> Web {
        let mut web = Web::new(server);
        let page = web.login(email, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), Some("/demandes"));
        web
    }

    /// The token of the forms on `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        self.get(path).await.csrf()
    }
}
