//! TOML out: [`Config::to_toml`].

use std::fmt::Display;

use crate::config::{Config, SecretSource};
use crate::keys::{self, SecretKeys};
use crate::limits::{self, Limit};

impl Config {
    /// The configuration as TOML that [`crate::parse_toml`] reads back to an equal value, with
    /// every key written and each range in a comment.
    ///
    /// Inline secrets are written as they are: treat the text as secret when one is inline.
    /// TOML cannot express an IPv6 flow label; listeners that carry one lose it.
    #[must_use]
    pub fn to_toml(&self) -> String {
        let mut doc = Document::default();
        doc.line("# waygate configuration; every key is optional (absent = default).");
        doc.string(keys::DATA_DIR, &self.data_dir);

        let public = &self.public;
        doc.table(keys::PUBLIC);
        doc.string(keys::PUBLIC_LISTEN, public.listen);
        match (&public.tls_cert, &public.tls_key) {
            (None, None) => doc.line(
                "# tls_cert and tls_key unset: a self-signed certificate is generated in data_dir",
            ),
            (cert, key) => {
                if let Some(cert) = cert {
                    doc.string(keys::PUBLIC_TLS_CERT, cert);
                }
                if let Some(key) = key {
                    doc.string(keys::PUBLIC_TLS_KEY, key);
                }
            }
        }
        doc.number(&limits::PUBLIC_MAX_CONNECTIONS, public.max_connections);
        doc.number(&limits::PUBLIC_MAX_BODY_BYTES, public.max_body_bytes);
        doc.number(
            &limits::PUBLIC_HEADER_READ_TIMEOUT_MS,
            public.header_read_timeout_ms,
        );
        doc.number(
            &limits::PUBLIC_BODY_READ_TIMEOUT_MS,
            public.body_read_timeout_ms,
        );
        doc.number(
            &limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
            public.tls_handshake_timeout_ms,
        );
        doc.number(
            &limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
            public.http2_max_concurrent_streams,
        );
        doc.number(&limits::PUBLIC_IDLE_TIMEOUT_MS, public.idle_timeout_ms);
        doc.number(
            &limits::PUBLIC_INFLIGHT_BODY_BYTES,
            public.inflight_body_bytes,
        );
        doc.number(
            &limits::PUBLIC_MAX_DELIVERY_ENTRIES,
            public.max_delivery_entries,
        );
        doc.number(
            &limits::PUBLIC_MAX_DELIVERY_CHANGES,
            public.max_delivery_changes,
        );
        doc.number(
            &limits::PUBLIC_MAX_DELIVERY_ITEMS,
            public.max_delivery_items,
        );

        doc.table(keys::LOCAL);
        doc.string(keys::LOCAL_LISTEN, self.local.listen);

        doc.table(keys::META);
        doc.secret(&keys::APP_SECRET_SOURCES, &self.meta.app_secret);
        doc.secret(&keys::VERIFY_TOKEN_SOURCES, &self.meta.verify_token);

        let store = &self.store;
        doc.table(keys::STORE);
        doc.number(&limits::STORE_QUOTA_BYTES, store.quota_bytes);
        doc.number(
            &limits::STORE_DEDUPE_RETENTION_HOURS,
            store.dedupe_retention_hours,
        );
        doc.number(&limits::STORE_DEDUPE_MAX_ENTRIES, store.dedupe_max_entries);
        doc.number(&limits::STORE_CACHE_BYTES, store.cache_bytes);
        doc.number(&limits::STORE_MAX_BATCH, store.max_batch);

        doc.table(keys::SHUTDOWN);
        doc.number(&limits::SHUTDOWN_GRACE_MS, self.shutdown.grace_ms);

        doc.table(keys::LOG);
        doc.string(keys::LOG_FORMAT, self.log.format.name());
        doc.string(keys::LOG_FILTER, &self.log.filter);

        self.write_lists(&mut doc);
        doc.finish()
    }
}

/// A TOML document written line by line.
#[derive(Default)]
pub(crate) struct Document {
    lines: Vec<String>,
}

impl Document {
    /// A line as it is (a comment, usually).
    pub(crate) fn line(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    /// A blank line and `[name]`.
    pub(crate) fn table(&mut self, name: &str) {
        self.lines.push(String::new());
        self.lines.push(format!("[{name}]"));
    }

    /// A blank line and `[[name]]`: the next entry of an array of tables.
    pub(crate) fn array_table(&mut self, name: &str) {
        self.lines.push(String::new());
        self.lines.push(format!("[[{name}]]"));
    }

    /// `field = "text"`, quoted and escaped as TOML requires.
    pub(crate) fn string(&mut self, key: &str, text: impl Display) {
        let quoted = toml::Value::String(text.to_string());
        self.lines
            .push(format!("{} = {quoted}", keys::field_name(key)));
    }

    /// `field = ["a", "b"]  # comment`, each string quoted and escaped as TOML requires.
    pub(crate) fn string_list<'a>(
        &mut self,
        key: &str,
        texts: impl IntoIterator<Item = &'a str>,
        comment: &str,
    ) {
        let list: toml::value::Array = texts
            .into_iter()
            .map(|text| toml::Value::String(text.to_owned()))
            .collect();
        self.lines.push(format!(
            "{} = {}  # {comment}",
            keys::field_name(key),
            toml::Value::Array(list)
        ));
    }

    /// `field = true  # comment`.
    pub(crate) fn boolean(&mut self, key: &str, value: bool, comment: &str) {
        self.lines
            .push(format!("{} = {value}  # {comment}", keys::field_name(key)));
    }

    /// `field = 123  # min to max unit (note)`.
    pub(crate) fn number<T: Display>(&mut self, limit: &Limit<T>, value: T) {
        let mut line = format!(
            "{} = {value}  # {} to {} {}",
            keys::field_name(limit.key),
            limit.min,
            limit.max,
            limit.unit
        );
        if let Some(note) = limit.note {
            line.push_str(&format!("; {note}"));
        }
        self.lines.push(line);
    }

    fn secret(&mut self, keys: &SecretKeys, source: &SecretSource) {
        match source {
            SecretSource::Generated => self.line(format!(
                "# {}: generated into data_dir (or set {}, {} or {})",
                keys::field_name(keys.inline),
                keys::field_name(keys.inline),
                keys::field_name(keys.file),
                keys::field_name(keys.env),
            )),
            SecretSource::Inline(secret) => self.string(keys.inline, secret),
            SecretSource::File(path) => self.string(keys.file, path),
            SecretSource::Env(name) => self.string(keys.env, name),
        }
    }

    fn finish(self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}
