//! The operators' tools, pure: canned responses and knowledge-base articles (with their ids,
//! where they came from and their limits), a chat's internal notes and tags, the leads an
//! operator captures and the tickets they request, and the placeholders a canned response is
//! rendered with.
//!
//! No I/O, no clocks: the store keeps these (`store::tools`) and the local API and headquarters'
//! commands change them through the same checks, each refusal an [`Invalid`] naming the field
//! at fault and what to do.

mod article;
mod canned;
mod invalid;
mod lead;
mod note;
mod placeholders;
mod source;
mod tags;
mod ticket;
mod tool_id;

pub use article::{
    Article, ArticleInput, MAX_ARTICLE_BODY_BYTES, MAX_LINK_BYTES, MAX_TITLE_CHARS, search_articles,
};
pub use canned::{CannedInput, CannedResponse, MAX_CANNED_BODY_BYTES, MAX_SHORTCUT_CHARS};
pub use invalid::Invalid;
pub use lead::{Lead, MAX_LEAD_TEXT_CHARS};
pub use note::{MAX_NOTE_BYTES, MAX_NOTES_PER_CHAT, Note, check_note};
pub use placeholders::{PLACEHOLDERS, RenderContext, Undefined, UndefinedPlaceholder, render};
pub use source::{Configured, ToolSource};
pub use tags::{MAX_TAG_CHARS, MAX_TAGS, normalize_tags};
pub use ticket::TicketRequest;
pub use tool_id::{MAX_TOOL_ID_LEN, check_tool_id};

/// An optional text trimmed, `None` when it is blank.
fn trimmed(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// Whether `text` holds a control character (a line break included): one-line fields refuse
/// them.
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}
