//! A chat's tags: short labels operators (or headquarters) set, as a whole list.

use super::{Invalid, has_control};

/// The most tags a chat has.
pub const MAX_TAGS: usize = 20;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;

/// The tags `given` as the chat keeps them: each trimmed, duplicates dropped (ignoring case;
/// the first spelling stays), in the order given. Refused when a tag is empty or longer than
/// [`MAX_TAG_CHARS`] characters, holds a control character, or when more than [`MAX_TAGS`]
/// different tags remain. An empty list clears the tags.
pub fn normalize_tags(given: &[String]) -> Result<Vec<String>, Invalid> {
    let mut tags: Vec<String> = Vec::new();
    for (index, tag) in given.iter().enumerate() {
        let tag = tag.trim();
        let chars = tag.chars().count();
        if chars == 0 || chars > MAX_TAG_CHARS || has_control(tag) {
            return Err(Invalid::new(
                format!("tags[{index}]"),
                format!(
                    "a tag is 1 to {MAX_TAG_CHARS} characters on one line (this one has {chars})"
                ),
            ));
        }
        let folded = tag.to_lowercase();
        if !tags.iter().any(|kept| kept.to_lowercase() == folded) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Invalid::new(
            "tags",
            format!(
                "{} different tags; a chat has at most {MAX_TAGS}",
                tags.len()
            ),
        ));
    }
    Ok(tags)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn strings(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|tag| (*tag).to_owned()).collect()
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated_in_order() {
        let tags = normalize_tags(&strings(&[" VIP ", "refund", "vip", "Refund ", "new lead"]));
        assert_eq!(tags.unwrap(), ["VIP", "refund", "new lead"]);
        assert!(normalize_tags(&[]).unwrap().is_empty());
        // Duplicates do not count against the limit.
        let many: Vec<String> = (0..40).map(|n| format!("t{}", n % MAX_TAGS)).collect();
        assert_eq!(normalize_tags(&many).unwrap().len(), MAX_TAGS);
    }

    #[test]
    fn a_refusal_names_the_tag_at_fault() {
        let error = normalize_tags(&strings(&["ok", "  "])).unwrap_err();
        assert_eq!(error.field, "tags[1]");
        let long = "x".repeat(MAX_TAG_CHARS + 1);
        assert_eq!(normalize_tags(&[long]).unwrap_err().field, "tags[0]");
        assert_eq!(
            normalize_tags(&strings(&["a\nb"])).unwrap_err().field,
            "tags[0]"
        );
        let too_many: Vec<String> = (0..=MAX_TAGS).map(|n| format!("t{n}")).collect();
        assert_eq!(normalize_tags(&too_many).unwrap_err().field, "tags");
    }
}
