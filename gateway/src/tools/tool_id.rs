//! The ids of canned responses and articles: chosen by whoever puts them (an operator's `PUT`,
//! headquarters, the configuration) or assigned by the store (`POST`).

use super::Invalid;

/// The longest id.
pub const MAX_TOOL_ID_LEN: usize = 64;

/// Checks an id: 1 to [`MAX_TOOL_ID_LEN`] characters of `A-Z a-z 0-9 . _ -`.
pub fn check_tool_id(id: &str) -> Result<(), Invalid> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if id.is_empty() || id.len() > MAX_TOOL_ID_LEN || !id.chars().all(allowed) {
        return Err(Invalid::new(
            "id",
            format!(
                "an id is 1 to {MAX_TOOL_ID_LEN} characters of A-Z, a-z, 0-9, '.', '_' and '-'"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_and_plain() {
        for id in ["1", "greeting", "a.b_c-D9", &"x".repeat(MAX_TOOL_ID_LEN)] {
            assert!(check_tool_id(id).is_ok(), "{id}");
        }
        for id in ["", "a b", "a/b", "é", &"x".repeat(MAX_TOOL_ID_LEN + 1)] {
            assert_eq!(check_tool_id(id).unwrap_err().field, "id", "{id}");
        }
    }
}
