//! The kiosk console: the operators' screen, served by the box on the local listener, working
//! with the internet down (every asset is inside the binary).
//!
//! # Routes
//!
//! - `GET /console` -> the app shell with the session's boot data ([`boot`]); without a live
//!   session, 401 with the sign-in page ([`sign_in_page`]; a plain form, no script).
//! - `GET /console/app.css`, `GET /console/app.js` -> the assets; 401 without a session.
//! - `POST /console/sign-in` (form `token=<operator token>`) -> 303 to `/console` with the
//!   session cookie ([`cookie`]); a wrong token -> 401 with the sign-in page saying so; a form
//!   posted from another site's page (`Origin` or `Sec-Fetch-Site`) -> 403.
//! - `POST /console/sign-out` (with `X-CSRF-Token`) -> 204, the session ended and its cookie
//!   cleared.
//!
//! # Sessions and the operator API
//!
//! The session cookie stands for the operator's token on `/api/` (see `api::gate`): a GET
//! needs only the cookie (so the page's `EventSource` and `<img>` work), a POST, PUT or DELETE
//! also the session's CSRF token in `X-CSRF-Token` (403 without it): another site's page can
//! neither send the cookie (`SameSite=Strict`) nor read the token. The bearer token itself
//! never reaches the page's storage: it is typed once into the sign-in form.

mod assets;
mod boot;
mod cookie;
mod routes;
mod sessions;
mod sessions_file;
mod sign_in_page;
mod time_zone;

use std::sync::{Mutex, MutexGuard, PoisonError};

use http::{HeaderMap, Method};
use ring::rand::{SecureRandom as _, SystemRandom};

pub use assets::total_bytes as asset_bytes;
pub use routes::routes;
pub use sessions::{MAX_SESSIONS, SessionLimits};
pub use sessions_file::SESSIONS_FILE;
pub use time_zone::system_time_zone;

use crate::guess_limit::FailureWindow;
use cookie::session_cookie;
use sessions::{Found, Sessions};
use sessions_file::SessionsFile;

use crate::time::UnixMs;

/// The header a console's state-changing request carries its session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the console is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsoleSettings {
    /// How long sessions last.
    pub limits: SessionLimits,
    /// The zone the console shows times in (`None`: the system's, [`system_time_zone`]).
    pub time_zone: Option<String>,
    /// Whether the local listener has TLS (the cookie is then `Secure`).
    pub secure_cookies: bool,
    /// Where the sessions are saved to outlast a restart (`None`: only in memory).
    pub sessions_file: Option<std::path::PathBuf>,
}

/// The console's state: its settings and the open sessions.
#[derive(Debug)]
pub struct Console {
    settings: ConsoleSettings,
    /// The zone the console shows times in.
    time_zone: String,
    sessions: Mutex<Sessions>,
    /// Where the sessions are saved, if anywhere.
    file: Option<SessionsFile>,
    /// The recent wrong tokens at the sign-in form.
    sign_in_limit: Mutex<FailureWindow>,
    random: SystemRandom,
}

/// What a request's session cookie says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieCaller {
    /// No session cookie.
    None,
    /// A cookie of a session that has ended (or never was).
    Ended,
    /// A live session's operator, allowed to make this request.
    Operator(String),
    /// A live session's state-changing request without its CSRF token (or with another).
    NoCsrf,
}

impl Console {
    /// A console set up by `settings`, with no session yet (reads the system's time zone when
    /// `settings` names none).
    pub fn new(settings: ConsoleSettings) -> Self {
        Self {
            sessions: Mutex::new(Sessions::new(settings.limits)),
            file: settings.sessions_file.clone().map(SessionsFile::new),
            sign_in_limit: Mutex::new(FailureWindow::default()),
            time_zone: settings.time_zone.clone().unwrap_or_else(system_time_zone),
            settings,
            random: SystemRandom::new(),
        }
    }

    /// Takes back the saved sessions still open at `now` whose operator `known` knows;
    /// answers how many.
    pub fn restore_sessions(&self, now: UnixMs, known: impl Fn(&str) -> bool) -> usize {
        let Some(file) = &self.file else {
            return 0;
        };
        let saved = file.read();
        self.lock().restore(saved, now, known)
    }

    /// Saves the sessions when due (see [`Sessions::snapshot`]); the write's task, if any.
    fn save(&self, now: UnixMs, changed: bool) -> Option<tokio::task::JoinHandle<()>> {
        let file = self.file.as_ref()?;
        let snapshot = self.lock().snapshot(now, changed)?;
        file.save(snapshot)
    }

    /// Saves the sessions after a sign-in or sign-out, and waits until they are written (the
    /// answer then means the change outlasts a restart).
    async fn save_change(&self, now: UnixMs) {
        if let Some(write) = self.save(now, true) {
            let _written = write.await;
        }
    }

    /// Who makes a request with `method` and `headers` at `now`, by its session cookie.
    pub fn caller(&self, method: &Method, headers: &HeaderMap, now: UnixMs) -> CookieCaller {
        let caller = self.cookie_caller(method, headers, now);
        if matches!(caller, CookieCaller::Operator(_)) {
            drop(self.save(now, false));
        }
        caller
    }

    fn cookie_caller(&self, method: &Method, headers: &HeaderMap, now: UnixMs) -> CookieCaller {
        let Some(cookie) = session_cookie(headers) else {
            return CookieCaller::None;
        };
        let mut sessions = self.lock();
        let Some(found) = sessions.use_session(cookie, now) else {
            return CookieCaller::Ended;
        };
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        let csrf = headers
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok());
        match csrf {
            _ if safe => CookieCaller::Operator(found.operator),
            Some(csrf) if sessions.csrf_matches(cookie, csrf) => {
                CookieCaller::Operator(found.operator)
            }
            _ => CookieCaller::NoCsrf,
        }
    }

    /// The live session of the request's cookie, marked used at `now`.
    fn session(&self, headers: &HeaderMap, now: UnixMs) -> Option<Found> {
        let cookie = session_cookie(headers)?;
        let found = self.lock().use_session(cookie, now);
        drop(self.save(now, false));
        found
    }

    /// Signs `operator` in at `now`: the session cookie's value; `None` when the system's random
    /// source fails.
    async fn sign_in(&self, operator: &str, now: UnixMs) -> Option<String> {
        let mut id = [0u8; 32];
        let mut csrf = [0u8; 32];
        self.random.fill(&mut id).ok()?;
        self.random.fill(&mut csrf).ok()?;
        let cookie = self.lock().sign_in(operator, now, id, csrf);
        self.save_change(now).await;
        Some(cookie)
    }

    /// Ends the session of the request's cookie at `now`.
    async fn sign_out(&self, headers: &HeaderMap, now: UnixMs) {
        if let Some(cookie) = session_cookie(headers) {
            self.lock().sign_out(cookie);
            self.save_change(now).await;
        }
    }

    /// `None` when a sign-in may be tried at `now`, else the milliseconds to wait (too many
    /// wrong tokens lately).
    fn sign_in_wait(&self, now: UnixMs) -> Option<u64> {
        lock(&self.sign_in_limit).wait(now)
    }

    /// A wrong token was typed at `now`.
    fn sign_in_failed(&self, now: UnixMs) {
        lock(&self.sign_in_limit).failed(now);
    }

    fn lock(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.sessions)
    }
}

/// The value behind `mutex`. A panic while it was held cannot leave it half-changed: each
/// change is one operation on a collection.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
