//! Webhooks: a new request, as JSON, POSTed to the service's address and signed with the
//! service's secret, so the receiver knows it comes from this back end and was not changed;
//! a new call for help, the same way to an ambassador's address with their secret.
//!
//! - Body: `{"event": "demande.recue", "delivery_id", "timestamp", "request": {...}}`, the
//!   request as its JSON export (`crate::export::request_json`), answers included; or
//!   `{"event": "appel.recu", "delivery_id", "timestamp", "help_call": {...}}` (where and
//!   when, the flow and step, never an answer: [`help_call_json`]).
//! - `X-Signature: sha256=<hex>`: HMAC-SHA256 of the raw body, keyed with the secret.
//! - `X-Timestamp`: seconds since 1970, also in the signed body, so a receiver can refuse
//!   old deliveries (replays).
//! - `X-Delivery-Id`: the same on every retry of one delivery, so a receiver can drop
//!   duplicates.
//!
//! Any 2xx answer is a delivery; anything else is tried again later.

use hmac::{Hmac, Mac};
use kiosk_sync::wire::hex;
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "X-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Timestamp";
pub const DELIVERY_HEADER: &str = "X-Delivery-Id";
/// The event of a new request.
pub const EVENT_NEW_REQUEST: &str = "demande.recue";
/// The event of a new call for help.
pub const EVENT_NEW_HELP_CALL: &str = "appel.recu";

/// `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// Whether `header` is the signature of `body` with `secret` (compared in constant time):
/// what a receiver does.
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(given) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Some(given) = decode_hex(given) else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The body of one delivery of a new request.
pub fn body(delivery_id: &str, timestamp: i64, request: Value) -> Vec<u8> {
    event_body(
        EVENT_NEW_REQUEST,
        "request",
        delivery_id,
        timestamp,
        request,
    )
}

/// The body of one delivery of a new call for help.
pub fn help_call_body(delivery_id: &str, timestamp: i64, help_call: Value) -> Vec<u8> {
    event_body(
        EVENT_NEW_HELP_CALL,
        "help_call",
        delivery_id,
        timestamp,
        help_call,
    )
}

fn event_body(event: &str, key: &str, delivery_id: &str, timestamp: i64, data: Value) -> Vec<u8> {
    let mut payload = json!({
        "event": event,
        "delivery_id": delivery_id,
        "timestamp": timestamp,
    });
    payload[key] = data;
    // A `Value` always serializes.
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// A call for help as webhooks and `backend help-calls --json` give it: where and when, the
/// flow and step, who took it; never an answer (a call carries none).
pub fn help_call_json(call: &crate::db::help_calls::HelpCallRow, flow_title: &str) -> Value {
    json!({
        "id": call.id,
        "kiosk_id": call.kiosk_id,
        "kiosk_name": call.kiosk_name,
        "kiosk_place": call.kiosk_place,
        "flow_id": call.flow_id,
        "flow_title": flow_title,
        "step_id": call.step_id,
        "created_at": call.created_at,
        "received_at": call.received_at,
        "taken_at": call.taken_at,
        "taken_by": call.taken_by,
        "taken_mode": call.taken_mode,
        "closed_at": call.handled_at,
        "note": call.note,
    })
}

/// Sends one delivery; `Err` says why it failed, without personal data.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    delivery_id: &str,
    timestamp: i64,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(), String> {
    let signed = signature(secret, &body);
    let response = client
        .post(url)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signed)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(DELIVERY_HEADER, delivery_id)
        .body(body)
        .send()
        .await
        .map_err(|error| {
            if error.is_timeout() {
                "délai dépassé".to_string()
            } else if error.is_connect() {
                "connexion impossible".to_string()
            } else {
                "échec de l'envoi HTTP".to_string()
            }
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("réponse HTTP {}", status.as_u16()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_raw_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let header = signature("secret", b"{}");
        assert!(verify("secret", b"{}", &header));
        assert!(!verify("secret", b"{ }", &header));
        assert!(!verify("autre", b"{}", &header));
        assert!(!verify("secret", b"{}", "sha256=zz"));
        assert!(!verify(
            "secret",
            b"{}",
            header.trim_start_matches("sha256=")
        ));
    }
}
