//! Where a canned response or an article came from.

use serde::{Deserialize, Serialize};

/// Who put a canned response or an article. Stored by variant index: new sources go at the
/// end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToolSource {
    /// The configuration (`[[canned_responses]]`, `[[articles]]`): replaced or removed at every
    /// start to match it.
    Config,
    /// An operator, through the local API.
    Local,
    /// Headquarters, through a command.
    Hq,
}

impl ToolSource {
    /// The wire name: `config`, `local`, `hq`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Local => "local",
            Self::Hq => "hq",
        }
    }
}

/// An item the configuration defines, under its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured<T> {
    /// Its id (see [`super::check_tool_id`]).
    pub id: String,
    /// What it says.
    pub item: T,
}
