//! The departments a chat can be transferred to: the configured `[[departments]]`, by name. A
//! transfer to any other name is refused before anything is written.

/// The configured departments' names, in configuration order.
#[derive(Debug, Clone, Default)]
pub struct Departments {
    names: Vec<String>,
}

/// A transfer names a department that is not configured.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown department {requested:?}; {}", configured_list(.configured))]
pub(crate) struct UnknownDepartment {
    /// The name the request gave.
    requested: String,
    /// The names it could have given.
    configured: Vec<String>,
}

impl Departments {
    /// The departments named `names` (the configuration's `departments[].name`).
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        Self {
            names: names.into_iter().collect(),
        }
    }

    /// The configured names, in configuration order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether a chat may be transferred to `requested`: it must be a configured department's
    /// exact name.
    pub(crate) fn check(&self, requested: &str) -> Result<(), UnknownDepartment> {
        if self.names.iter().any(|name| name == requested) {
            Ok(())
        } else {
            Err(UnknownDepartment {
                requested: requested.to_owned(),
                configured: self.names.clone(),
            })
        }
    }
}

fn configured_list(names: &[String]) -> String {
    if names.is_empty() {
        "no departments are configured (add [[departments]] to the configuration)".to_owned()
    } else {
        format!("configured: {}", names.join(", "))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn sales_and_support() -> Departments {
        Departments::new(["sales".to_owned(), "support".to_owned()])
    }

    #[test]
    fn a_configured_department_is_accepted_by_its_exact_name() {
        let departments = sales_and_support();
        assert_eq!(departments.check("sales"), Ok(()));
        assert_eq!(departments.check("support"), Ok(()));
        for other in ["Sales", " sales", "sales ", "sale", ""] {
            assert!(departments.check(other).is_err(), "{other:?}");
        }
    }

    #[test]
    fn an_unknown_department_is_named_with_the_configured_ones() {
        let error = sales_and_support().check("../../etc").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"unknown department "../../etc"; configured: sales, support"#
        );
    }

    #[test]
    fn without_departments_every_transfer_is_refused_and_says_why() {
        let error = Departments::default().check("sales").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"unknown department "sales"; no departments are configured (add [[departments]] to the configuration)"#
        );
    }

    #[test]
    fn control_characters_in_the_name_are_escaped_in_the_message() {
        let error = sales_and_support().check("a\nb\u{1b}").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(r#"unknown department "a\nb\u{1b}""#)
        );
    }
}
