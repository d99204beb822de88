//! Knowledge-base articles: what operators look up while they answer, searched by title and
//! body.

use serde::{Deserialize, Serialize};

use super::{Invalid, ToolSource, has_control};
use crate::time::UnixMs;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body, in bytes.
pub const MAX_ARTICLE_BODY_BYTES: usize = 32 * 1024;
/// The longest link, in bytes.
pub const MAX_LINK_BYTES: usize = 2048;

/// An article as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Its id.
    pub id: String,
    /// Its title (one line).
    pub title: String,
    /// Its text (may be empty when the link says it all).
    pub body: String,
    /// Where the full article lives (`http://` or `https://`), if anywhere.
    pub link: Option<String>,
    /// Who put it.
    pub source: ToolSource,
    /// When it was last put.
    pub updated_at: UnixMs,
}

/// What whoever puts an article gives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ArticleInput {
    /// See [`Article::title`].
    pub title: String,
    /// See [`Article::body`].
    #[serde(default)]
    pub body: String,
    /// See [`Article::link`].
    #[serde(default)]
    pub link: Option<String>,
}

impl ArticleInput {
    /// Checks the limits: a one-line title of 1 to [`MAX_TITLE_CHARS`] characters, a body of
    /// at most [`MAX_ARTICLE_BODY_BYTES`] bytes, and a link (when given) that is an `http(s)`
    /// URL without spaces of at most [`MAX_LINK_BYTES`] bytes.
    pub fn check(&self) -> Result<(), Invalid> {
        let title_chars = self.title.chars().count();
        if self.title.trim().is_empty() || title_chars > MAX_TITLE_CHARS {
            return Err(Invalid::new(
                "title",
                format!(
                    "a title is 1 to {MAX_TITLE_CHARS} characters (this one has {title_chars})"
                ),
            ));
        }
        if has_control(&self.title) {
            return Err(Invalid::new(
                "title",
                "a title is one line without control characters",
            ));
        }
        if self.body.len() > MAX_ARTICLE_BODY_BYTES {
            return Err(Invalid::new(
                "body",
                format!(
                    "the body is {} bytes; at most {MAX_ARTICLE_BODY_BYTES} are kept (link to the rest)",
                    self.body.len()
                ),
            ));
        }
        if let Some(link) = &self.link {
            let scheme = link.starts_with("https://") || link.starts_with("http://");
            if !scheme
                || link.len() > MAX_LINK_BYTES
                || link.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Invalid::new(
                    "link",
                    format!(
                        "a link is an http:// or https:// URL without spaces, at most {MAX_LINK_BYTES} bytes"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The articles whose title or body contains `query` (case-insensitive): those matching by
/// title first, then those matching by body only, each group in the order given. An empty (or
/// blank) query matches every article.
pub fn search_articles<'a>(articles: &'a [Article], query: &str) -> Vec<&'a Article> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return articles.iter().collect();
    }
    let (mut by_title, mut by_body) = (Vec::new(), Vec::new());
    for article in articles {
        if article.title.to_lowercase().contains(&query) {
            by_title.push(article);
        } else if article.body.to_lowercase().contains(&query) {
            by_body.push(article);
        }
    }
    by_title.append(&mut by_body);
    by_title
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            link: None,
            source: ToolSource::Local,
            updated_at: 0,
        }
    }

    #[test]
    fn title_matches_come_first_and_case_does_not_matter() {
        let articles = [
            article("1", "Opening hours", "We open at nine; RETURNS at the desk"),
            article("2", "Returns policy", "Thirty days"),
            article("3", "Delivery", "Two days"),
        ];
        let ids = |query| {
            search_articles(&articles, query)
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("returns"), ["2", "1"]);
        assert_eq!(ids("DAYS"), ["2", "3"]);
        assert_eq!(ids("  "), ["1", "2", "3"]);
        assert!(ids("warranty").is_empty());
    }

    #[test]
    fn the_limits_name_the_field_at_fault() {
        let input = |title: &str, body: &str, link: Option<&str>| ArticleInput {
            title: title.into(),
            body: body.into(),
            link: link.map(Into::into),
        };
        assert!(
            input("Returns", "", Some("https://shop.example/returns"))
                .check()
                .is_ok()
        );
        assert!(input("Returns", "Thirty days", None).check().is_ok());
        for title in ["", " ", "two\nlines", &"t".repeat(MAX_TITLE_CHARS + 1)] {
            assert_eq!(input(title, "", None).check().unwrap_err().field, "title");
        }
        let long_body = "b".repeat(MAX_ARTICLE_BODY_BYTES + 1);
        assert_eq!(
            input("t", &long_body, None).check().unwrap_err().field,
            "body"
        );
        for link in ["ftp://x", "shop.example", "https://a b", ""] {
            assert_eq!(
                input("t", "", Some(link)).check().unwrap_err().field,
                "link"
            );
        }
    }
}
