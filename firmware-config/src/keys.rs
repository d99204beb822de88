//! The key path of every configuration setting, as written in TOML and in problem reports.
//!
//! A key path is the TOML table name, a dot, and the field name (`"store.quota_bytes"`);
//! `data_dir` is the only top-level setting. Each secret has three keys, one per source
//! (`meta.app_secret`, `meta.app_secret_file`, `meta.app_secret_env`); at most one of them is set.
//!
//! An array's entries have `[]` in their key: `departments[].name` is the `name` of every
//! `[[departments]]` table, and a problem report fills in the index (`departments[2].name`,
//! see [`crate::KeyPath`]). `chat.profanity_word_lists[]` is one file of that list.

/// `data_dir`: the folder holding the store, generated secrets and the self-signed certificate.
pub const DATA_DIR: &str = "data_dir";

/// `[public]`: the TLS listener that Meta's webhook reaches.
pub const PUBLIC: &str = "public";
/// `public.listen`: socket address of the public (webhook) listener.
pub const PUBLIC_LISTEN: &str = "public.listen";
/// `public.tls_cert`: PEM certificate chain file.
pub const PUBLIC_TLS_CERT: &str = "public.tls_cert";
/// `public.tls_key`: PEM private key file.
pub const PUBLIC_TLS_KEY: &str = "public.tls_key";
/// `public.max_connections`: open connections accepted at once.
pub const PUBLIC_MAX_CONNECTIONS: &str = "public.max_connections";
/// `public.max_body_bytes`: largest webhook body accepted.
pub const PUBLIC_MAX_BODY_BYTES: &str = "public.max_body_bytes";
/// `public.header_read_timeout_ms`: time allowed to read a request head.
pub const PUBLIC_HEADER_READ_TIMEOUT_MS: &str = "public.header_read_timeout_ms";
/// `public.body_read_timeout_ms`: time allowed to read a request body.
pub const PUBLIC_BODY_READ_TIMEOUT_MS: &str = "public.body_read_timeout_ms";
/// `public.tls_handshake_timeout_ms`: time allowed for a TLS handshake.
pub const PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS: &str = "public.tls_handshake_timeout_ms";
/// `public.http2_max_concurrent_streams`: HTTP/2 streams per connection.
pub const PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS: &str = "public.http2_max_concurrent_streams";
/// `public.idle_timeout_ms`: time a connection may stay open without a request in progress.
pub const PUBLIC_IDLE_TIMEOUT_MS: &str = "public.idle_timeout_ms";
/// `public.inflight_body_bytes`: request body bytes held at once, across all connections.
pub const PUBLIC_INFLIGHT_BODY_BYTES: &str = "public.inflight_body_bytes";
/// `public.max_delivery_entries`: `entry[]` items one webhook delivery may hold.
pub const PUBLIC_MAX_DELIVERY_ENTRIES: &str = "public.max_delivery_entries";
/// `public.max_delivery_changes`: `changes[]` items one delivery may hold, over all entries.
pub const PUBLIC_MAX_DELIVERY_CHANGES: &str = "public.max_delivery_changes";
/// `public.max_delivery_items`: messages, statuses, errors and contacts one delivery may hold.
pub const PUBLIC_MAX_DELIVERY_ITEMS: &str = "public.max_delivery_items";

/// `[local]`: the LAN listener (operator API, kiosk, metrics, health).
pub const LOCAL: &str = "local";
/// `local.listen`: socket address of the local listener.
pub const LOCAL_LISTEN: &str = "local.listen";

/// `[meta]`: the secrets shared with Meta.
pub const META: &str = "meta";
/// `meta.app_secret`: the app secret, inline.
pub const META_APP_SECRET: &str = "meta.app_secret";
/// `meta.app_secret_file`: a file holding the app secret.
pub const META_APP_SECRET_FILE: &str = "meta.app_secret_file";
/// `meta.app_secret_env`: an environment variable holding the app secret.
pub const META_APP_SECRET_ENV: &str = "meta.app_secret_env";
/// `meta.verify_token`: the webhook verify token, inline.
pub const META_VERIFY_TOKEN: &str = "meta.verify_token";
/// `meta.verify_token_file`: a file holding the verify token.
pub const META_VERIFY_TOKEN_FILE: &str = "meta.verify_token_file";
/// `meta.verify_token_env`: an environment variable holding the verify token.
pub const META_VERIFY_TOKEN_ENV: &str = "meta.verify_token_env";

/// `[store]`: the embedded database.
pub const STORE: &str = "store";
/// `store.quota_bytes`: disk space the data folder may use.
pub const STORE_QUOTA_BYTES: &str = "store.quota_bytes";
/// `store.dedupe_retention_hours`: how long delivered ids are remembered.
pub const STORE_DEDUPE_RETENTION_HOURS: &str = "store.dedupe_retention_hours";
/// `store.dedupe_max_entries`: how many delivered ids are remembered at most.
pub const STORE_DEDUPE_MAX_ENTRIES: &str = "store.dedupe_max_entries";
/// `store.cache_bytes`: the database page cache.
pub const STORE_CACHE_BYTES: &str = "store.cache_bytes";
/// `store.max_batch`: requests committed together in one write transaction.
pub const STORE_MAX_BATCH: &str = "store.max_batch";

/// `[shutdown]`: how the process stops.
pub const SHUTDOWN: &str = "shutdown";
/// `shutdown.grace_ms`: time in-flight requests get to finish after SIGTERM.
pub const SHUTDOWN_GRACE_MS: &str = "shutdown.grace_ms";

/// `[log]`: logging.
pub const LOG: &str = "log";
/// `log.format`: `"text"` or `"json"`.
pub const LOG_FORMAT: &str = "log.format";
/// `log.filter`: a `tracing` env-filter directive.
pub const LOG_FILTER: &str = "log.filter";

/// `[chat]`: how chats open, close and are served.
pub const CHAT: &str = "chat";
/// `chat.unattended_close_seconds`: a chat no operator accepts closes (missed) after this.
pub const CHAT_UNATTENDED_CLOSE_SECONDS: &str = "chat.unattended_close_seconds";
/// `chat.idle_close_seconds`: an accepted chat where nobody writes closes (idle) after this.
pub const CHAT_IDLE_CLOSE_SECONDS: &str = "chat.idle_close_seconds";
/// `chat.bot_enabled`: whether a bot serves the channel.
pub const CHAT_BOT_ENABLED: &str = "chat.bot_enabled";
/// `chat.bot_idle_close_seconds`: the idle limit while a bot serves the chat.
pub const CHAT_BOT_IDLE_CLOSE_SECONDS: &str = "chat.bot_idle_close_seconds";
/// `chat.profanity_limit`: offensive words per chat at which the chat closes.
pub const CHAT_PROFANITY_LIMIT: &str = "chat.profanity_limit";
/// `chat.profanity_word_lists`: the word list files, one per language.
pub const CHAT_PROFANITY_WORD_LISTS: &str = "chat.profanity_word_lists";
/// `chat.profanity_word_lists[]`: one word list file.
pub const CHAT_PROFANITY_WORD_LIST: &str = "chat.profanity_word_lists[]";
/// `chat.strict_order`: send a chat's next message only after Meta accepted the previous one.
pub const CHAT_STRICT_ORDER: &str = "chat.strict_order";

/// `[[departments]]`: the departments chats are transferred between.
pub const DEPARTMENTS: &str = "departments";
/// `departments[]`: one department.
pub const DEPARTMENT: &str = "departments[]";
/// `departments[].name`: a department's unique name.
pub const DEPARTMENT_NAME: &str = "departments[].name";
/// `departments[].numbers`: the business numbers (`phone_number_id`s) of a department.
pub const DEPARTMENT_NUMBERS: &str = "departments[].numbers";
/// `departments[].numbers[]`: one business number of a department.
pub const DEPARTMENT_NUMBER: &str = "departments[].numbers[]";

/// `[[templates]]`: the message templates registered from the configuration.
pub const TEMPLATES: &str = "templates";
/// `templates[]`: one template.
pub const TEMPLATE: &str = "templates[]";
/// `templates[].name`: the template's name at Meta.
pub const TEMPLATE_NAME: &str = "templates[].name";
/// `templates[].language`: the template's language code (`en_US`).
pub const TEMPLATE_LANGUAGE: &str = "templates[].language";
/// `templates[].category`: `utility`, `marketing` or `authentication`.
pub const TEMPLATE_CATEGORY: &str = "templates[].category";
/// `templates[].parameters`: how many body parameters the template takes.
pub const TEMPLATE_PARAMETERS: &str = "templates[].parameters";
/// `templates[].status`: the template's status until Meta's webhooks update it.
pub const TEMPLATE_STATUS: &str = "templates[].status";

/// `[[operators]]`: who may use the local operator API.
pub const OPERATORS: &str = "operators";
/// `operators[]`: one operator.
pub const OPERATOR: &str = "operators[]";
/// `operators[].name`: an operator's unique name.
pub const OPERATOR_NAME: &str = "operators[].name";
/// `operators[].token_sha256`: the SHA-256 of the operator's bearer token, in hex.
pub const OPERATOR_TOKEN_SHA256: &str = "operators[].token_sha256";
/// `operators[].token_file`: a file holding the operator's bearer token.
pub const OPERATOR_TOKEN_FILE: &str = "operators[].token_file";
/// `operators[].token_env`: an environment variable holding the operator's bearer token.
pub const OPERATOR_TOKEN_ENV: &str = "operators[].token_env";

/// The three keys of one secret, one per source; at most one of them may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretKeys {
    /// The key holding the secret itself.
    pub inline: &'static str,
    /// The key naming a file that holds the secret.
    pub file: &'static str,
    /// The key naming an environment variable that holds the secret.
    pub env: &'static str,
}

impl SecretKeys {
    /// The three keys, in file order.
    #[must_use]
    pub const fn all(&self) -> [&'static str; 3] {
        [self.inline, self.file, self.env]
    }
}

/// The keys of `meta.app_secret`.
pub const APP_SECRET_SOURCES: SecretKeys = SecretKeys {
    inline: META_APP_SECRET,
    file: META_APP_SECRET_FILE,
    env: META_APP_SECRET_ENV,
};

/// The keys of `meta.verify_token`.
pub const VERIFY_TOKEN_SOURCES: SecretKeys = SecretKeys {
    inline: META_VERIFY_TOKEN,
    file: META_VERIFY_TOKEN_FILE,
    env: META_VERIFY_TOKEN_ENV,
};

/// The keys allowed at the top level of a TOML file: `data_dir`, the table names and the
/// array-of-tables names.
pub const TOP_LEVEL: &[&str] = &[
    DATA_DIR,
    PUBLIC,
    LOCAL,
    META,
    STORE,
    SHUTDOWN,
    LOG,
    CHAT,
    DEPARTMENTS,
    TEMPLATES,
    OPERATORS,
];

/// The keys of the `[public]` table.
pub const PUBLIC_KEYS: &[&str] = &[
    PUBLIC_LISTEN,
    PUBLIC_TLS_CERT,
    PUBLIC_TLS_KEY,
    PUBLIC_MAX_CONNECTIONS,
    PUBLIC_MAX_BODY_BYTES,
    PUBLIC_HEADER_READ_TIMEOUT_MS,
    PUBLIC_BODY_READ_TIMEOUT_MS,
    PUBLIC_TLS_HANDSHAKE_TIMEOUT_MS,
    PUBLIC_HTTP2_MAX_CONCURRENT_STREAMS,
    PUBLIC_IDLE_TIMEOUT_MS,
    PUBLIC_INFLIGHT_BODY_BYTES,
    PUBLIC_MAX_DELIVERY_ENTRIES,
    PUBLIC_MAX_DELIVERY_CHANGES,
    PUBLIC_MAX_DELIVERY_ITEMS,
];

/// The keys of the `[local]` table.
pub const LOCAL_KEYS: &[&str] = &[LOCAL_LISTEN];

/// The keys of the `[meta]` table.
pub const META_KEYS: &[&str] = &[
    META_APP_SECRET,
    META_APP_SECRET_FILE,
    META_APP_SECRET_ENV,
    META_VERIFY_TOKEN,
    META_VERIFY_TOKEN_FILE,
    META_VERIFY_TOKEN_ENV,
];

/// The keys of the `[store]` table.
pub const STORE_KEYS: &[&str] = &[
    STORE_QUOTA_BYTES,
    STORE_DEDUPE_RETENTION_HOURS,
    STORE_DEDUPE_MAX_ENTRIES,
    STORE_CACHE_BYTES,
    STORE_MAX_BATCH,
];

/// The keys of the `[shutdown]` table.
pub const SHUTDOWN_KEYS: &[&str] = &[SHUTDOWN_GRACE_MS];

/// The keys of the `[log]` table.
pub const LOG_KEYS: &[&str] = &[LOG_FORMAT, LOG_FILTER];

/// The keys of the `[chat]` table.
pub const CHAT_KEYS: &[&str] = &[
    CHAT_UNATTENDED_CLOSE_SECONDS,
    CHAT_IDLE_CLOSE_SECONDS,
    CHAT_BOT_ENABLED,
    CHAT_BOT_IDLE_CLOSE_SECONDS,
    CHAT_PROFANITY_LIMIT,
    CHAT_PROFANITY_WORD_LISTS,
    CHAT_STRICT_ORDER,
];

/// The keys of each `[[departments]]` table.
pub const DEPARTMENT_KEYS: &[&str] = &[DEPARTMENT_NAME, DEPARTMENT_NUMBERS];

/// The keys of each `[[templates]]` table.
pub const TEMPLATE_KEYS: &[&str] = &[
    TEMPLATE_NAME,
    TEMPLATE_LANGUAGE,
    TEMPLATE_CATEGORY,
    TEMPLATE_PARAMETERS,
    TEMPLATE_STATUS,
];

/// The keys of each `[[operators]]` table.
pub const OPERATOR_KEYS: &[&str] = &[
    OPERATOR_NAME,
    OPERATOR_TOKEN_SHA256,
    OPERATOR_TOKEN_FILE,
    OPERATOR_TOKEN_ENV,
];

/// The three token keys of an operator, in file order; exactly one of them is set.
pub const OPERATOR_TOKEN_SOURCES: [&str; 3] = [
    OPERATOR_TOKEN_SHA256,
    OPERATOR_TOKEN_FILE,
    OPERATOR_TOKEN_ENV,
];

/// Every table with its keys, in file order.
pub const TABLES: &[(&str, &[&str])] = &[
    (PUBLIC, PUBLIC_KEYS),
    (LOCAL, LOCAL_KEYS),
    (META, META_KEYS),
    (STORE, STORE_KEYS),
    (SHUTDOWN, SHUTDOWN_KEYS),
    (LOG, LOG_KEYS),
    (CHAT, CHAT_KEYS),
];

/// Every array of tables (`[[departments]]`) with the keys of its tables, in file order.
pub const ARRAY_TABLES: &[(&str, &[&str])] = &[
    (DEPARTMENTS, DEPARTMENT_KEYS),
    (TEMPLATES, TEMPLATE_KEYS),
    (OPERATORS, OPERATOR_KEYS),
];

/// The last segment of a key path: `"quota_bytes"` for `"store.quota_bytes"`.
#[must_use]
pub fn field_name(key: &str) -> &str {
    key.rsplit_once('.').map_or(key, |(_, field)| field)
}

/// The key paths, in any table, whose field name is `field`; used to suggest
/// `store.quota_bytes` when `quota_bytes` is written in the wrong place.
pub fn with_field_name(field: &str) -> impl Iterator<Item = &'static str> + '_ {
    core::iter::once(DATA_DIR)
        .chain(
            TABLES
                .iter()
                .chain(ARRAY_TABLES)
                .flat_map(|(_, keys)| keys.iter().copied()),
        )
        .filter(move |key| field_name(key) == field)
}

/// Whether `name` is an array of tables (`departments`), written `[[name]]`.
#[must_use]
pub fn is_array_table(name: &str) -> bool {
    ARRAY_TABLES.iter().any(|(table, _)| *table == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_name_is_the_last_segment() {
        assert_eq!(field_name(STORE_QUOTA_BYTES), "quota_bytes");
        assert_eq!(field_name(DATA_DIR), "data_dir");
    }

    #[test]
    fn every_table_key_starts_with_its_table_name() {
        for (table, keys) in TABLES {
            for key in *keys {
                assert_eq!(key.split_once('.').map(|(t, _)| t), Some(*table), "{key}");
            }
        }
        for (table, keys) in ARRAY_TABLES {
            for key in *keys {
                assert_eq!(key.split_once("[].").map(|(t, _)| t), Some(*table), "{key}");
            }
            assert!(is_array_table(table));
        }
        assert!(!is_array_table(CHAT));
        assert_eq!(TABLES.len() + ARRAY_TABLES.len() + 1, TOP_LEVEL.len());
    }

    #[test]
    fn field_names_find_their_key_paths() {
        assert!(with_field_name("quota_bytes").eq([STORE_QUOTA_BYTES]));
        assert!(with_field_name("listen").eq([PUBLIC_LISTEN, LOCAL_LISTEN]));
        assert!(with_field_name("name").eq([DEPARTMENT_NAME, TEMPLATE_NAME, OPERATOR_NAME]));
        assert_eq!(with_field_name("nope").count(), 0);
    }
}
