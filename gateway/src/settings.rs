//! What the configuration means for each subsystem: the store's options and retention, the chat
//! lifecycle's limits, the template registry, the sender's Graph API, numbers, prices and
//! credits, and the console's time zone and sessions, translated from firmware-config's types.
//! (Headquarters' settings are [`crate::upstream::UpstreamSettings`].)

use std::path::PathBuf;

use firmware_config::{ChatSettings, Config};

use crate::chat::{LifecycleSettings, Span};
use crate::console::{ConsoleSettings, SessionLimits};
use crate::policy::{
    RegistryError, TemplateCategory, TemplateRegistration, TemplateRegistry, TemplateStatus,
};
use crate::pricing::{
    CreditSettings, Date, Market, PricingCategory, PricingRules, RateCard, RateCardError, RateRow,
};
use crate::store::{Retention, StoreOptions};
use crate::tools::{ArticleInput, CannedInput, Configured};

/// Why the configuration does not make the gateway's settings (its own rules refuse these
/// first; this is the pricing core's and the registry's word on them).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The configured templates do not make a registry.
    #[error("templates: {0}")]
    Templates(#[from] RegistryError),
    /// The configured rates do not make a rate card.
    #[error("pricing.rates: {0}")]
    Rates(#[from] RateCardError),
}

/// The store options the configuration asks for.
pub fn store_options(config: &Config) -> Result<StoreOptions, SettingsError> {
    Ok(StoreOptions {
        quota_bytes: config.store.quota_bytes,
        dedupe_retention_ms: u64::from(config.store.dedupe_retention_hours) * 3_600_000,
        dedupe_max_entries: u64::from(config.store.dedupe_max_entries),
        cache_bytes: usize::try_from(config.store.cache_bytes).unwrap_or(usize::MAX),
        max_batch: usize::try_from(config.store.max_batch).unwrap_or(1).max(1),
        lifecycle: lifecycle_settings(&config.chat),
        templates: template_registry(config)?,
        pricing: pricing_rules(config)?,
        credits: credit_settings(config),
        retention: retention_days(config).map(|days| Retention {
            after_ms: Span::from_hours(u64::from(days) * 24).as_millis(),
            wait_for_upstream: config.upstream.url.is_some(),
        }),
        canned_responses: configured_canned_responses(config),
        articles: configured_articles(config),
    })
}

/// The `[[canned_responses]]` of the configuration.
pub fn configured_canned_responses(config: &Config) -> Vec<Configured<CannedInput>> {
    config
        .canned_responses
        .iter()
        .map(|canned| Configured {
            id: canned.id.as_str().to_owned(),
            item: CannedInput {
                shortcut: canned.shortcut.as_str().to_owned(),
                body: canned.body.as_str().to_owned(),
            },
        })
        .collect()
}

/// The `[[articles]]` of the configuration.
pub fn configured_articles(config: &Config) -> Vec<Configured<ArticleInput>> {
    config
        .articles
        .iter()
        .map(|article| Configured {
            id: article.id.as_str().to_owned(),
            item: ArticleInput {
                title: article.title.as_str().to_owned(),
                body: article.body.as_str().to_owned(),
                link: article.link.as_ref().map(|link| link.as_str().to_owned()),
            },
        })
        .collect()
}

/// The chat lifecycle's limits from the configuration.
pub fn lifecycle_settings(chat: &ChatSettings) -> LifecycleSettings {
    LifecycleSettings {
        unattended: Span::from_secs(u64::from(chat.unattended_close_seconds)),
        idle: Span::from_secs(u64::from(chat.idle_close_seconds)),
        bot_enabled: chat.bot_enabled,
        bot_idle: Span::from_secs(u64::from(chat.bot_idle_close_seconds)),
        profanity_limit: chat.profanity_limit,
    }
}

/// The registry of the configured `[[templates]]`, each with its configured status.
pub fn template_registry(config: &Config) -> Result<TemplateRegistry, RegistryError> {
    TemplateRegistry::new(
        config
            .templates
            .iter()
            .map(|template| TemplateRegistration {
                name: template.name.as_str().to_owned(),
                language: template.language.as_str().to_owned(),
                category: match template.category {
                    firmware_config::TemplateCategory::Utility => TemplateCategory::Utility,
                    firmware_config::TemplateCategory::Marketing => TemplateCategory::Marketing,
                    firmware_config::TemplateCategory::Authentication => {
                        TemplateCategory::Authentication
                    }
                },
                parameter_count: template.parameters,
                status: match template.status {
                    firmware_config::TemplateStatus::Approved => TemplateStatus::Approved,
                    firmware_config::TemplateStatus::Pending => TemplateStatus::Pending,
                    firmware_config::TemplateStatus::Rejected => TemplateStatus::Rejected,
                    firmware_config::TemplateStatus::Paused => TemplateStatus::Paused,
                    firmware_config::TemplateStatus::Disabled => TemplateStatus::Disabled,
                },
                meta_id: None,
            }),
    )
}

/// How many days what headquarters acknowledged is kept before it is pruned; `None`: never
/// pruned. With an upstream (`upstream.url`) it is `store.retention_days`, 30 when unset;
/// without one, nothing is pruned unless `store.retention_days` is set.
pub fn retention_days(config: &Config) -> Option<u32> {
    match (config.store.retention_days, &config.upstream.url) {
        (Some(days), _) => Some(days),
        (None, Some(_)) => Some(firmware_config::DEFAULT_RETENTION_DAYS),
        (None, None) => None,
    }
}

/// Where and how the sender reaches Meta's Graph API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSettings {
    /// `meta.graph_base_url` without a trailing `/` (`https://graph.facebook.com`).
    pub base_url: String,
    /// `meta.graph_api_version` (`v24.0`).
    pub api_version: String,
    /// `meta.ca_file`: extra PEM trust roots besides the built-in ones.
    pub ca_file: Option<PathBuf>,
}

/// The Graph API settings from the configuration.
pub fn graph_settings(config: &Config) -> GraphSettings {
    let meta = &config.meta;
    GraphSettings {
        base_url: meta.graph_base_url.trim_end_matches('/').to_owned(),
        api_version: meta.graph_api_version.as_str().to_owned(),
        ca_file: meta
            .ca_file
            .as_ref()
            .map(|path| PathBuf::from(path.as_str())),
    }
}

/// How one business number sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberSettings {
    /// Meta's id of the number.
    pub phone_number_id: String,
    /// Its WhatsApp Business Account.
    pub waba_id: Option<String>,
    /// The number as people see it.
    pub display_phone_number: Option<String>,
    /// Messages sent per second at most.
    pub messages_per_second: u32,
    /// A chat's next message waits until Meta accepted the previous one.
    pub strict_order: bool,
}

impl NumberSettings {
    /// A number that is not configured (it receives webhooks all the same): 80 messages per
    /// second, in strict order, as `[[numbers]]` defaults.
    pub fn default_for(phone_number_id: &str) -> Self {
        let defaults = firmware_config::Number::default();
        Self {
            phone_number_id: phone_number_id.to_owned(),
            waba_id: None,
            display_phone_number: None,
            messages_per_second: defaults.messages_per_second,
            strict_order: defaults.strict_order,
        }
    }
}

/// The configured `[[numbers]]`; `chat.strict_order` makes every one send in strict order.
pub fn number_settings(config: &Config) -> Vec<NumberSettings> {
    config
        .numbers
        .iter()
        .map(|number| NumberSettings {
            phone_number_id: number.phone_number_id.as_str().to_owned(),
            waba_id: number.waba_id.as_deref().map(str::to_owned),
            display_phone_number: number.display_phone_number.as_deref().map(str::to_owned),
            messages_per_second: number.messages_per_second,
            strict_order: number.strict_order || config.chat.strict_order,
        })
        .collect()
}

/// The pricing rules from the configuration.
///
/// # Errors
/// Two rows for the same market, category and day (the configuration's rules refuse them
/// first), or a row the pricing core cannot take.
pub fn pricing_rules(config: &Config) -> Result<PricingRules, RateCardError> {
    let pricing = &config.pricing;
    let mut rows = Vec::with_capacity(pricing.rates.len());
    for (index, rate) in pricing.rates.iter().enumerate() {
        let invalid = |what: &str| RateCardError::Invalid {
            row: index,
            reason: format!("pricing.rates[{index}]: {what}"),
        };
        let market = Market::new(&rate.market).ok_or_else(|| invalid("not a market"))?;
        let category = PricingCategory::from_wire(rate.category.name())
            .ok_or_else(|| invalid("not a pricing category"))?;
        let from = Date::new(rate.from.year, rate.from.month, rate.from.day)
            .ok_or_else(|| invalid("not a date"))?;
        rows.push(RateRow {
            market,
            category,
            micro_usd: rate.micro_usd,
            from,
        });
    }
    Ok(PricingRules {
        rates: RateCard::new(rows)?,
        service_free_tier_per_month: u64::from(pricing.service_free_tier_per_month),
        billing_utc_offset_minutes: pricing.billing_utc_offset.minutes,
    })
}

/// How credits are sold, from `[credits]`.
pub fn credit_settings(config: &Config) -> CreditSettings {
    CreditSettings {
        usd_per_credit: config.credits.usd_per_credit,
        purchase_fee_percent: config.credits.purchase_fee_percent,
    }
}

/// The kiosk console's settings, from `[console]` (the listener has no TLS: the cookie is not
/// `Secure`).
pub fn console_settings(config: &Config) -> ConsoleSettings {
    let console = &config.console;
    ConsoleSettings {
        limits: SessionLimits {
            idle_ms: Span::from_secs(u64::from(console.session_idle_seconds)).as_millis(),
            max_ms: Span::from_hours(u64::from(console.session_max_hours)).as_millis(),
        },
        time_zone: console.time_zone.as_deref().map(str::to_owned),
        secure_cookies: false,
        sessions_file: Some(
            PathBuf::from(config.data_dir.as_str()).join(crate::console::SESSIONS_FILE),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn retention_is_30_days_with_an_upstream_and_forever_without_unless_set() {
        let retention = |text: &str| retention_days(&firmware_config::parse_toml(text).unwrap());
        let upstream = "[upstream]\nurl = \"https://hq.example.com/b\"\n";
        assert_eq!(retention(""), None);
        assert_eq!(retention(upstream), Some(30));
        assert_eq!(retention("[store]\nretention_days = 0\n"), Some(0));
        assert_eq!(retention("[store]\nretention_days = 30\n"), Some(30));
        let both = format!("[store]\nretention_days = 7\n{upstream}");
        assert_eq!(retention(&both), Some(7));
        // The store waits for headquarters' acknowledgement only when there is one.
        let options = |text: &str| {
            store_options(&firmware_config::parse_toml(text).unwrap())
                .unwrap()
                .retention
        };
        assert_eq!(options(""), None);
        assert_eq!(
            options(&both),
            Some(Retention {
                after_ms: 7 * 24 * 3_600_000,
                wait_for_upstream: true
            })
        );
        assert_eq!(
            options("[store]\nretention_days = 1\n"),
            Some(Retention {
                after_ms: 24 * 3_600_000,
                wait_for_upstream: false
            })
        );
    }

    #[test]
    fn the_console_settings_translate_to_session_limits() {
        let defaults = console_settings(&Config::default());
        assert_eq!(defaults.limits, SessionLimits::default());
        assert_eq!(defaults.time_zone, None);
        assert!(!defaults.secure_cookies);
        let config = firmware_config::parse_toml(
            "[console]\ntime_zone = \"Asia/Tokyo\"\nsession_idle_seconds = \"15m\"\n\
             session_max_hours = \"2d\"\n",
        )
        .unwrap();
        let console = console_settings(&config);
        assert_eq!(console.time_zone.as_deref(), Some("Asia/Tokyo"));
        assert_eq!(console.limits.idle_ms, 15 * 60_000);
        assert_eq!(console.limits.max_ms, 48 * 3_600_000);
    }

    #[test]
    fn the_outbound_settings_translate_plainly() {
        let config = firmware_config::parse_toml(
            "[meta]\ngraph_base_url = \"http://127.0.0.1:9000/graph/\"\nca_file = \"/etc/ca.pem\"\n\
             [[numbers]]\nphone_number_id = \"1065\"\nwaba_id = \"42\"\nmessages_per_second = 5\n\
             [pricing]\nbilling_utc_offset = \"+09:00\"\n\
             [[pricing.rates]]\nmarket = \"br\"\ncategory = \"utility\"\nmicro_usd = 8000\nfrom = 2026-10-01\n\
             [credits]\nusd_per_credit = 4\n",
        )
        .unwrap();
        let graph = graph_settings(&config);
        assert_eq!(graph.base_url, "http://127.0.0.1:9000/graph");
        assert_eq!(graph.api_version, "v24.0");
        assert_eq!(graph.ca_file, Some(PathBuf::from("/etc/ca.pem")));
        let numbers = number_settings(&config);
        assert_eq!(numbers[0].waba_id.as_deref(), Some("42"));
        assert_eq!(
            (numbers[0].messages_per_second, numbers[0].strict_order),
            (5, true)
        );
        let other = NumberSettings::default_for("7");
        assert_eq!((other.messages_per_second, other.strict_order), (80, true));
        // A number may give up strict order, unless chat.strict_order holds every one to it.
        let relaxed = "[[numbers]]\nphone_number_id = \"1\"\nstrict_order = false\n";
        let relaxed_config = firmware_config::parse_toml(relaxed).unwrap();
        assert!(!number_settings(&relaxed_config)[0].strict_order);
        let strict = format!("[chat]\nstrict_order = true\n\n{relaxed}");
        let strict_config = firmware_config::parse_toml(&strict).unwrap();
        assert!(number_settings(&strict_config)[0].strict_order);
        let pricing = pricing_rules(&config).unwrap();
        assert_eq!(pricing.billing_utc_offset_minutes, 540);
        assert_eq!(pricing.service_free_tier_per_month, 1_000);
        let brazil = Market::new("BR").unwrap();
        let october = Date::new(2026, 10, 1).unwrap().starts_at();
        assert_eq!(
            pricing
                .rates
                .rate(brazil, PricingCategory::Utility, october),
            Some(8_000)
        );
        assert_eq!(
            pricing
                .rates
                .rate(brazil, PricingCategory::Utility, october - 1),
            None
        );
        assert_eq!(
            credit_settings(&config),
            CreditSettings {
                usd_per_credit: 4,
                purchase_fee_percent: 3
            }
        );
    }
}
