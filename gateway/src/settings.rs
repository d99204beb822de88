//! What the configuration means for each subsystem: the store's options, the chat lifecycle's
//! limits and the template registry, translated from firmware-config's types.

use firmware_config::{ChatSettings, Config};

use crate::chat::{LifecycleSettings, Span};
use crate::policy::{
    RegistryError, TemplateCategory, TemplateRegistration, TemplateRegistry, TemplateStatus,
};
use crate::store::StoreOptions;

/// The store options the configuration asks for.
pub fn store_options(config: &Config) -> Result<StoreOptions, RegistryError> {
    Ok(StoreOptions {
        quota_bytes: config.store.quota_bytes,
        dedupe_retention_ms: u64::from(config.store.dedupe_retention_hours) * 3_600_000,
        dedupe_max_entries: u64::from(config.store.dedupe_max_entries),
        cache_bytes: usize::try_from(config.store.cache_bytes).unwrap_or(usize::MAX),
        max_batch: usize::try_from(config.store.max_batch).unwrap_or(1).max(1),
        lifecycle: lifecycle_settings(&config.chat),
        templates: template_registry(config)?,
    })
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
