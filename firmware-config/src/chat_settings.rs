//! How chats are handled ([`ChatSettings`]) and routed ([`Department`]).

use crate::config::Path;
use crate::limits;

/// Most profanity word list files (`chat.profanity_word_lists`), one per language.
pub const MAX_PROFANITY_WORD_LISTS: usize = 16;
/// Most departments (`[[departments]]`).
pub const MAX_DEPARTMENTS: usize = 16;
/// Most business numbers in one department (`departments[].numbers`).
pub const MAX_DEPARTMENT_NUMBERS: usize = 16;
/// Longest department or operator name, in bytes.
pub const NAME_CAPACITY: usize = 64;
/// Longest business number id (`phone_number_id`), in bytes; Meta's are 15 or 16 digits.
pub const PHONE_NUMBER_ID_CAPACITY: usize = 32;

/// A department's name ([`NAME_CAPACITY`] bytes).
pub type DepartmentName = heapless::String<NAME_CAPACITY>;
/// A business number's `phone_number_id` ([`PHONE_NUMBER_ID_CAPACITY`] ASCII digits).
pub type PhoneNumberId = heapless::String<PHONE_NUMBER_ID_CAPACITY>;

/// How chats open, close and are served (`[chat]`). Spans are whole seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSettings {
    /// A waiting chat that no operator accepts closes as missed after this
    /// ([`limits::CHAT_UNATTENDED_CLOSE_SECONDS`]).
    pub unattended_close_seconds: u32,
    /// An active chat where nobody writes closes as idle after this; a message from either
    /// side restarts it ([`limits::CHAT_IDLE_CLOSE_SECONDS`]).
    pub idle_close_seconds: u32,
    /// Whether a bot serves the channel.
    pub bot_enabled: bool,
    /// The idle limit while a bot serves the chat, in place of `idle_close_seconds`
    /// ([`limits::CHAT_BOT_IDLE_CLOSE_SECONDS`]).
    pub bot_idle_close_seconds: u32,
    /// Offensive words counted in one chat at which it closes
    /// ([`limits::CHAT_PROFANITY_LIMIT`]).
    pub profanity_limit: u32,
    /// Word list files, one per language, one word per line.
    pub profanity_word_lists: heapless::Vec<Path, MAX_PROFANITY_WORD_LISTS>,
    /// Send a chat's next message only after Meta accepted the previous one (Meta does not
    /// guarantee delivery order).
    pub strict_order: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            unattended_close_seconds: limits::CHAT_UNATTENDED_CLOSE_SECONDS.default,
            idle_close_seconds: limits::CHAT_IDLE_CLOSE_SECONDS.default,
            bot_enabled: false,
            bot_idle_close_seconds: limits::CHAT_BOT_IDLE_CLOSE_SECONDS.default,
            profanity_limit: limits::CHAT_PROFANITY_LIMIT.default,
            profanity_word_lists: heapless::Vec::new(),
            strict_order: false,
        }
    }
}

/// A department (`[[departments]]`): a name operators transfer chats to, and the business
/// numbers that belong to it. A number belongs to at most one department.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Department {
    /// Unique, not blank.
    pub name: DepartmentName,
    /// The `phone_number_id`s of the department's business numbers.
    pub numbers: heapless::Vec<PhoneNumberId, MAX_DEPARTMENT_NUMBERS>,
}

impl crate::Config {
    /// The department that business number `phone_number_id` belongs to, if any.
    #[must_use]
    pub fn department_of(&self, phone_number_id: &str) -> Option<&Department> {
        self.departments.iter().find(|department| {
            department
                .numbers
                .iter()
                .any(|number| number == phone_number_id)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::Config;

    #[test]
    fn defaults_match_the_documented_values() {
        let chat = ChatSettings::default();
        assert_eq!(chat.unattended_close_seconds, 3600);
        assert_eq!(chat.idle_close_seconds, 3600);
        assert_eq!(chat.bot_idle_close_seconds, 600);
        assert_eq!(chat.profanity_limit, 3);
        assert!(!chat.bot_enabled && !chat.strict_order);
        assert!(chat.profanity_word_lists.is_empty());
    }

    #[test]
    fn a_number_finds_its_department() {
        let mut config = Config::default();
        let mut sales = Department {
            name: "sales".try_into().unwrap(),
            ..Department::default()
        };
        sales
            .numbers
            .push("106540352242922".try_into().unwrap())
            .unwrap();
        config.departments.push(sales).unwrap();
        assert_eq!(
            config
                .department_of("106540352242922")
                .map(|d| d.name.as_str()),
            Some("sales")
        );
        assert_eq!(config.department_of("106540352242923"), None);
        assert_eq!(config.department_of(""), None);
    }
}
