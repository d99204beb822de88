//! Why a file could not be read, in words a person acts on: "no such file" rather than the
//! standard library's "entity not found".

use std::fmt;
use std::io::ErrorKind;

/// An [`ErrorKind`] written for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoReason(pub ErrorKind);

impl fmt::Display for IoReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ErrorKind::NotFound => f.write_str("no such file"),
            ErrorKind::PermissionDenied => {
                f.write_str("permission denied (check the file's owner and mode)")
            }
            ErrorKind::IsADirectory => f.write_str("it is a folder, not a file"),
            other => write!(f, "{other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_reasons_read_as_a_person_would_say_them() {
        assert_eq!(IoReason(ErrorKind::NotFound).to_string(), "no such file");
        assert!(
            IoReason(ErrorKind::PermissionDenied)
                .to_string()
                .starts_with("permission denied")
        );
        assert_eq!(
            IoReason(ErrorKind::InvalidData).to_string(),
            ErrorKind::InvalidData.to_string()
        );
    }
}
