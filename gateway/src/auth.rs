//! The admin token check, and the limit on failed attempts per client address.
//!
//! Invariants:
//! 1. the token is compared in full whatever the first difference, so timing says nothing
//!    about it;
//! 2. an address (an IPv6 address by its /64, which one client usually holds whole) with
//!    [`MAX_FAILURES`] failures in a [`WINDOW`] gets a 429 with `Retry-After` for every admin
//!    request until the window ends, before its token is looked at, so guessing goes no faster
//!    than the limit; every refusal is logged;
//! 3. the table of addresses is bounded ([`MAX_ADDRESSES`]): when it is full of addresses
//!    still in their window, further failing addresses share one entry.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::app::App;
use crate::db::Db;
use crate::error::ApiError;
use crate::keys::bearer;

/// Failed authentications an address may make in one window.
pub const MAX_FAILURES: u32 = 10;
/// How long a window lasts.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses tracked at once.
const MAX_ADDRESSES: usize = 65_536;

/// Failed authentications per client address.
#[derive(Default)]
pub struct Guard {
    failures: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// The address a client is counted under: IPv4 as it is, IPv6 by its /64.
fn client(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
        v4 => v4,
    }
}

impl Guard {
    /// Seconds until `addr` may try again, when it is over the limit now.
    fn blocked(&self, addr: IpAddr, now: Instant) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let window = map.get(&client(addr))?;
        let left = WINDOW.checked_sub(now.duration_since(window.started))?;
        (window.failures >= MAX_FAILURES).then(|| left.as_secs().max(1))
    }

    /// Counts a failure of `addr`.
    fn failed(&self, addr: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut key = client(addr);
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&key) {
            map.retain(|_, w| now.duration_since(w.started) < WINDOW);
            if map.len() >= MAX_ADDRESSES {
                key = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
            }
        }
        let window = map.entry(key).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }

    /// Checks `token` against `want` for a request from `addr` (invariants 1 and 2).
    pub fn check(&self, addr: IpAddr, token: Option<&str>, want: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        if let Some(retry_after) = self.blocked(addr, now) {
            tracing::warn!(client = %addr, "admin authentication refused: too many failures");
            return Err(ApiError::TooManyAttempts { retry_after });
        }
        let token = token.unwrap_or_default();
        let same = token.len() == want.len()
            && token
                .bytes()
                .zip(want.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            return Ok(());
        }
        self.failed(addr, now);
        tracing::warn!(client = %addr, "admin authentication failed");
        Err(ApiError::AdminToken)
    }
}

/// A request that carried the admin token (`GET /metrics`, which needs no store). As an
/// extractor it runs before the body is read, so a request without the token is refused
/// unread.
pub struct AdminToken;

impl FromRequestParts<Arc<App>> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<AdminToken, ApiError> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |c| c.0.ip());
        let Some(want) = app.admin_token.as_deref() else {
            return Err(ApiError::AdminToken);
        };
        app.guard.check(addr, bearer(&parts.headers), want)?;
        Ok(AdminToken)
    }
}

/// A request that carried the admin token, with the store it may change.
pub struct Admin(pub Db);

impl FromRequestParts<Arc<App>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Admin, ApiError> {
        let Some(db) = app.keys.database() else {
            return Err(ApiError::AdminToken);
        };
        AdminToken::from_request_parts(parts, app).await?;
        Ok(Admin(db.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "a-token-of-16-bytes-or-more";

    #[test]
    fn an_address_is_limited_after_its_failures_and_freed_after_the_window() {
        let guard = Guard::default();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(
                guard.check(addr, Some("wrong"), TOKEN),
                Err(ApiError::AdminToken)
            ));
        }
        // Over the limit: refused before the token is looked at, even the right one.
        assert!(matches!(
            guard.check(addr, Some(TOKEN), TOKEN),
            Err(ApiError::TooManyAttempts { retry_after }) if (1..=60).contains(&retry_after)
        ));
        // Another address is not affected.
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert!(guard.check(other, Some(TOKEN), TOKEN).is_ok());
        // After the window, the address may try again.
        let later = Instant::now() + WINDOW;
        assert_eq!(guard.blocked(addr, later), None);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_bit_prefix() {
        let guard = Guard::default();
        for host in 0..MAX_FAILURES {
            let addr: IpAddr = format!("2001:db8::{host:x}").parse().unwrap();
            let _ = guard.check(addr, None, TOKEN);
        }
        let sibling: IpAddr = "2001:db8::ffff".parse().unwrap();
        assert!(guard.blocked(sibling, Instant::now()).is_some());
        let elsewhere: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        assert!(guard.blocked(elsewhere, Instant::now()).is_none());
    }

    #[test]
    fn a_full_table_counts_new_addresses_together() {
        let guard = Guard::default();
        let now = Instant::now();
        for n in 0..MAX_ADDRESSES as u32 {
            guard.failed(IpAddr::V4(n.into()), now);
        }
        let newcomer: IpAddr = "203.0.113.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            guard.failed(newcomer, now);
        }
        let map = guard.failures.lock().unwrap();
        assert!(map.len() <= MAX_ADDRESSES + 1);
        assert_eq!(
            map[&IpAddr::V6(Ipv6Addr::UNSPECIFIED)].failures,
            MAX_FAILURES
        );
    }
}
