//! Problems with `[chat]` and the arrays of tables: boundaries, indexes, capacities, required
//! keys, token sources, and placeholders that are never reported twice.

use firmware_config::{ConfigProblem, KeyPath, ProblemKind, keys, parse_toml};

use crate::{SECRET, errors, keys_of, only_kind, only_problem, paths_of};

#[test]
fn chat_boundaries_hold_through_toml() {
    for (text, ok) in [
        ("unattended_close_seconds = 900", true),
        ("unattended_close_seconds = 899", false),
        ("unattended_close_seconds = 2_678_400", true),
        ("unattended_close_seconds = 2_678_401", false),
        ("idle_close_seconds = 86_400", true),
        ("idle_close_seconds = 86_401", false),
        ("bot_idle_close_seconds = 86_400", true),
        ("bot_idle_close_seconds = 86_401", false),
        ("profanity_limit = 100", true),
        ("profanity_limit = 0", false),
        ("idle_close_seconds = -1", false),
    ] {
        let text = format!("[chat]\n{text}\n");
        match parse_toml(&text) {
            Ok(_) => assert!(ok, "{text}"),
            Err(errors) => {
                assert!(!ok, "{text}: {errors}");
                assert_eq!(errors.len(), 1, "{errors}");
                let key = errors.keys().next().unwrap_or_default().to_owned();
                assert!(text.contains(keys::field_name(&key)), "{key}");
            }
        }
    }
    assert_eq!(
        errors("[chat]\nunattended_close_seconds = 899").to_string(),
        "chat.unattended_close_seconds = 899: must be between 900 and 2678400 \
         (seconds; 15 minutes to 31 days)"
    );
}

#[test]
fn problems_in_arrays_name_the_entry_by_index() {
    let text = r#"
        [[departments]]
        name = "support"
        numbers = ["106540352242922"]

        [[departments]]
        name = "sales"
        numbers = ["106540352242922", "+1 555 0100"]

        [[departments]]
        name = "support"
    "#;
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "departments[1].numbers[0]",
            "departments[1].numbers[1]",
            "departments[2].name"
        ]
    );
    assert_eq!(
        keys_of(&errors),
        [
            keys::DEPARTMENT_NUMBER,
            keys::DEPARTMENT_NUMBER,
            keys::DEPARTMENT_NAME
        ]
    );
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines[2],
        "departments[2].name = \"support\": repeats departments[0].name \
         (department names are unique)"
    );
    assert!(
        lines[1].contains("must be a phone_number_id"),
        "{}",
        lines[1]
    );
}

#[test]
fn an_array_past_its_capacity_is_named() {
    let departments = (0..17)
        .map(|index| format!("[[departments]]\nname = \"d{index}\"\n"))
        .collect::<String>();
    let (key, kind) = only_kind(&departments);
    assert_eq!(key, keys::DEPARTMENTS);
    assert_eq!(
        kind,
        ProblemKind::TooMany {
            len: 17,
            capacity: 16
        }
    );
    assert_eq!(
        errors(&departments).to_string(),
        "departments: must have at most 16 entries (it has 17)"
    );
    let numbers = (0..17)
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!("[[departments]]\nname = \"a\"\nnumbers = [{numbers}]\n");
    assert_eq!(paths_of(&errors(&text)), ["departments[0].numbers"]);
    let files = (0..17)
        .map(|n| format!("\"/w/{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!("[chat]\nprofanity_word_lists = [{files}]\n");
    assert_eq!(paths_of(&errors(&text)), [keys::CHAT_PROFANITY_WORD_LISTS]);
    let templates = (0..65)
        .map(|n| {
            format!("[[templates]]\nname = \"t{n}\"\nlanguage = \"en\"\ncategory = \"utility\"\n")
        })
        .collect::<String>();
    assert_eq!(
        errors(&templates).to_string(),
        "templates: must have at most 64 entries (it has 65)"
    );
    let operators = (0..33)
        .map(|n| format!("[[operators]]\nname = \"o{n}\"\ntoken_env = \"T{n}\"\n"))
        .collect::<String>();
    assert_eq!(paths_of(&errors(&operators)), [keys::OPERATORS]);
}

#[test]
fn a_missing_required_key_is_reported_once() {
    let text = "[[templates]]\nparameters = 30\n\n[[templates]]\nname = \"a\"\nlanguage = \"en\"\ncategory = \"utility\"\n";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "templates[0].name",
            "templates[0].language",
            "templates[0].category",
            "templates[0].parameters"
        ],
        "{errors}"
    );
    assert_eq!(
        errors.iter().next().unwrap().to_string(),
        "templates[0].name: must be set"
    );
    let (key, kind) = only_kind("[[departments]]\nnumbers = []");
    assert_eq!(
        (key.as_str(), kind),
        (keys::DEPARTMENT_NAME, ProblemKind::Missing)
    );
}

#[test]
fn an_unreadable_entry_keeps_the_indexes_of_the_others() {
    let text =
        r#"departments = ["support", { name = "a" }, { name = "a", numbers = [1, "2", "x"] }]"#;
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "departments[0]",
            "departments[2].numbers[0]",
            "departments[2].name",
            "departments[2].numbers[2]"
        ],
        "{errors}"
    );
    let problems: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems[0],
        "departments[0]: must be a table, found a string"
    );
    assert_eq!(
        problems[1],
        "departments[2].numbers[0]: must be a string, found an integer"
    );
    assert!(
        problems[2].contains("repeats departments[1].name"),
        "{}",
        problems[2]
    );
}

#[test]
fn wrong_types_in_the_new_tables_name_what_was_expected() {
    let cases = [
        (
            "[departments]\nname = \"a\"",
            "departments",
            "an array of tables",
            "a table",
        ),
        (
            "templates = 1",
            "templates",
            "an array of tables",
            "an integer",
        ),
        (
            "[chat]\nbot_enabled = \"yes\"",
            "chat.bot_enabled",
            "a boolean (true or false)",
            "a string",
        ),
        (
            "[chat]\nstrict_order = 1",
            "chat.strict_order",
            "a boolean (true or false)",
            "an integer",
        ),
        (
            "[chat]\nprofanity_word_lists = \"/x\"",
            "chat.profanity_word_lists",
            "an array of strings",
            "a string",
        ),
        (
            "[chat]\nprofanity_word_lists = [[\"/x\"]]",
            "chat.profanity_word_lists[0]",
            "a string",
            "an array",
        ),
        (
            "[[departments]]\nname = \"a\"\nnumbers = \"1\"",
            "departments[0].numbers",
            "an array of strings",
            "a string",
        ),
        (
            "[[templates]]\nname = \"a\"\nlanguage = \"en\"\ncategory = \"utility\"\nparameters = \"2\"",
            "templates[0].parameters",
            "an integer",
            "a string",
        ),
        (
            "[[operators]]\nname = 7\ntoken_env = \"T\"",
            "operators[0].name",
            "a string",
            "an integer",
        ),
    ];
    for (text, path, expected, found) in cases {
        let errors = errors(text);
        assert_eq!(paths_of(&errors), [path], "{text}: {errors}");
        let ConfigProblem::Invalid(problem) = errors.iter().next().unwrap() else {
            panic!("{errors:?}");
        };
        assert_eq!(
            problem.kind(),
            &ProblemKind::WrongType { expected, found },
            "{text}"
        );
    }
}

#[test]
fn template_words_must_be_known() {
    let text = "[[templates]]\nname = \"a\"\nlanguage = \"en\"\ncategory = \"promo\"\nstatus = \"APPROVED\"";
    let errors = errors(text);
    let lines: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "templates[0].category = \"promo\": must be one of \"utility\", \"marketing\", \
             \"authentication\"",
            "templates[0].status = \"APPROVED\": must be one of \"approved\", \"pending\", \
             \"rejected\", \"paused\", \"disabled\"",
        ]
    );
}

#[test]
fn an_operator_has_exactly_one_token_source() {
    let (path, kind) = {
        let errors = errors("[[operators]]\nname = \"kiosk\"");
        let ConfigProblem::Invalid(problem) = errors.iter().next().unwrap().clone() else {
            panic!("{errors:?}");
        };
        (problem.path(), problem.kind().clone())
    };
    assert_eq!(path, KeyPath::new(keys::OPERATOR).at(0));
    assert_eq!(kind, ProblemKind::NoTokenSource);
    let text = format!(
        "[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{}\"\ntoken_env = \"T\"\ntoken_file = \"/t\"",
        "0".repeat(64)
    );
    let errors = errors(&text);
    assert_eq!(
        errors.to_string(),
        "operators[0].token_sha256: conflicts with token_file: set exactly one of token_sha256, \
         token_file and token_env\n\
         operators[0].token_sha256: conflicts with token_env: set exactly one of token_sha256, \
         token_file and token_env"
    );
}

#[test]
fn a_token_pasted_where_its_digest_belongs_is_never_shown() {
    let text = format!("[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{SECRET}\"");
    let errors = errors(&text);
    assert_eq!(
        errors.to_string(),
        "operators[0].token_sha256 = <redacted>: must be 64 hexadecimal digits: the SHA-256 of \
         the bearer token, never the token itself"
    );
    assert!(!format!("{errors:?}").contains(SECRET));
    let long = format!("{SECRET}{}", "x".repeat(300));
    let errors = errors_of_operator_digest(&long);
    assert!(!errors.contains(SECRET), "{errors}");
}

fn errors_of_operator_digest(digest: &str) -> String {
    let text = format!("[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{digest}\"");
    let errors = errors(&text);
    format!("{errors}\n{errors:?}")
}

#[test]
fn a_placeholder_is_never_reported_as_a_duplicate() {
    // operators[0] has no token (its placeholder is the all-zero digest) and operators[1] has
    // the all-zero digest: only the missing token is reported.
    let text = format!(
        "[[operators]]\nname = \"a\"\n\n[[operators]]\nname = \"b\"\ntoken_sha256 = \"{}\"",
        "0".repeat(64)
    );
    let found = errors(&text);
    assert_eq!(paths_of(&found), ["operators[0]"], "{found}");
    // Two departments whose names are unreadable are not duplicates of each other.
    let found = errors("[[departments]]\nname = 1\n[[departments]]\nname = 2\n");
    assert_eq!(
        paths_of(&found),
        ["departments[0].name", "departments[1].name"],
        "{found}"
    );
}

#[test]
fn unknown_keys_in_an_entry_are_named_with_its_index() {
    let errors =
        errors("[[departments]]\nname = \"a\"\n[[departments]]\nname = \"b\"\nnumber = [\"1\"]\n");
    assert_eq!(paths_of(&errors), ["departments[1].number"]);
    assert_eq!(
        errors.to_string(),
        "departments[1].number: unknown key; known keys in [[departments]]: name, numbers"
    );
    let problem = only_problem("[chat]\nname = \"x\"");
    assert!(
        problem
            .to_string()
            .ends_with("(did you mean departments[].name?)"),
        "{problem}"
    );
}
