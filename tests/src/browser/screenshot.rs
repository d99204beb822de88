//! Screenshots of the page: taken as PNG, checked for the viewport's size, and written under
//! [`screenshots_dir`] when that is set.

use std::path::PathBuf;

use super::Browser;
use crate::error::{HarnessError, HarnessResult};
use crate::knobs::screenshots_dir;

/// The eight bytes every PNG starts with.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A PNG's width and height, read from its header (`IHDR`, the first chunk).
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != PNG_SIGNATURE || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let number = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(png.get(at..at + 4)?.try_into().ok()?))
    };
    Some((number(16)?, number(20)?))
}

impl Browser {
    /// Takes a screenshot of the viewport, checks that it is a PNG of the viewport's size, and
    /// writes it as `<name>.png` under [`screenshots_dir`] when that is set (returning where).
    ///
    /// # Errors
    /// When it cannot be taken or written, or is not a PNG of the viewport's size.
    pub async fn keep_screenshot(&self, name: &str) -> HarnessResult<Option<PathBuf>> {
        let png = self.screenshot().await?;
        let expected = self.viewport().size();
        match png_size(&png) {
            Some(size) if size == expected => {}
            other => {
                return Err(HarnessError::Browser(format!(
                    "screenshot {name}: expected a {}×{} PNG, got {other:?} ({} bytes)",
                    expected.0,
                    expected.1,
                    png.len()
                )));
            }
        }
        let Some(dir) = screenshots_dir() else {
            return Ok(None);
        };
        std::fs::create_dir_all(&dir).map_err(|error| HarnessError::io("creating", &dir, error))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).map_err(|error| HarnessError::io("writing", &path, error))?;
        Ok(Some(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_is_read_from_the_header() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&1024u32.to_be_bytes());
        png.extend_from_slice(&600u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((1024, 600)));
        assert_eq!(png_size(&png[..20]), None, "cut short");
        png[1] = b'J';
        assert_eq!(png_size(&png), None, "not a PNG");
    }
}
