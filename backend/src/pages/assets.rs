//! `GET /static/style.css`: the one stylesheet, built into the binary. Its colour pairs are
//! checked here against RGAA's contrast ratio (4.5:1 for text).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

pub const STYLE_CSS: &str = include_str!("../../static/style.css");

pub async fn style() -> Response {
    let mut response = STYLE_CSS.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The `--name: #rrggbb;` custom properties of the stylesheet.
    fn colours() -> HashMap<String, [f64; 3]> {
        STYLE_CSS
            .lines()
            .filter_map(|line| {
                let (name, value) = line.trim().strip_prefix("--")?.split_once(':')?;
                let hex = value.trim().strip_suffix(';')?.strip_prefix('#')?;
                let channel = |i: usize| {
                    u8::from_str_radix(hex.get(i..i + 2)?, 16)
                        .ok()
                        .map(|v| f64::from(v) / 255.0)
                };
                Some((name.to_string(), [channel(0)?, channel(2)?, channel(4)?]))
            })
            .collect()
    }

    /// WCAG's relative luminance.
    fn luminance([r, g, b]: [f64; 3]) -> f64 {
        let linear = |c: f64| {
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_text_colour_has_enough_contrast_on_its_background() {
        let colours = colours();
        let pairs = [
            ("text", "page"),
            ("text", "panel"),
            ("muted", "page"),
            ("muted", "panel"),
            ("link", "page"),
            ("link", "panel"),
            ("link-visited", "page"),
            ("primary-text", "primary"),
            ("primary", "page"),
            ("header-text", "header"),
            ("danger-text", "danger"),
            ("error", "page"),
            ("text", "ok-panel"),
            ("text", "error-panel"),
            ("recu-text", "recu-bg"),
            ("en_cours-text", "en_cours-bg"),
            ("traite-text", "traite-bg"),
            ("rejete-text", "rejete-bg"),
        ];
        for (text, background) in pairs {
            let ratio = contrast(colours[text], colours[background]);
            assert!(ratio >= 4.5, "--{text} on --{background}: {ratio:.2}:1");
        }
        // The focus outline against the page (non-text: 3:1).
        assert!(contrast(colours["focus"], colours["page"]) >= 3.0);
        assert!(contrast(colours["focus"], colours["focus-halo"]) >= 3.0);
        // The field borders against the page (non-text: 3:1).
        assert!(contrast(colours["line"], colours["page"]) >= 3.0);
    }
}
