//! libFuzzer dictionaries, `fuzz/dict/<target>.dict`: tokens the mutations insert. One per
//! line, `"text"` or `name="text"`, with the escapes `\\`, `\"` and `\xNN`; blank lines and
//! lines starting with `#` are skipped. cargo fuzz reads them with `-dict=`; `fuzz-smoke`
//! reads them with [`parse`], so each target's tokens are written once.

use std::fmt;

/// A dictionary line that is not a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for DictionaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for DictionaryError {}

/// The tokens of a dictionary's text.
///
/// # Errors
/// The first line that is neither blank, a comment, nor a quoted token.
pub fn parse(text: &str) -> Result<Vec<Vec<u8>>, DictionaryError> {
    let mut tokens = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |reason| DictionaryError {
            line: index + 1,
            reason,
        };
        let quoted = line
            .find('"')
            .and_then(|start| line.get(start..))
            .and_then(|q| q.strip_prefix('"')?.strip_suffix('"'))
            .ok_or_else(|| error("not a \"quoted\" token"))?;
        tokens.push(unescape(quoted).ok_or_else(|| error("a bad escape"))?);
    }
    Ok(tokens)
}

fn unescape(quoted: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(quoted.len());
    let mut bytes = quoted.bytes();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        match bytes.next()? {
            b'x' => {
                let digits = [bytes.next()?, bytes.next()?];
                let hex = std::str::from_utf8(&digits).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
            }
            escaped @ (b'\\' | b'"') => out.push(escaped),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_with_names_escapes_and_comments() {
        let text = "# a comment\n\n\"{\"\nkey=\"\\\"id\\\":\"\n\"\\x00\\xff\\\\\"\n";
        assert_eq!(
            parse(text),
            Ok(vec![
                b"{".to_vec(),
                b"\"id\":".to_vec(),
                vec![0x00, 0xff, b'\\']
            ])
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        assert_eq!(
            parse("\"ok\"\nunquoted\n"),
            Err(DictionaryError {
                line: 2,
                reason: "not a \"quoted\" token"
            })
        );
        assert_eq!(parse("\"\\q\"").map_err(|e| e.reason), Err("a bad escape"));
        assert_eq!(parse("\"\\x4\"").map_err(|e| e.line), Err(1));
    }
}
