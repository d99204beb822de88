//! Every setting, declared once: key, type, default, rule and a one-line doc. Field order is
//! the blob's wire order within each format version: only append.

use core::net::SocketAddr;

use crate::schema::{Form, Meta, Unit};
use crate::section;
use crate::sources::{OperatorToken, SecretSource};
use crate::values::{loopback, words};

/// Longest path, in bytes (`data_dir`, `public.tls_cert`, secret files).
pub const PATH_CAPACITY: usize = 256;
/// Longest inline secret, in bytes.
pub const INLINE_SECRET_CAPACITY: usize = 256;
/// Longest environment variable name, in bytes.
pub const ENV_NAME_CAPACITY: usize = 64;
/// Longest `log.filter` directive, in bytes.
pub const LOG_FILTER_CAPACITY: usize = 256;
/// Longest department or operator name, in bytes.
pub const NAME_CAPACITY: usize = 64;
/// Longest business number id (`phone_number_id`), in bytes; Meta's are 15 or 16 digits.
pub const PHONE_NUMBER_ID_CAPACITY: usize = 32;
/// Longest template name, in bytes: Meta's limit of 512 characters (names are ASCII).
pub const TEMPLATE_NAME_CAPACITY: usize = 512;
/// Longest language code, in bytes (`en_US`, `pt_BR`, `fil`).
pub const LANGUAGE_CAPACITY: usize = 16;
/// Most profanity word list files (`chat.profanity_word_lists`), one per language.
pub const MAX_PROFANITY_WORD_LISTS: usize = 16;
/// Most departments (`[[departments]]`).
pub const MAX_DEPARTMENTS: usize = 16;
/// Most business numbers in one department (`departments[].numbers`).
pub const MAX_DEPARTMENT_NUMBERS: usize = 16;
/// Most templates registered from the configuration (`[[templates]]`).
pub const MAX_TEMPLATES: usize = 64;
/// Most operators (`[[operators]]`).
pub const MAX_OPERATORS: usize = 32;

/// A file-system path ([`PATH_CAPACITY`] bytes of UTF-8).
pub type Path = heapless::String<PATH_CAPACITY>;
/// An inline secret ([`INLINE_SECRET_CAPACITY`] bytes).
pub type InlineSecret = heapless::String<INLINE_SECRET_CAPACITY>;
/// The name of an environment variable ([`ENV_NAME_CAPACITY`] bytes).
pub type EnvName = heapless::String<ENV_NAME_CAPACITY>;
/// A `tracing` env-filter directive ([`LOG_FILTER_CAPACITY`] bytes).
pub type LogFilter = heapless::String<LOG_FILTER_CAPACITY>;
/// A department's or operator's name ([`NAME_CAPACITY`] bytes).
pub type Name = heapless::String<NAME_CAPACITY>;
/// A business number's `phone_number_id` ([`PHONE_NUMBER_ID_CAPACITY`] ASCII digits).
pub type PhoneNumberId = heapless::String<PHONE_NUMBER_ID_CAPACITY>;
/// A template's name at Meta.
pub type TemplateName = heapless::String<TEMPLATE_NAME_CAPACITY>;
/// A template's language code.
pub type LanguageCode = heapless::String<LANGUAGE_CAPACITY>;

/// Default `data_dir`.
pub const DEFAULT_DATA_DIR: &str = "./waygate-data";
/// Default `public.listen`: loopback, port 8443.
pub const DEFAULT_PUBLIC_LISTEN: SocketAddr = loopback(8443);
/// Default `local.listen`: loopback, port 8080.
pub const DEFAULT_LOCAL_LISTEN: SocketAddr = loopback(8080);
/// Default `log.filter`.
pub const DEFAULT_LOG_FILTER: &str = "info";

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const MS: Unit = Unit::Millis;
const SECONDS: Unit = Unit::Seconds;

/// A path: not blank, and without control characters (a newline in a path is a mistake that
/// would otherwise show only when the file is opened, or forge a line in a log).
const PATH: Meta = Meta {
    form: Some(Form {
        test: |path| !path.chars().any(char::is_control),
        expected: "a path without control characters",
    }),
    ..Meta::NON_BLANK
};

/// A fixed-capacity copy of a built-in default (they fit; a unit test checks).
fn text<const N: usize>(default: &str) -> heapless::String<N> {
    heapless::String::try_from(default).unwrap_or_default()
}

section! {
    /// The appliance's whole configuration.
    pub struct Config at "" {
        /// Folder for the store, generated secrets and the self-signed certificate.
        data_dir: Path = text(DEFAULT_DATA_DIR), PATH;
        /// The TLS listener Meta's webhook reaches.
        public: PublicListener = PublicListener::default(), Meta::ANY;
        /// The LAN listener (operator API, kiosk page, metrics, health).
        local: LocalListener = LocalListener::default(), Meta::ANY;
        /// The secrets shared with Meta.
        meta: MetaSettings = MetaSettings::default(), Meta::ANY;
        /// The embedded database.
        store: StoreSettings = StoreSettings::default(), Meta::ANY;
        /// How the process stops.
        shutdown: ShutdownSettings = ShutdownSettings::default(), Meta::ANY;
        /// Logging.
        log: LogSettings = LogSettings::default(), Meta::ANY;
        /// How chats open, close and are served.
        chat: ChatSettings = ChatSettings::default(), Meta::ANY.since(2);
        /// The departments chats are transferred between, and their business numbers.
        departments: heapless::Vec<Department, MAX_DEPARTMENTS> = heapless::Vec::new(), Meta::ANY.since(2);
        /// The message templates registered from the configuration.
        templates: heapless::Vec<Template, MAX_TEMPLATES> = heapless::Vec::new(), Meta::ANY.since(2);
        /// Who may use the local operator API.
        operators: heapless::Vec<Operator, MAX_OPERATORS> = heapless::Vec::new(), Meta::ANY.since(2);
    }
}

section! {
    /// The public (webhook) listener: TLS, reachable from the internet.
    pub struct PublicListener at "public." {
        /// Socket address of the webhook listener.
        listen: SocketAddr = DEFAULT_PUBLIC_LISTEN, Meta::ANY;
        /// PEM certificate chain; set with tls_key, or neither for a self-signed certificate in data_dir.
        tls_cert: Option<Path> = None, PATH;
        /// PEM private key; see tls_cert.
        tls_key: Option<Path> = None, PATH;
        /// Open connections at once; the longest idle one gives way to a new one.
        max_connections: u32 = 1024, Meta::range(1, 65_535, Unit::Count("connections"));
        /// Largest webhook body accepted.
        max_body_bytes: u32 = 3 << 20, Meta::range(64 * KIB, 16 * MIB, Unit::Bytes).note("Meta sends at most 3 MiB");
        /// Time allowed to read a request head.
        header_read_timeout_ms: u32 = 10_000, Meta::range(100, 300_000, MS);
        /// Time allowed to read a request body.
        body_read_timeout_ms: u32 = 30_000, Meta::range(100, 600_000, MS);
        /// Time allowed for a TLS handshake.
        tls_handshake_timeout_ms: u32 = 10_000, Meta::range(100, 300_000, MS);
        /// HTTP/2 streams per connection.
        http2_max_concurrent_streams: u32 = 64, Meta::range(1, 1_000, Unit::Count("streams per connection"));
        /// Time a connection may stay open with no request in progress.
        idle_timeout_ms: u32 = 30_000, Meta::range(100, 3_600_000, MS).since(3);
        /// Request body bytes held at once over all connections.
        inflight_body_bytes: u32 = 32 << 20, Meta::range(64 * KIB, GIB, Unit::Bytes).note("and at least public.max_body_bytes").since(3);
        /// entry[] items one webhook delivery may hold.
        max_delivery_entries: u32 = 1_000, Meta::range(1, 100_000, Unit::Count("entries")).since(3);
        /// changes[] items one delivery may hold, over all entries.
        max_delivery_changes: u32 = 2_000, Meta::range(1, 100_000, Unit::Count("changes")).since(3);
        /// Messages, statuses, errors and contacts one delivery may hold.
        max_delivery_items: u32 = 10_000, Meta::range(1, 1_000_000, Unit::Count("items")).since(3);
    }
}

section! {
    /// The local listener: plain HTTP on the LAN.
    pub struct LocalListener at "local." {
        /// Socket address of the local listener.
        listen: SocketAddr = DEFAULT_LOCAL_LISTEN, Meta::ANY;
    }
}

section! {
    /// The secrets shared with Meta; each has a key per source (`app_secret`, `app_secret_file`,
    /// `app_secret_env`), at most one written; none means generated into data_dir.
    pub struct MetaSettings at "meta." {
        /// The app secret that signs webhooks (X-Hub-Signature-256).
        app_secret: SecretSource = SecretSource::Generated, Meta::ANY;
        /// The token Meta echoes in the webhook verification handshake.
        verify_token: SecretSource = SecretSource::Generated, Meta::ANY;
    }
}

section! {
    /// The embedded database.
    pub struct StoreSettings at "store." {
        /// Disk space the data folder may use.
        quota_bytes: u64 = GIB, Meta::range(MIB, 1024 * GIB, Unit::Bytes).note("1 MiB to 1 TiB");
        /// How long delivered ids are remembered.
        dedupe_retention_hours: u32 = 192, Meta::range(168, 2_160, Unit::Hours).note("Meta retries for 7 days");
        /// How many delivered ids are remembered at most.
        dedupe_max_entries: u32 = 2_000_000, Meta::range(1_000, 100_000_000, Unit::Count("entries"));
        /// The database page cache.
        cache_bytes: u32 = 4 << 20, Meta::range(256 * KIB, GIB, Unit::Bytes);
        /// Requests committed together in one write transaction.
        max_batch: u32 = 512, Meta::range(1, 10_000, Unit::Count("requests per commit"));
    }
}

section! {
    /// How the process stops.
    pub struct ShutdownSettings at "shutdown." {
        /// Time in-flight requests get to finish after SIGTERM.
        grace_ms: u32 = 10_000, Meta::range(0, 600_000, MS);
    }
}

words! {
    /// Log line format.
    pub enum LogFormat {
        /// Human-readable lines.
        Text => "text",
        /// One JSON object per line.
        Json => "json",
    }
}

section! {
    /// Logging.
    pub struct LogSettings at "log." {
        /// Line format: "text" or "json".
        format: LogFormat = LogFormat::Text, Meta::ANY;
        /// A tracing env-filter directive (RUST_LOG overrides it).
        filter: LogFilter = text(DEFAULT_LOG_FILTER), Meta::NON_BLANK;
    }
}

section! {
    /// How chats open, close and are served. Spans are whole seconds.
    pub struct ChatSettings at "chat." {
        /// A waiting chat that no operator accepts closes as missed after this.
        unattended_close_seconds: u32 = 3_600, Meta::range(15 * MINUTE, 31 * DAY, SECONDS).note("15 minutes to 31 days");
        /// An active chat where nobody writes closes as idle after this; a message restarts it.
        idle_close_seconds: u32 = 3_600, Meta::range(MINUTE, DAY, SECONDS).note("1 minute to 24 hours");
        /// Whether a bot serves the channel.
        bot_enabled: bool = false, Meta::ANY;
        /// The idle limit while a bot serves the chat, in place of idle_close_seconds.
        bot_idle_close_seconds: u32 = 600, Meta::range(MINUTE, DAY, SECONDS).note("1 minute to 24 hours");
        /// Offensive words in one chat at which it closes.
        profanity_limit: u32 = 3, Meta::range(1, 100, Unit::Count("offensive words per chat")).note("the chat closes when it reaches the limit");
        /// Word list files, one per language, one word per line.
        profanity_word_lists: heapless::Vec<Path, MAX_PROFANITY_WORD_LISTS> = heapless::Vec::new(), PATH;
        /// Send a chat's next message only after Meta accepted the previous one.
        strict_order: bool = false, Meta::ANY;
    }
}

const PHONE_NUMBER_ID: Form = Form {
    test: |id| !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()),
    expected: "a phone_number_id: Meta's numeric id of the business number (digits only), not \
               the phone number itself",
};
const TEMPLATE_NAME: Form = Form {
    test: |name| {
        name.bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
    },
    expected: "lowercase letters, digits and underscores (Meta's rule for template names)",
};
const LANGUAGE_CODE: Form = Form {
    test: |code| {
        code.len() >= 2
            && code.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && code
                .bytes()
                .all(|byte| byte.is_ascii_alphabetic() || byte == b'_')
    },
    expected: "a language code of 2 to 16 letters and underscores, like \"en\" or \"en_US\"",
};

section! {
    /// A department: a name operators transfer chats to, and its business numbers.
    pub struct Department at "departments[]." {
        /// Unique name.
        name: Name = Name::new(), Meta::required(None);
        /// The phone_number_ids of its business numbers; a number belongs to one department.
        numbers: heapless::Vec<PhoneNumberId, MAX_DEPARTMENT_NUMBERS> = heapless::Vec::new(), Meta { form: Some(PHONE_NUMBER_ID), ..Meta::ANY };
    }
}

words! {
    /// A template's category at Meta.
    pub enum TemplateCategory {
        /// Transactional updates.
        Utility => "utility",
        /// Promotions; paused for US numbers.
        Marketing => "marketing",
        /// One-time passwords.
        Authentication => "authentication",
    }
}

words! {
    /// A template's status at Meta, as far as the configuration knows it.
    pub enum TemplateStatus {
        /// Usable.
        Approved => "approved",
        /// Waiting for Meta's review.
        Pending => "pending",
        /// Refused by Meta's review.
        Rejected => "rejected",
        /// Paused for low quality.
        Paused => "paused",
        /// Permanently disabled.
        Disabled => "disabled",
    }
}

section! {
    /// A message template registered from the configuration; each (name, language) once.
    pub struct Template at "templates[]." {
        /// The name at Meta.
        name: TemplateName = TemplateName::new(), Meta::required(Some(TEMPLATE_NAME));
        /// The language code.
        language: LanguageCode = LanguageCode::new(), Meta::required(Some(LANGUAGE_CODE));
        /// What Meta bills and restricts it as: utility, marketing or authentication.
        category: TemplateCategory = TemplateCategory::Utility, Meta { required: true, ..Meta::ANY };
        /// How many body parameters it takes.
        parameters: u32 = 0, Meta::range(0, 20, Unit::Count("body parameters"));
        /// Its status until Meta's webhooks update it; only approved templates are sent.
        status: TemplateStatus = TemplateStatus::Pending, Meta::ANY;
    }
}

section! {
    /// An operator of the local API.
    pub struct Operator at "operators[]." {
        /// Unique name; names the operator in logs and the chat history.
        name: Name = Name::new(), Meta::required(None);
        /// The bearer token: token_sha256 (its SHA-256 in hex), token_file or token_env.
        token: OperatorToken = OperatorToken::default(), Meta { required: true, ..Meta::ANY };
    }
}

impl Config {
    /// The department that business number `phone_number_id` belongs to, if any.
    #[must_use]
    pub fn department_of(&self, phone_number_id: &str) -> Option<&Department> {
        self.departments
            .iter()
            .find(|department| department.numbers.iter().any(|n| n == phone_number_id))
    }
}
