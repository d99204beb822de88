//! Every setting, declared once: key, type, default, rule and a one-line doc. Field order is
//! the blob's wire order within each format version: only append.

use core::net::SocketAddr;

use crate::calendar::{Date, UtcOffset};
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
/// Most business numbers configured for sending (`[[numbers]]`).
pub const MAX_NUMBERS: usize = 32;
/// Most price rows (`[[pricing.rates]]`).
pub const MAX_RATES: usize = 512;
/// Longest URL (`meta.graph_base_url`), in bytes.
pub const URL_CAPACITY: usize = 256;
/// Longest Graph API version (`meta.graph_api_version`), in bytes.
pub const API_VERSION_CAPACITY: usize = 16;
/// Longest id of a gateway, a canned response or an article, in bytes.
pub const RECORD_ID_CAPACITY: usize = 64;
/// Longest canned response shortcut, in bytes.
pub const SHORTCUT_CAPACITY: usize = 32;
/// Longest canned response body, in bytes.
pub const CANNED_BODY_CAPACITY: usize = 1024;
/// Longest article title, in bytes.
pub const ARTICLE_TITLE_CAPACITY: usize = 200;
/// Longest article body, in bytes.
pub const ARTICLE_BODY_CAPACITY: usize = 2048;
/// Longest article link, in bytes.
pub const ARTICLE_LINK_CAPACITY: usize = 512;
/// Most canned responses from the configuration (`[[canned_responses]]`).
pub const MAX_CANNED_RESPONSES: usize = 16;
/// Most articles from the configuration (`[[articles]]`).
pub const MAX_ARTICLES: usize = 8;
/// Longest time zone (`console.time_zone`), in bytes.
pub const TIME_ZONE_CAPACITY: usize = 64;

/// A file-system path ([`PATH_CAPACITY`] bytes of UTF-8).
pub type Path = heapless::String<PATH_CAPACITY>;
/// An inline secret ([`INLINE_SECRET_CAPACITY`] bytes).
pub type InlineSecret = heapless::String<INLINE_SECRET_CAPACITY>;
/// The name of an environment variable ([`ENV_NAME_CAPACITY`] bytes).
pub type EnvName = heapless::String<ENV_NAME_CAPACITY>;
/// A log filter: a default level and `target=level` directives ([`LOG_FILTER_CAPACITY`] bytes).
pub type LogFilter = heapless::String<LOG_FILTER_CAPACITY>;
/// A department's or operator's name ([`NAME_CAPACITY`] bytes).
pub type Name = heapless::String<NAME_CAPACITY>;
/// A business number's `phone_number_id` ([`PHONE_NUMBER_ID_CAPACITY`] ASCII digits).
pub type PhoneNumberId = heapless::String<PHONE_NUMBER_ID_CAPACITY>;
/// A template's name at Meta.
pub type TemplateName = heapless::String<TEMPLATE_NAME_CAPACITY>;
/// A template's language code.
pub type LanguageCode = heapless::String<LANGUAGE_CAPACITY>;
/// A URL ([`URL_CAPACITY`] bytes).
pub type Url = heapless::String<URL_CAPACITY>;
/// A Graph API version (`v24.0`).
pub type ApiVersion = heapless::String<API_VERSION_CAPACITY>;
/// An ISO 3166 alpha-2 country code (`US`).
pub type Market = heapless::String<2>;
/// The id of a gateway, a canned response or an article ([`RECORD_ID_CAPACITY`] bytes of
/// letters, digits, `.`, `_` and `-`).
pub type RecordId = heapless::String<RECORD_ID_CAPACITY>;
/// What an operator types to insert a canned response.
pub type Shortcut = heapless::String<SHORTCUT_CAPACITY>;
/// A canned response's text.
pub type CannedBody = heapless::String<CANNED_BODY_CAPACITY>;
/// An article's title.
pub type ArticleTitle = heapless::String<ARTICLE_TITLE_CAPACITY>;
/// An article's text.
pub type ArticleBody = heapless::String<ARTICLE_BODY_CAPACITY>;
/// An article's link.
pub type ArticleLink = heapless::String<ARTICLE_LINK_CAPACITY>;
/// An IANA time zone name (`Asia/Tokyo`) or a UTC offset (`+09:00`).
pub type TimeZone = heapless::String<TIME_ZONE_CAPACITY>;

/// Default `data_dir`.
pub const DEFAULT_DATA_DIR: &str = "./waygate-data";
/// Default `public.listen`: loopback, port 8443.
pub const DEFAULT_PUBLIC_LISTEN: SocketAddr = loopback(8443);
/// Default `local.listen`: loopback, port 8080.
pub const DEFAULT_LOCAL_LISTEN: SocketAddr = loopback(8080);
/// Default `log.filter`.
pub const DEFAULT_LOG_FILTER: &str = "info";
/// Default `meta.graph_base_url`.
pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.facebook.com";
/// Default `meta.graph_api_version`.
pub const DEFAULT_GRAPH_API_VERSION: &str = "v24.0";
/// The retention, in days, of what headquarters acknowledged when `store.retention_days` is
/// unset and an upstream is configured.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

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
        /// What is shared with Meta: its secrets, and how its Graph API is reached.
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
        /// The business numbers messages are sent from; another number is answered at the defaults.
        numbers: heapless::Vec<Number, MAX_NUMBERS> = heapless::Vec::new(), Meta::ANY.since(4);
        /// What Meta charges per message, for the credits a chat costs.
        pricing: PricingSettings = PricingSettings::default(), Meta::ANY.since(4);
        /// How credits are sold.
        credits: CreditSettings = CreditSettings::default(), Meta::ANY.since(4);
        /// Headquarters: where events are synced to and commands come from.
        upstream: Headquarters = Headquarters::default(), Meta::ANY.since(5);
        /// Canned responses operators insert by their shortcut.
        canned_responses: heapless::Vec<CannedResponse, MAX_CANNED_RESPONSES> = heapless::Vec::new(), Meta::ANY.since(5);
        /// Articles operators look up and share.
        articles: heapless::Vec<Article, MAX_ARTICLES> = heapless::Vec::new(), Meta::ANY.since(5);
        /// The kiosk console the local listener serves at /console.
        console: ConsoleSettings = ConsoleSettings::default(), Meta::ANY.since(6);
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

/// A secret the gateway generates when no source is written.
const GENERATED: Meta = Meta {
    unset: Some("it is generated into data_dir"),
    ..Meta::ANY
};

/// Whether `host` (`127.0.0.1`, `[::1]`, `localhost`) names this machine.
fn is_loopback(host: &str) -> bool {
    let v4 = host.parse::<core::net::Ipv4Addr>();
    host == "localhost" || host == "[::1]" || v4.is_ok_and(|ip| ip.is_loopback())
}

/// `https://host[:port][/path]`, or `http://` to a loopback host (127.0.0.0/8, `[::1]`,
/// `localhost`): Meta's Graph API and headquarters.
fn is_service_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_chars = |ch: char| ch.is_ascii_alphanumeric() || "-.[]:".contains(ch);
    !host.is_empty()
        && host.chars().all(host_chars)
        && port.is_none_or(|port| {
            port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok()
        })
        && !url.contains(['?', '#', '@'])
        && !url.contains(char::is_whitespace)
        && !url.contains(char::is_control)
        && (scheme == "https" || scheme == "http" && is_loopback(host))
}

const SERVICE_URL: Form = Form {
    test: is_service_url,
    expected: "an https:// URL with an optional port and path (http:// only to 127.0.0.1, [::1] \
               or localhost, for tests), without user, query or fragment",
};
const API_VERSION: Form = Form {
    test: |version| {
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let parts = version
            .strip_prefix('v')
            .and_then(|rest| rest.split_once('.'));
        parts.is_some_and(|(major, minor)| digits(major) && digits(minor))
    },
    expected: "a Graph API version like \"v24.0\"",
};

section! {
    /// What is shared with Meta. Secrets have a key per source (`app_secret`, `app_secret_file`,
    /// `app_secret_env`), at most one written.
    pub struct MetaSettings at "meta." {
        /// The app secret that signs webhooks (X-Hub-Signature-256).
        app_secret: SecretSource = SecretSource::Generated, GENERATED;
        /// The token Meta echoes in the webhook verification handshake.
        verify_token: SecretSource = SecretSource::Generated, GENERATED;
        /// Where Meta's Graph API is (a local stand-in for tests: http:// to a loopback host).
        graph_base_url: Url = text(DEFAULT_GRAPH_BASE_URL), Meta { form: Some(SERVICE_URL), ..Meta::NON_BLANK }.since(4);
        /// The Graph API version messages are sent with.
        graph_api_version: ApiVersion = text(DEFAULT_GRAPH_API_VERSION), Meta { form: Some(API_VERSION), ..Meta::NON_BLANK }.since(4);
        /// The system user's access token that sends messages (WAYGATE_ACCESS_TOKEN overrides it).
        access_token: SecretSource = SecretSource::Generated, Meta { unset: Some("nothing is sent to Meta: the numbers are held"), ..Meta::ANY }.since(4);
        /// Extra PEM trust roots for the Graph API, besides the built-in (webpki) ones.
        ca_file: Option<Path> = None, PATH.since(4);
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
        /// Days what headquarters acknowledged is kept; unset: 30 with an upstream, forever without.
        retention_days: Option<u32> = None, Meta::range(0, 3_650, Unit::Count("days")).note("0 prunes as soon as headquarters acknowledged").since(5);
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

/// Whether `filter` is a log filter: comma-separated levels (`info`), `target=level` directives
/// (`hyper=warn`) and bare targets (everything of theirs), without spaces.
#[must_use]
pub fn is_log_filter(filter: &str) -> bool {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    let level = |word: &str| LEVELS.iter().any(|level| level.eq_ignore_ascii_case(word));
    let target = |word: &str| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_:.-".contains(&b))
    };
    filter
        .split(',')
        .all(|directive| match directive.split_once('=') {
            Some((name, word)) => target(name) && level(word),
            None => directive.is_empty() || target(directive),
        })
}

/// What a log filter is, as a phrase completing "must be ...".
pub const LOG_FILTER_FORM: &str = "a log filter: levels (off, error, warn, info, debug, trace) \
                                   and target=level directives, comma-separated without spaces, \
                                   like \"info,hyper=warn\"";

const LOG_FILTER: Form = Form {
    test: is_log_filter,
    expected: LOG_FILTER_FORM,
};

section! {
    /// Logging.
    pub struct LogSettings at "log." {
        /// Line format: "text" or "json".
        format: LogFormat = LogFormat::Text, Meta::ANY;
        /// A level and target=level directives, like "info,hyper=warn" (RUST_LOG overrides it).
        filter: LogFilter = text(DEFAULT_LOG_FILTER), Meta { form: Some(LOG_FILTER), ..Meta::NON_BLANK };
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
        /// Every number sends a chat's next message only after Meta accepted the previous one, whatever numbers[].strict_order says.
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

/// Digits only (`waba_id`).
const DIGITS: Form = Form {
    test: |id| id.bytes().all(|byte| byte.is_ascii_digit()),
    expected: "digits only (Meta's numeric id)",
};

section! {
    /// A business number messages are sent from, and how fast.
    pub struct Number at "numbers[]." {
        /// Meta's id of the number (each number once).
        phone_number_id: PhoneNumberId = PhoneNumberId::new(), Meta::required(Some(PHONE_NUMBER_ID));
        /// The WhatsApp Business Account it belongs to.
        waba_id: Option<PhoneNumberId> = None, Meta { form: Some(DIGITS), ..Meta::NON_BLANK };
        /// The number as people see it, for the operators.
        display_phone_number: Option<Name> = None, Meta::NON_BLANK;
        /// Messages sent per second at most (Meta's throughput for the number).
        messages_per_second: u32 = 80, Meta::range(1, 1_000, Unit::Count("messages per second"));
        /// Send a chat's next message only after Meta accepted the previous one.
        strict_order: bool = true, Meta::ANY;
    }
}

section! {
    /// What Meta charges per message; the rows in force on a day are the latest `from` before it.
    pub struct PricingSettings at "pricing." {
        /// Service messages free each month, per business account.
        service_free_tier_per_month: u32 = 1_000, Meta::range(0, 1_000_000, Unit::Count("messages per month"));
        /// The offset from UTC Meta bills days and months in.
        billing_utc_offset: UtcOffset = UtcOffset::UTC, Meta::ANY;
        /// Price rows: market, category, price and the day it applies from.
        rates: heapless::Vec<Rate, MAX_RATES> = heapless::Vec::new(), Meta::ANY;
    }
}

words! {
    /// What Meta prices a message as.
    pub enum PricingCategory {
        /// Promotions.
        Marketing => "marketing",
        /// Transactional updates.
        Utility => "utility",
        /// One-time passwords.
        Authentication => "authentication",
        /// One-time passwords sent to another country, where Meta prices them so.
        AuthenticationInternational => "authentication_international",
        /// Replies within the customer service window.
        Service => "service",
    }
}

const MARKET: Form = Form {
    test: |code| code.len() == 2 && code.bytes().all(|byte| byte.is_ascii_alphabetic()),
    expected: "an ISO 3166 country code of two letters, like \"US\" or \"br\"",
};

section! {
    /// One price: a message of a category to a market, from a day on (each triple once).
    pub struct Rate at "pricing.rates[]." {
        /// The recipient's country (ISO 3166 alpha-2, any case).
        market: Market = Market::new(), Meta::required(Some(MARKET));
        /// The category priced: marketing, utility, authentication, authentication_international or service.
        category: PricingCategory = PricingCategory::Marketing, Meta { required: true, ..Meta::ANY };
        /// The price of one message, in micro-USD.
        micro_usd: u64 = 0, Meta { required: true, ..Meta::range(0, 100_000_000, Unit::Count("micro-USD")) };
        /// The first day (in the billing offset) the price applies.
        from: Date = Date::EPOCH, Meta { required: true, ..Meta::ANY };
    }
}

section! {
    /// How credits are sold.
    pub struct CreditSettings at "credits." {
        /// The price of one credit.
        usd_per_credit: u32 = 2, Meta::range(1, 1_000, Unit::Count("USD per credit"));
        /// The fee added to a purchase of credits.
        purchase_fee_percent: u32 = 3, Meta::range(0, 100, Unit::Count("percent"));
    }
}

/// Whether `id` can be the id of a gateway, a canned response or an article: 1 to
/// [`RECORD_ID_CAPACITY`] letters, digits, `.`, `_` and `-` (safe in a URL path, a file name
/// and a log line).
#[must_use]
pub fn is_record_id(id: &str) -> bool {
    (1..=RECORD_ID_CAPACITY).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte))
}

const RECORD_ID: Form = Form {
    test: is_record_id,
    expected: "1 to 64 letters, digits, '.', '_' or '-'",
};

section! {
    /// Headquarters (HQ): the gateway posts batches of events, signed per Standard Webhooks, to
    /// `url` and long-polls commands from `commands_url`.
    pub struct Headquarters at "upstream." {
        /// Where batches of events are posted; unset: nothing is synced.
        url: Option<Url> = None, Meta { form: Some(SERVICE_URL), ..Meta::NON_BLANK };
        /// The secret shared with HQ that signs batches and commands: "whsec_<base64>" or raw text (WAYGATE_UPSTREAM_SECRET overrides it).
        secret: SecretSource = SecretSource::Generated, Meta { unset: Some("nothing is synced (upstream.url needs one)"), ..Meta::ANY };
        /// This gateway's name at HQ; unset: generated once into data_dir.
        gateway_id: Option<RecordId> = None, Meta { form: Some(RECORD_ID), ..Meta::ANY };
        /// Events in one batch at most.
        max_batch_events: u32 = 500, Meta::range(1, 10_000, Unit::Count("events per batch"));
        /// Bytes of one batch's body at most.
        max_batch_bytes: u32 = 1 << 20, Meta::range(4 * KIB, 16 * MIB, Unit::Bytes);
        /// Where commands are long-polled from (needs upstream.url); unset: no commands.
        commands_url: Option<Url> = None, Meta { form: Some(SERVICE_URL), ..Meta::NON_BLANK };
    }
}

/// Text without whitespace or control characters.
const SHORTCUT: Form = Form {
    test: |shortcut| {
        !shortcut.is_empty() && !shortcut.contains(|ch: char| ch.is_whitespace() || ch.is_control())
    },
    expected: "1 to 32 bytes without spaces (\"/thanks\")",
};

section! {
    /// A canned response from the configuration (each id and shortcut once).
    pub struct CannedResponse at "canned_responses[]." {
        /// Unique id.
        id: RecordId = RecordId::new(), Meta::required(Some(RECORD_ID));
        /// What an operator types to insert it.
        shortcut: Shortcut = Shortcut::new(), Meta::required(Some(SHORTCUT));
        /// The text; {{contact.name}}, {{contact.phone}}, {{agent.name}} and {{chat.id}} are filled in.
        body: CannedBody = CannedBody::new(), Meta::required(None);
    }
}

/// `https://` or `http://` and a host, without spaces.
const LINK: Form = Form {
    test: |link| {
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"));
        rest.is_some_and(|rest| !rest.is_empty())
            && !link.contains(|ch: char| ch.is_whitespace() || ch.is_control())
    },
    expected: "an https:// or http:// URL without spaces",
};

section! {
    /// An article from the configuration (each id once).
    pub struct Article at "articles[]." {
        /// Unique id.
        id: RecordId = RecordId::new(), Meta::required(Some(RECORD_ID));
        /// The title.
        title: ArticleTitle = ArticleTitle::new(), Meta::required(None);
        /// The text.
        body: ArticleBody = ArticleBody::new(), Meta::required(None);
        /// A page with more.
        link: Option<ArticleLink> = None, Meta { form: Some(LINK), ..Meta::NON_BLANK };
    }
}

/// An offset `±HH:MM` (at most 14 hours, in quarter hours) or an IANA-like name: letters,
/// digits, `/`, `_`, `-` and `+`, from a letter, without an empty part (`Asia/Tokyo`).
const TIME_ZONE: Form = Form {
    test: |zone| match UtcOffset::parse(zone) {
        Some(offset) => offset.minutes.unsigned_abs() / 60 <= 14 && offset.minutes % 15 == 0,
        None => {
            zone.starts_with(|ch: char| ch.is_ascii_alphabetic())
                && zone
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
                && !zone.contains("//")
                && !zone.ends_with('/')
        }
    },
    expected: "an IANA time zone name like \"Asia/Tokyo\", \"America/New_York\" or \"UTC\", \
               or a UTC offset in quarter hours up to 14 hours, like \"+09:00\"",
};

section! {
    /// The kiosk console: the operators' page on the local listener.
    pub struct ConsoleSettings at "console." {
        /// The time zone the console shows times in; unset: the box's system zone.
        time_zone: Option<TimeZone> = None, Meta { form: Some(TIME_ZONE), ..Meta::NON_BLANK };
        /// A console session unused this long is signed out.
        session_idle_seconds: u32 = 28_800, Meta::range(5 * MINUTE, 7 * DAY, SECONDS).note("5 minutes to 7 days");
        /// A console session ends this long after sign-in, used or not.
        session_max_hours: u32 = 24, Meta::range(1, 720, Unit::Hours).note("1 hour to 30 days, and at least console.session_idle_seconds");
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
