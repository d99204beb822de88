//! The sign-in page: what `/console` answers (401) to a browser without a session.
//!
//! A plain form, no script: the operator types their token and the browser posts it to
//! `/console/sign-in`, which answers with the session cookie. In English or Japanese, as the
//! browser asks (`Accept-Language`) or `?lang=` says.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The languages of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Language {
    /// `?lang=` when it names a language, else the first of the browser's languages the
    /// console speaks, else English.
    pub(super) fn choose(lang: Option<&str>, accept_language: Option<&str>) -> Self {
        if let Some(chosen) = lang.and_then(Self::from_tag) {
            return chosen;
        }
        accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let refused = parts.any(|param| {
                    param
                        .trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                (!refused).then_some(tag)
            })
            .find_map(Self::from_tag)
            .unwrap_or(Self::En)
    }

    fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ja") {
            Some(Self::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    const fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }
}

/// Why the sign-in page is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignInProblem {
    /// The token typed is no operator's.
    WrongToken,
    /// The session ended (idle, its limit, or signed out elsewhere).
    SessionEnded,
    /// The sign-in came from another site's page.
    CrossSite,
    /// Too many wrong tokens were typed lately.
    TooManyFailures,
}

/// The page's words in one language.
struct Words {
    title: &'static str,
    label: &'static str,
    button: &'static str,
    hint: &'static str,
    other_language: (&'static str, &'static str),
}

const EN: Words = Words {
    title: "waygate console",
    label: "Operator token",
    button: "Sign in",
    hint: "The token is in the gateway's configuration ([[operators]]) or its data folder.",
    other_language: ("ja", "日本語"),
};

const JA: Words = Words {
    title: "waygate コンソール",
    label: "オペレーターのトークン",
    button: "サインイン",
    hint: "トークンはゲートウェイの設定（[[operators]]）またはデータフォルダーにあります。",
    other_language: ("en", "English"),
};

fn problem_text(problem: SignInProblem, language: Language) -> &'static str {
    match (problem, language) {
        (SignInProblem::WrongToken, Language::En) => {
            "That token is not an operator's token. Check it and try again."
        }
        (SignInProblem::WrongToken, Language::Ja) => {
            "このトークンはオペレーターのものではありません。確認してもう一度お試しください。"
        }
        (SignInProblem::SessionEnded, Language::En) => "Your session ended. Sign in again.",
        (SignInProblem::SessionEnded, Language::Ja) => {
            "セッションが終了しました。もう一度サインインしてください。"
        }
        (SignInProblem::CrossSite, Language::En) => {
            "The sign-in came from another site. Open the console from the gateway's own address."
        }
        (SignInProblem::TooManyFailures, Language::En) => {
            "Too many wrong tokens were typed in the last minute. Wait a minute and try again."
        }
        (SignInProblem::TooManyFailures, Language::Ja) => {
            "直前の1分間に誤ったトークンが多すぎました。1分待ってからもう一度お試しください。"
        }
        (SignInProblem::CrossSite, Language::Ja) => {
            "別のサイトからのサインインです。ゲートウェイのアドレスからコンソールを開いてください。"
        }
    }
}

/// The page's only style, allowed by its hash in [`content_security_policy`].
const STYLE: &str = "body{font-family:system-ui,\"Hiragino Sans\",\"Noto Sans CJK JP\",\"Yu Gothic\",sans-serif;\
background:#f4f5f7;color:#1b1f24;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}\
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002;width:min(26rem,90vw)}\
h1{font-size:1.4rem;margin:0 0 1.2rem}label{display:block;font-weight:600;margin-bottom:.4rem}\
input{box-sizing:border-box;width:100%;min-height:44px;font-size:1rem;padding:.5rem;border:1px solid #5a6270;border-radius:6px}\
button{margin-top:1rem;min-height:44px;width:100%;font-size:1rem;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:6px;cursor:pointer}\
button:focus,input:focus{outline:3px solid #f0a202;outline-offset:2px}\
.problem{background:#fde8e8;color:#8a1414;border-radius:6px;padding:.6rem;margin-bottom:1rem}\
.hint{color:#4a515c;font-size:.9rem}nav{margin-top:1rem;text-align:right}a{color:#0b5cad;display:inline-block;min-height:44px;line-height:44px}";

/// The `Content-Security-Policy` of the sign-in page: nothing but its own style, and forms
/// posted to the gateway.
pub(super) fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
        format!(
            "default-src 'none'; style-src 'sha256-{}'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
            STANDARD.encode(hash.as_ref())
        )
    })
}

/// The page in `language`, saying `problem` when there is one.
pub(super) fn sign_in_page(language: Language, problem: Option<SignInProblem>) -> String {
    let words = match language {
        Language::En => &EN,
        Language::Ja => &JA,
    };
    let problem = problem.map_or_else(String::new, |problem| {
        format!(
            "<p class=\"problem\" id=\"sign-in-problem\" role=\"alert\">{}</p>",
            problem_text(problem, language)
        )
    });
    let (other_code, other_name) = words.other_language;
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <h1>{title}</h1>{problem}\
         <form method=\"post\" action=\"/console/sign-in?lang={lang}\" id=\"sign-in-form\">\
         <label for=\"token\">{label}</label>\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" \
         required autofocus>\
         <button type=\"submit\" id=\"sign-in\">{button}</button></form>\
         <p class=\"hint\">{hint}</p>\
         <nav><a href=\"/console?lang={other_code}\" lang=\"{other_code}\">{other_name}</a></nav>\
         </main></body></html>\n",
        lang = language.code(),
        title = words.title,
        label = words.label,
        button = words.button,
        hint = words.hint,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_query_then_the_browser() {
        assert_eq!(Language::choose(Some("ja"), Some("en-US")), Language::Ja);
        assert_eq!(
            Language::choose(Some("xx"), Some("ja-JP,en;q=0.5")),
            Language::Ja
        );
        assert_eq!(
            Language::choose(None, Some("fr-FR, en;q=0.8")),
            Language::En
        );
        assert_eq!(Language::choose(None, Some("ja;q=0, en")), Language::En);
        assert_eq!(Language::choose(None, Some("de")), Language::En);
        assert_eq!(Language::choose(None, None), Language::En);
    }

    #[test]
    fn the_page_has_the_form_and_the_problem_in_its_language() {
        let page = sign_in_page(Language::Ja, Some(SignInProblem::WrongToken));
        assert!(page.contains("<html lang=\"ja\">"));
        assert!(page.contains("name=\"token\""));
        assert!(page.contains("action=\"/console/sign-in?lang=ja\""));
        assert!(page.contains("トークン"));
        assert!(page.contains("id=\"sign-in-problem\""));
        let page = sign_in_page(Language::En, None);
        assert!(!page.contains("sign-in-problem"));
        assert!(page.contains("Sign in"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn the_policy_allows_exactly_the_pages_style() {
        let policy = content_security_policy();
        let hash = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
        assert!(policy.contains(&STANDARD.encode(hash.as_ref())));
        assert!(policy.starts_with("default-src 'none'"));
        assert!(!policy.contains("unsafe"));
    }
}
