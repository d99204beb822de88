//! TOML in: [`parse_toml`] and [`load_toml_file`].

use std::fs::File;
use std::io::Read as _;

use toml::Table;

use crate::config::{Config, LocalListener, MetaSettings, PublicListener, StoreSettings};
use crate::config_errors::{ConfigErrors, ConfigProblem};
use crate::keys;
use crate::limits;
use crate::toml_fields::FieldReader;

/// The largest configuration file read, in bytes (a real one is a few hundred).
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a configuration from TOML text. Every key is optional (absent = default).
///
/// # Errors
/// Every problem of the text at once: a syntax error (with line and column), unknown keys,
/// wrong types, values out of range or too long, a certificate without its key, two sources
/// for one secret, unparsable socket addresses, arrays past their capacity, entries without
/// a required key, names used twice... Secrets and token digests are never shown.
pub fn parse_toml(text: &str) -> Result<Config, ConfigErrors> {
    let root: Table = text
        .parse()
        .map_err(|error| ConfigErrors::from(syntax_problem(text, &error)))?;
    let mut reader = FieldReader::default();
    let mut config = Config::default();
    reader.reject_unknown_keys(&root, "", keys::TOP_LEVEL);
    if let Some(data_dir) = reader.text(&root, keys::DATA_DIR) {
        config.data_dir = data_dir;
    }
    if let Some(table) = reader.table(&root, keys::PUBLIC, keys::PUBLIC_KEYS) {
        read_public(&mut reader, table, &mut config.public);
    }
    if let Some(table) = reader.table(&root, keys::LOCAL, keys::LOCAL_KEYS) {
        read_local(&mut reader, table, &mut config.local);
    }
    if let Some(table) = reader.table(&root, keys::META, keys::META_KEYS) {
        read_meta(&mut reader, table, &mut config.meta);
    }
    if let Some(table) = reader.table(&root, keys::STORE, keys::STORE_KEYS) {
        read_store(&mut reader, table, &mut config.store);
    }
    if let Some(table) = reader.table(&root, keys::SHUTDOWN, keys::SHUTDOWN_KEYS)
        && let Some(grace_ms) = reader.integer(table, &limits::SHUTDOWN_GRACE_MS)
    {
        config.shutdown.grace_ms = grace_ms;
    }
    if let Some(table) = reader.table(&root, keys::LOG, keys::LOG_KEYS) {
        if let Some(format) = reader.log_format(table, keys::LOG_FORMAT) {
            config.log.format = format;
        }
        if let Some(filter) = reader.text(table, keys::LOG_FILTER) {
            config.log.filter = filter;
        }
    }
    crate::toml_load_lists::read_lists(&mut reader, &root, &mut config);
    config.for_each_problem(|problem| reader.report_unless_covered(problem));
    match ConfigErrors::from_problems(reader.into_problems()) {
        None => Ok(config),
        Some(errors) => Err(errors),
    }
}

fn read_public(reader: &mut FieldReader, table: &Table, public: &mut PublicListener) {
    if let Some(listen) = reader.socket_addr(table, keys::PUBLIC_LISTEN) {
        public.listen = listen;
    }
    if let Some(cert) = reader.text(table, keys::PUBLIC_TLS_CERT) {
        public.tls_cert = Some(cert);
    }
    if let Some(key) = reader.text(table, keys::PUBLIC_TLS_KEY) {
        public.tls_key = Some(key);
    }
    let numbers = [
        (&limits::PUBLIC_MAX_CONNECTIONS, &mut public.max_connections),
        (&limits::PUBLIC_MAX_BODY_BYTES, &mut public.max_body_bytes),
        (
            &limits::PUBLIC_HEADER_READ_TIMEOUT_MS,
            &mut public.header_read_timeout_ms,
        ),
        (
            &limits::PUBLIC_BODY_READ_TIMEOUT_MS,
            &mut public.body_read_timeout_ms,
        ),
        (
            &limits::PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
            &mut public.tls_handshake_timeout_ms,
        ),
        (
            &limits::PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
            &mut public.http2_max_concurrent_streams,
        ),
        (&limits::PUBLIC_IDLE_TIMEOUT_MS, &mut public.idle_timeout_ms),
        (
            &limits::PUBLIC_INFLIGHT_BODY_BYTES,
            &mut public.inflight_body_bytes,
        ),
        (
            &limits::PUBLIC_MAX_DELIVERY_ENTRIES,
            &mut public.max_delivery_entries,
        ),
        (
            &limits::PUBLIC_MAX_DELIVERY_CHANGES,
            &mut public.max_delivery_changes,
        ),
        (
            &limits::PUBLIC_MAX_DELIVERY_ITEMS,
            &mut public.max_delivery_items,
        ),
    ];
    for (limit, field) in numbers {
        if let Some(value) = reader.integer(table, limit) {
            *field = value;
        }
    }
}

fn read_local(reader: &mut FieldReader, table: &Table, local: &mut LocalListener) {
    if let Some(listen) = reader.socket_addr(table, keys::LOCAL_LISTEN) {
        local.listen = listen;
    }
}

fn read_meta(reader: &mut FieldReader, table: &Table, meta: &mut MetaSettings) {
    if let Some(source) = reader.secret(table, &keys::APP_SECRET_SOURCES) {
        meta.app_secret = source;
    }
    if let Some(source) = reader.secret(table, &keys::VERIFY_TOKEN_SOURCES) {
        meta.verify_token = source;
    }
}

fn read_store(reader: &mut FieldReader, table: &Table, store: &mut StoreSettings) {
    if let Some(quota) = reader.integer(table, &limits::STORE_QUOTA_BYTES) {
        store.quota_bytes = quota;
    }
    let numbers = [
        (
            &limits::STORE_DEDUPE_RETENTION_HOURS,
            &mut store.dedupe_retention_hours,
        ),
        (
            &limits::STORE_DEDUPE_MAX_ENTRIES,
            &mut store.dedupe_max_entries,
        ),
        (&limits::STORE_CACHE_BYTES, &mut store.cache_bytes),
        (&limits::STORE_MAX_BATCH, &mut store.max_batch),
    ];
    for (limit, field) in numbers {
        if let Some(value) = reader.integer(table, limit) {
            *field = value;
        }
    }
}

/// The syntax error as a problem: the parser's message and position, without the source
/// line (which could hold a secret).
fn syntax_problem(text: &str, error: &toml::de::Error) -> ConfigProblem {
    let position = error.span().map(|span| line_and_column(text, span.start));
    ConfigProblem::Syntax {
        line: position.map(|(line, _)| line),
        column: position.map(|(_, column)| column),
        message: error.message().trim().to_owned(),
    }
}

/// 1-based line and column (in characters) of byte offset `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before
        .get(line_start..)
        .map_or(0, |part| part.chars().count())
        + 1;
    (line, column)
}

/// Reads and parses the TOML file at `path`.
///
/// # Errors
/// The file cannot be read, is larger than [`MAX_CONFIG_FILE_BYTES`] or is not UTF-8; or any
/// problem [`parse_toml`] reports.
pub fn load_toml_file(path: &std::path::Path) -> Result<Config, ConfigErrors> {
    let unreadable = |error: std::io::Error| ConfigProblem::Unreadable {
        path: path.to_owned(),
        kind: error.kind(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_CONFIG_FILE_BYTES) {
        return Err(ConfigProblem::TooLarge {
            path: path.to_owned(),
            limit: MAX_CONFIG_FILE_BYTES,
        }
        .into());
    }
    let text = String::from_utf8(bytes).map_err(|_| ConfigProblem::NotUtf8 {
        path: path.to_owned(),
    })?;
    parse_toml(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_in_characters() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, text.find('x').unwrap_or(0)), (2, 6));
    }
}
