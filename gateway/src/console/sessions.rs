//! The console's sign-in sessions: who signed in, when, and the CSRF token their page sends.
//!
//! Pure: the caller gives the time and the random bytes. A session is known by the SHA-256
//! digest of its id (the cookie's value), so the table holds nothing a reader of memory could
//! present as a cookie. A session ends when it is signed out, when it has not been used for
//! the idle limit, or at the absolute limit after sign-in, whichever comes first. The table is
//! bounded: a sign-in beyond [`MAX_SESSIONS`] ends the session used least recently.
//!
//! So that a kiosk stays signed in across a restart of the gateway (an update, a power cut),
//! the table gives a [`Snapshot`] to save after every sign-in and sign-out, and after a use at
//! most once per [`SAVE_USE_EVERY_MS`]; [`Sessions::restore`] takes the saved sessions back,
//! each ending when it would have, by its saved last use (at most that much early).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::api::token_digest;
use crate::secret::Secret;
use crate::time::UnixMs;

/// The most sessions held at once (a kiosk branch has a handful of screens).
pub const MAX_SESSIONS: usize = 64;
/// How often, at most, the sessions are saved only because one was used.
pub(super) const SAVE_USE_EVERY_MS: u64 = 60_000;

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session unused this long (milliseconds) ends.
    pub idle_ms: u64,
    /// A session ends this long (milliseconds) after sign-in, used or not.
    pub max_ms: u64,
}

impl Default for SessionLimits {
    /// 8 hours idle (a shift), 24 hours in all.
    fn default() -> Self {
        Self {
            idle_ms: 8 * 3_600_000,
            max_ms: 24 * 3_600_000,
        }
    }
}

/// One signed-in console.
struct Session {
    operator: String,
    csrf: Secret<[u8; 32]>,
    signed_in_at: UnixMs,
    last_used_at: UnixMs,
}

/// A live session found by its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// The operator who signed in.
    pub(super) operator: String,
    /// The CSRF token the page was given (base64url).
    pub(super) csrf: String,
    /// When the session ends unless used again (the idle limit, capped by the absolute one).
    pub(super) expires_at: UnixMs,
}

/// A session as it is saved: the digest of its cookie, never the cookie.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct SavedSession {
    /// The SHA-256 of the cookie's value, in hex.
    digest: String,
    operator: String,
    /// The CSRF token, base64url: it is worth nothing without the cookie.
    csrf: String,
    signed_in_at: UnixMs,
    last_used_at: UnixMs,
}

/// The sessions open when it was taken, numbered so that an older one never overwrites a
/// newer one.
pub(super) struct Snapshot {
    /// Counts up with each snapshot.
    pub(super) generation: u64,
    /// The open sessions.
    pub(super) sessions: Vec<SavedSession>,
}

/// The sessions of the console.
pub(super) struct Sessions {
    limits: SessionLimits,
    by_digest: HashMap<[u8; 32], Session>,
    /// Whether a session was used since the last snapshot, and when that was taken.
    used_since_snapshot: bool,
    snapshot_at: UnixMs,
    generation: u64,
}

impl std::fmt::Debug for Sessions {
    /// Counts the sessions; names no id, token or operator.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("limits", &self.limits)
            .field("open", &self.by_digest.len())
            .finish()
    }
}

impl Sessions {
    /// No sessions yet; they last as `limits` say.
    pub(super) fn new(limits: SessionLimits) -> Self {
        Self {
            limits,
            by_digest: HashMap::new(),
            used_since_snapshot: false,
            snapshot_at: 0,
            generation: 0,
        }
    }

    /// The open sessions to save at `now`: always after a sign-in or sign-out (`changed`),
    /// else when one was used and the last snapshot is [`SAVE_USE_EVERY_MS`] old.
    pub(super) fn snapshot(&mut self, now: UnixMs, changed: bool) -> Option<Snapshot> {
        let use_due =
            self.used_since_snapshot && now >= self.snapshot_at.saturating_add(SAVE_USE_EVERY_MS);
        if !(changed || use_due) {
            return None;
        }
        self.forget_ended(now);
        self.used_since_snapshot = false;
        self.snapshot_at = now;
        self.generation += 1;
        let sessions = self.by_digest.iter().map(|(digest, session)| SavedSession {
            digest: hex::encode(digest),
            operator: session.operator.clone(),
            csrf: URL_SAFE_NO_PAD.encode(session.csrf.as_bytes()),
            signed_in_at: session.signed_in_at,
            last_used_at: session.last_used_at,
        });
        Some(Snapshot {
            generation: self.generation,
            sessions: sessions.collect(),
        })
    }

    /// Takes back the `saved` sessions that are still open at `now` and whose operator
    /// `known` still knows (the configuration may have changed), up to [`MAX_SESSIONS`];
    /// answers how many.
    pub(super) fn restore(
        &mut self,
        saved: Vec<SavedSession>,
        now: UnixMs,
        known: impl Fn(&str) -> bool,
    ) -> usize {
        for saved in saved {
            let digest = hex::decode(&saved.digest)
                .ok()
                .and_then(|d| d.try_into().ok());
            let csrf = URL_SAFE_NO_PAD.decode(&saved.csrf).ok();
            let csrf: Option<[u8; 32]> = csrf.and_then(|csrf| csrf.try_into().ok());
            let (Some(digest), Some(csrf)) = (digest, csrf) else {
                continue;
            };
            let session = Session {
                operator: saved.operator,
                csrf: Secret::new(csrf),
                signed_in_at: saved.signed_in_at,
                last_used_at: saved.last_used_at.max(saved.signed_in_at),
            };
            let future = session.signed_in_at > now;
            let open = !future && !ended(self.limits, &session, now) && known(&session.operator);
            if open && self.by_digest.len() < MAX_SESSIONS {
                self.by_digest.insert(digest, session);
            }
        }
        self.by_digest.len()
    }

    /// Signs `operator` in at `now` with the random `id` and `csrf` bytes; the session's cookie
    /// value (base64url).
    pub(super) fn sign_in(
        &mut self,
        operator: &str,
        now: UnixMs,
        id: [u8; 32],
        csrf: [u8; 32],
    ) -> String {
        self.forget_ended(now);
        if self.by_digest.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .by_digest
                .iter()
                .min_by_key(|(_, session)| session.last_used_at)
                .map(|(digest, _)| *digest)
        {
            self.by_digest.remove(&oldest);
        }
        let cookie = URL_SAFE_NO_PAD.encode(id);
        let session = Session {
            operator: operator.to_owned(),
            csrf: Secret::new(csrf),
            signed_in_at: now,
            last_used_at: now,
        };
        self.by_digest
            .insert(token_digest(cookie.as_bytes()), session);
        cookie
    }

    /// The live session whose cookie is `cookie`, marked used at `now`; `None` when there is
    /// none or it has ended (an ended one is forgotten).
    pub(super) fn use_session(&mut self, cookie: &str, now: UnixMs) -> Option<Found> {
        let digest = token_digest(cookie.as_bytes());
        let limits = self.limits;
        let session = self.by_digest.get(&digest)?;
        if ended(limits, session, now) {
            self.by_digest.remove(&digest);
            return None;
        }
        let session = self.by_digest.get_mut(&digest)?;
        session.last_used_at = session.last_used_at.max(now);
        self.used_since_snapshot = true;
        Some(Found {
            operator: session.operator.clone(),
            csrf: URL_SAFE_NO_PAD.encode(session.csrf.as_bytes()),
            expires_at: expiry(limits, session),
        })
    }

    /// Whether `presented` is the CSRF token of the session whose cookie is `cookie`
    /// (constant-time).
    pub(super) fn csrf_matches(&self, cookie: &str, presented: &str) -> bool {
        let Some(session) = self.by_digest.get(&token_digest(cookie.as_bytes())) else {
            return false;
        };
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(presented) else {
            return false;
        };
        session.csrf.matches(&bytes)
    }

    /// Ends the session whose cookie is `cookie` (nothing when there is none).
    pub(super) fn sign_out(&mut self, cookie: &str) {
        self.by_digest.remove(&token_digest(cookie.as_bytes()));
    }

    /// The sessions open at `now`.
    #[cfg(test)]
    fn open(&mut self, now: UnixMs) -> usize {
        self.forget_ended(now);
        self.by_digest.len()
    }

    fn forget_ended(&mut self, now: UnixMs) {
        let limits = self.limits;
        self.by_digest
            .retain(|_, session| !ended(limits, session, now));
    }
}

/// When `session` ends unless used again.
fn expiry(limits: SessionLimits, session: &Session) -> UnixMs {
    let idle = session.last_used_at.saturating_add(limits.idle_ms);
    let max = session.signed_in_at.saturating_add(limits.max_ms);
    idle.min(max)
}

fn ended(limits: SessionLimits, session: &Session, now: UnixMs) -> bool {
    now >= expiry(limits, session)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    fn sessions() -> Sessions {
        Sessions::new(SessionLimits {
            idle_ms: HOUR,
            max_ms: 3 * HOUR,
        })
    }

    #[test]
    fn a_session_is_found_by_its_cookie_only() {
        let mut sessions = sessions();
        let cookie = sessions.sign_in("ana", 1_000, [1; 32], [2; 32]);
        let found = sessions.use_session(&cookie, 2_000).unwrap();
        assert_eq!(found.operator, "ana");
        assert_eq!(found.csrf, URL_SAFE_NO_PAD.encode([2; 32]));
        assert_eq!(found.expires_at, 2_000 + HOUR);
        assert!(sessions.use_session(&found.csrf, 2_000).is_none());
        assert!(sessions.use_session("", 2_000).is_none());
    }

    #[test]
    fn an_unused_session_ends_after_the_idle_limit() {
        let mut sessions = sessions();
        let cookie = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        assert!(sessions.use_session(&cookie, HOUR - 1).is_some());
        // Used at HOUR - 1: it lasts until 2 * HOUR - 1.
        assert!(sessions.use_session(&cookie, 2 * HOUR - 2).is_some());
        assert!(sessions.use_session(&cookie, 3 * HOUR - 2).is_none());
        // Once ended it stays ended.
        assert!(sessions.use_session(&cookie, 0).is_none());
    }

    #[test]
    fn a_used_session_still_ends_at_the_absolute_limit() {
        let mut sessions = sessions();
        let cookie = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        let mut now = 0;
        while now < 3 * HOUR - HOUR / 2 {
            now += HOUR / 2;
            let found = sessions.use_session(&cookie, now);
            assert_eq!(found.is_some(), now < 3 * HOUR, "at {now}");
            if let Some(found) = found {
                assert!(found.expires_at <= 3 * HOUR);
            }
        }
        assert!(sessions.use_session(&cookie, 3 * HOUR).is_none());
    }

    /// The sessions `saved` restored into a fresh table at `now` (a restart), knowing `ana`.
    fn restarted(saved: &Snapshot, now: UnixMs) -> Sessions {
        let mut fresh = sessions();
        fresh.restore(saved.sessions.clone(), now, |name| name == "ana");
        fresh
    }

    #[test]
    fn a_saved_session_survives_a_restart_with_its_csrf_token_and_its_limits() {
        let mut sessions = sessions();
        let ana = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        let ben = sessions.sign_in("ben", 0, [3; 32], [4; 32]);
        let saved = sessions.snapshot(0, true).unwrap();
        assert_eq!(saved.sessions.len(), 2);
        let json = serde_json::to_string(&saved.sessions).unwrap();
        assert!(
            !json.contains(&ana) && !json.contains(&ben),
            "a cookie was saved"
        );
        let mut after = restarted(&saved, HOUR / 2);
        let found = after.use_session(&ana, HOUR / 2).unwrap();
        assert_eq!(found.csrf, URL_SAFE_NO_PAD.encode([2; 32]));
        assert!(after.csrf_matches(&ana, &found.csrf));
        // ben is no longer configured.
        assert!(after.use_session(&ben, HOUR / 2).is_none());
        // Its saved last use was 0: idle after an hour, as without the restart.
        assert!(restarted(&saved, HOUR).use_session(&ana, HOUR).is_none());
    }

    #[test]
    fn uses_are_saved_at_most_once_a_minute_and_a_signed_out_session_stays_out() {
        let mut sessions = sessions();
        let ana = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        assert!(sessions.snapshot(0, true).is_some());
        assert!(
            sessions.snapshot(SAVE_USE_EVERY_MS, false).is_none(),
            "nothing changed"
        );
        sessions.use_session(&ana, 10_000).unwrap();
        assert!(sessions.snapshot(SAVE_USE_EVERY_MS - 1, false).is_none());
        let saved = sessions.snapshot(SAVE_USE_EVERY_MS, false).unwrap();
        assert_eq!(saved.generation, 2);
        // Used at 10 s: still open 10 s past the idle hour's start.
        assert!(
            restarted(&saved, HOUR + 5_000)
                .use_session(&ana, HOUR + 5_000)
                .is_some()
        );
        sessions.sign_out(&ana);
        let saved = sessions.snapshot(SAVE_USE_EVERY_MS + 1, true).unwrap();
        assert!(saved.sessions.is_empty());
        assert!(
            restarted(&saved, SAVE_USE_EVERY_MS + 2)
                .use_session(&ana, 0)
                .is_none()
        );
    }

    #[test]
    fn damaged_or_future_saved_sessions_are_left_out() {
        let mut sessions = sessions();
        let ana = sessions.sign_in("ana", 5_000, [1; 32], [2; 32]);
        let mut saved = sessions.snapshot(5_000, true).unwrap();
        // The clock reads earlier than the sign-in: not taken back.
        assert!(restarted(&saved, 4_000).use_session(&ana, 4_000).is_none());
        saved.sessions[0].csrf = "short".into();
        assert!(restarted(&saved, 6_000).use_session(&ana, 6_000).is_none());
        saved.sessions[0].csrf = URL_SAFE_NO_PAD.encode([2; 32]);
        saved.sessions[0].digest = "zz".into();
        assert!(restarted(&saved, 6_000).use_session(&ana, 6_000).is_none());
    }

    #[test]
    fn sign_out_ends_only_that_session() {
        let mut sessions = sessions();
        let ana = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        let ben = sessions.sign_in("ben", 0, [3; 32], [4; 32]);
        sessions.sign_out(&ana);
        assert!(sessions.use_session(&ana, 1).is_none());
        assert_eq!(sessions.use_session(&ben, 1).unwrap().operator, "ben");
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let mut sessions = sessions();
        let ana = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        let ana_csrf = URL_SAFE_NO_PAD.encode([2; 32]);
        let _ben = sessions.sign_in("ben", 0, [3; 32], [4; 32]);
        assert!(sessions.csrf_matches(&ana, &ana_csrf));
        assert!(!sessions.csrf_matches(&ana, &URL_SAFE_NO_PAD.encode([4; 32])));
        assert!(!sessions.csrf_matches(&ana, ""));
        assert!(!sessions.csrf_matches(&ana, "not base64!"));
        assert!(!sessions.csrf_matches("nobody", &ana_csrf));
    }

    #[test]
    fn the_table_is_bounded_and_gives_up_the_least_recently_used() {
        let mut sessions = sessions();
        let mut cookies = Vec::new();
        for n in 0..MAX_SESSIONS {
            let byte = u8::try_from(n).unwrap();
            cookies.push(sessions.sign_in("ana", 0, [byte; 32], [0; 32]));
        }
        // Every session but the first is used later.
        for cookie in &cookies[1..] {
            assert!(sessions.use_session(cookie, 10).is_some());
        }
        let newest = sessions.sign_in("ben", 20, [255; 32], [0; 32]);
        assert_eq!(sessions.open(20), MAX_SESSIONS);
        assert!(sessions.use_session(&cookies[0], 20).is_none());
        assert!(sessions.use_session(&newest, 20).is_some());
    }

    #[test]
    fn debug_output_shows_no_session() {
        let mut sessions = sessions();
        let cookie = sessions.sign_in("ana", 0, [1; 32], [2; 32]);
        let text = format!("{sessions:?}");
        assert!(!text.contains(&cookie) && !text.contains(&URL_SAFE_NO_PAD.encode([2; 32])));
        assert!(!text.contains("ana"));
    }
}
