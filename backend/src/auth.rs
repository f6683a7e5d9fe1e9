//! Device authentication: the [`Kiosk`] extractor reads `Authorization: Bearer <token>`,
//! looks up the token's hash, and rejects with 401 `unauthorized` (missing, malformed or
//! unknown token) or 403 `revoked`.

use crate::db::kiosks;
use crate::error::Error;
use crate::secrets;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The authenticated kiosk making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kiosk {
    pub id: String,
}

impl FromRequestParts<AppState> for Kiosk {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Kiosk, Error> {
        let token = bearer_token(&parts.headers).ok_or(Error::Unauthorized)?;
        let token_hash = secrets::sha256_hex(token);
        let holder = state
            .db
            .call("auth", move |conn| kiosks::by_token_hash(conn, &token_hash))
            .await?;
        match holder {
            None => Err(Error::Unauthorized),
            Some(holder) if holder.revoked => Err(Error::Revoked),
            Some(holder) => Ok(Kiosk {
                id: holder.kiosk_id,
            }),
        }
    }
}

/// The token of a well-formed `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && secrets::looks_like_token(token)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_well_formed_bearer_tokens_pass() {
        let token = secrets::new_token();
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        assert_eq!(bearer_token(&headers), Some(token.as_str()));
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {token}")).unwrap(),
        );
        assert_eq!(bearer_token(&headers), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer short"));
        assert_eq!(bearer_token(&headers), None);
    }
}
