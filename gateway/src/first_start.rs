//! What the gateway tells the person starting it when it generated secrets or a certificate.
//!
//! On a terminal the generated secret values are shown, once. Anywhere else (systemd's journal, a
//! pipe, a file) standard output is a log, and secrets never reach a log: only where each one is
//! kept, and how to read it, is printed.

use std::io::IsTerminal as _;
use std::path::Path;

use crate::secret::Secret;

use crate::ingress::tls::CertificateFiles;
use crate::secrets::{ResolvedSecret, SecretOrigin};

/// A secret this start generated: its value and the file that keeps it.
#[derive(Debug, Clone, Copy)]
pub struct GeneratedSecret<'a> {
    /// The value.
    pub value: &'a Secret,
    /// The file in the data folder.
    pub path: &'a Path,
}

impl<'a> GeneratedSecret<'a> {
    /// The secret, if this start generated it (not read from the environment, the configuration
    /// or an earlier start).
    pub fn of(resolved: &'a ResolvedSecret) -> Option<Self> {
        match &resolved.origin {
            SecretOrigin::GeneratedNow(path) => Some(Self {
                value: &resolved.value,
                path,
            }),
            _ => None,
        }
    }
}

/// What this start generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generated<'a> {
    /// The token of the operator "default".
    pub operator_token: Option<GeneratedSecret<'a>>,
    /// The verify token for Meta's subscription handshake.
    pub verify_token: Option<GeneratedSecret<'a>>,
    /// The app secret webhook signatures are checked with.
    pub app_secret: Option<GeneratedSecret<'a>>,
    /// The self-signed certificate.
    pub certificate: Option<&'a Path>,
}

/// The notice for `generated`, or `None` when nothing was generated. Secret values are in it
/// only when standard output `is_terminal`.
pub fn notice(generated: &Generated<'_>, is_terminal: bool) -> Option<String> {
    let secrets = [
        (
            "operator token",
            generated.operator_token,
            "operator \"default\" on the local API: Authorization: Bearer <token>",
        ),
        (
            "verify token",
            generated.verify_token,
            "paste it into Meta's App Dashboard > WhatsApp > Configuration > Verify token",
        ),
        (
            "app secret",
            generated.app_secret,
            "for local testing only: in production set WAYGATE_APP_SECRET or \
             meta.app_secret_file to your Meta app's App Secret",
        ),
    ];
    let mut lines = Vec::new();
    for (label, secret, hint) in secrets {
        let Some(secret) = secret else { continue };
        let path = secret.path.display();
        lines.push(if is_terminal {
            format!(
                "  {label}: {}\n    (kept in {path}; {hint})",
                secret.value.expose()
            )
        } else {
            format!(
                "  {label}: kept in {path}; read it with: cat {}\n    ({hint})",
                shell_word(&path.to_string())
            )
        });
    }
    let any_secret = !lines.is_empty();
    if let Some(cert) = generated.certificate {
        lines.push(format!(
            "  TLS certificate: self-signed, {}\n    (Meta requires a certificate from a public CA: \
             set public.tls_cert and public.tls_key, or terminate TLS in front)",
            cert.display()
        ));
    }
    if lines.is_empty() {
        return None;
    }
    if any_secret && !is_terminal {
        lines.push(
            "  (standard output is not a terminal, so secret values are not printed: read them \
             from their files)"
                .to_owned(),
        );
    }
    Some(format!(
        "waygate first start: generated\n{}",
        lines.join("\n")
    ))
}

/// Prints the notice for what this start generated to standard output, with the secret values
/// only when standard output is a terminal.
pub(crate) fn print(
    app_secret: &ResolvedSecret,
    verify_token: &ResolvedSecret,
    operator_token: &ResolvedSecret,
    certificate: &CertificateFiles,
) {
    let generated = Generated {
        operator_token: GeneratedSecret::of(operator_token),
        verify_token: GeneratedSecret::of(verify_token),
        app_secret: GeneratedSecret::of(app_secret),
        certificate: certificate.generated.then_some(certificate.cert.as_path()),
    };
    if let Some(text) = notice(&generated, std::io::stdout().is_terminal()) {
        println!("{text}");
    }
}

/// `text` as one word for a POSIX shell: as is when it holds no special character, else in
/// single quotes.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@,%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use std::path::PathBuf;

    use super::*;

    struct Fixture {
        operator: Secret,
        verify: Secret,
        app: Secret,
        dir: PathBuf,
    }

    impl Fixture {
        fn new(dir: &str) -> Self {
            Self {
                operator: Secret::new("operator-value-1111".to_owned()),
                verify: Secret::new("verify-value-2222".to_owned()),
                app: Secret::new("app-value-3333".to_owned()),
                dir: PathBuf::from(dir),
            }
        }

        fn paths(&self) -> [PathBuf; 4] {
            [
                self.dir.join("secrets/operator_token"),
                self.dir.join("secrets/verify_token"),
                self.dir.join("secrets/app_secret"),
                self.dir.join("tls/cert.pem"),
            ]
        }

        fn notice(&self, is_terminal: bool) -> String {
            let [operator, verify, app, cert] = &self.paths();
            let generated = Generated {
                operator_token: Some(GeneratedSecret {
                    value: &self.operator,
                    path: operator,
                }),
                verify_token: Some(GeneratedSecret {
                    value: &self.verify,
                    path: verify,
                }),
                app_secret: Some(GeneratedSecret {
                    value: &self.app,
                    path: app,
                }),
                certificate: Some(cert),
            };
            notice(&generated, is_terminal).unwrap()
        }

        fn values(&self) -> [&str; 3] {
            [
                self.operator.expose(),
                self.verify.expose(),
                self.app.expose(),
            ]
        }
    }

    #[test]
    fn a_terminal_is_shown_the_values_and_where_they_are_kept() {
        let fixture = Fixture::new("/var/lib/waygate");
        let text = fixture.notice(true);
        for value in fixture.values() {
            assert!(text.contains(value), "{value} missing from:\n{text}");
        }
        for path in fixture.paths() {
            assert!(text.contains(&path.display().to_string()), "{text}");
        }
    }

    #[test]
    fn anything_else_is_told_only_where_the_secrets_are() {
        let fixture = Fixture::new("/var/lib/waygate");
        let text = fixture.notice(false);
        for value in fixture.values() {
            assert!(!text.contains(value), "{value} leaked into:\n{text}");
        }
        for name in ["operator_token", "verify_token", "app_secret"] {
            let command = format!("read it with: cat /var/lib/waygate/secrets/{name}");
            assert!(text.contains(&command), "{command} missing from:\n{text}");
        }
        assert!(text.contains("/var/lib/waygate/tls/cert.pem"), "{text}");
        assert!(text.contains("not a terminal"), "{text}");
    }

    #[test]
    fn a_path_with_spaces_is_quoted_for_the_shell() {
        let text = Fixture::new("/srv/it's here").notice(false);
        assert!(
            text.contains(r"cat '/srv/it'\''s here/secrets/app_secret'"),
            "{text}"
        );
    }

    #[test]
    fn nothing_generated_means_no_notice() {
        assert_eq!(notice(&Generated::default(), true), None);
        assert_eq!(notice(&Generated::default(), false), None);
    }

    #[test]
    fn only_a_certificate_needs_no_word_about_secrets() {
        let generated = Generated {
            certificate: Some(Path::new("/d/tls/cert.pem")),
            ..Generated::default()
        };
        let text = notice(&generated, false).unwrap();
        assert!(text.contains("/d/tls/cert.pem"), "{text}");
        assert!(!text.contains("not a terminal"), "{text}");
    }
}
