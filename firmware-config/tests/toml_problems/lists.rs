//! Problems with `[chat]` and the arrays of tables: boundaries, indexes, capacities, required
//! keys, token sources, and placeholders that are never reported.

use firmware_config::{ConfigProblem, KeyPath, ProblemKind, ShownValue, parse_toml};

use crate::{
    SECRET, errors, lines_of, messages_of, only_kind, only_problem, paths_of, patterns_of,
};

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
                let path = errors.paths().next().unwrap_or_default();
                let field = path.rsplit('.').next().unwrap_or_default();
                assert!(text.contains(&format!("\n{field} = ")), "{path}");
            }
        }
    }
    assert!(
        errors("[chat]\nunattended_close_seconds = 899")
            .to_string()
            .starts_with(
                "line 2: chat.unattended_close_seconds = 899: must be between 900 and 2678400 \
                 (seconds"
            )
    );
}

/// The ranges whose numbers do not speak for themselves say what they mean.
#[test]
fn chat_ranges_explain_themselves() {
    assert_eq!(
        messages_of(&errors("[chat]\nunattended_close_seconds = 899")),
        [
            "chat.unattended_close_seconds = 899: must be between 900 and 2678400 \
          (seconds; 15 minutes to 31 days)"
        ]
    );
    assert_eq!(
        messages_of(&errors("[chat]\nprofanity_limit = 0")),
        [
            "chat.profanity_limit = 0: must be between 1 and 100 (offensive words per chat; \
          the chat closes when it reaches the limit)"
        ]
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
    // On one line, the rule of each value comes before the rules between values.
    assert_eq!(
        paths_of(&errors),
        [
            "departments[1].numbers[1]",
            "departments[1].numbers[0]",
            "departments[2].name"
        ]
    );
    assert_eq!(lines_of(&errors), [Some(8), Some(8), Some(11)]);
    assert_eq!(
        patterns_of(&errors),
        [
            "departments[].numbers",
            "departments[].numbers",
            "departments[].name"
        ]
    );
    let messages = messages_of(&errors);
    assert!(
        messages[0].contains("must be a phone_number_id"),
        "{}",
        messages[0]
    );
    assert_eq!(
        messages[1],
        "departments[1].numbers[0] = \"106540352242922\": repeats departments[0].numbers[0] \
         (a business number is listed once, in one department)"
    );
    assert_eq!(
        messages[2],
        "departments[2].name = \"support\": repeats departments[0].name \
         (department names are unique)"
    );
}

#[test]
fn an_array_past_its_capacity_is_named() {
    let departments = (0..17)
        .map(|index| format!("[[departments]]\nname = \"d{index}\"\n"))
        .collect::<String>();
    let (key, kind) = only_kind(&departments);
    assert_eq!(key, "departments");
    assert_eq!(
        kind,
        ProblemKind::TooMany {
            len: 17,
            capacity: 16
        }
    );
    assert_eq!(
        errors(&departments).to_string(),
        "line 1: departments: must have at most 16 entries (it has 17)"
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
    assert_eq!(paths_of(&errors(&text)), ["chat.profanity_word_lists"]);
    let templates = (0..65)
        .map(|n| {
            format!("[[templates]]\nname = \"t{n}\"\nlanguage = \"en\"\ncategory = \"utility\"\n")
        })
        .collect::<String>();
    assert_eq!(
        errors(&templates).to_string(),
        "line 1: templates: must have at most 64 entries (it has 65)"
    );
    let operators = (0..33)
        .map(|n| format!("[[operators]]\nname = \"o{n}\"\ntoken_env = \"T{n}\"\n"))
        .collect::<String>();
    assert_eq!(paths_of(&errors(&operators)), ["operators"]);
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
        "line 1: templates[0].name: must be set"
    );
    let (key, kind) = only_kind("[[departments]]\nnumbers = []");
    assert_eq!(
        (key.as_str(), kind),
        ("departments[0].name", ProblemKind::Missing)
    );
}

#[test]
fn an_entry_that_is_not_a_table_is_named_by_its_index() {
    let text = r#"departments = [{ name = "a" }, "support"]"#;
    let errors = errors(text);
    assert_eq!(paths_of(&errors), ["departments[1]"], "{errors}");
    assert_eq!(
        messages_of(&errors),
        ["departments[1]: must be a table, found a string"]
    );
}

#[test]
fn an_unreadable_entry_keeps_the_indexes_of_the_others() {
    let text =
        r#"departments = ["support", { name = "a" }, { name = "a", numbers = [1, "2", "x"] }]"#;
    let errors = errors(text);
    let mut paths = paths_of(&errors);
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "departments[0]",
            "departments[2].name",
            "departments[2].numbers[0]",
            "departments[2].numbers[2]"
        ],
        "{errors}"
    );
    let messages = messages_of(&errors);
    assert!(
        messages.contains(&"departments[0]: must be a table, found a string".to_owned()),
        "{errors}"
    );
    assert!(
        messages.iter().any(|message| message
            .starts_with("departments[2].name = \"a\": repeats departments[1].name")),
        "{errors}"
    );
}

#[test]
fn a_wrong_type_inside_a_list_names_the_entry() {
    let (key, _) = only_kind("[chat]\nprofanity_word_lists = [\"/a\", [\"/x\"]]");
    assert_eq!(key, "chat.profanity_word_lists[1]");
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
            "true or false",
            "a string",
        ),
        (
            "[chat]\nstrict_order = 1",
            "chat.strict_order",
            "true or false",
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
        let (problem_path, kind) = only_kind(text);
        assert_eq!(problem_path, path, "{text}");
        assert_eq!(kind, ProblemKind::WrongType { expected, found }, "{text}");
    }
}

#[test]
fn template_words_must_be_known() {
    let text =
        "[[templates]]\nname = \"a\"\nlanguage = \"en\"\ncategory = \"promo\"\nstatus = \"live\"";
    let errors = errors(text);
    assert_eq!(lines_of(&errors), [Some(4), Some(5)]);
    assert_eq!(
        messages_of(&errors),
        [
            "templates[0].category = \"promo\": must be one of \"utility\", \"marketing\" or \
             \"authentication\"",
            "templates[0].status = \"live\": must be one of \"approved\", \"pending\", \
             \"rejected\", \"paused\" or \"disabled\"",
        ]
    );
}

#[test]
fn an_operator_with_two_token_sources_is_refused() {
    let text = format!(
        "[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{SECRET}\"\ntoken_env = \"T\"\ntoken_file = \"/t\""
    );
    let errors = errors(&text);
    let ConfigProblem::Invalid { problem, .. } = &errors.problems()[0] else {
        panic!("{errors:?}");
    };
    assert_eq!(problem.path().to_string(), "operators[0].token_env");
    assert_eq!(
        problem.kind(),
        &ProblemKind::ConflictingSources {
            other: KeyPath::new("operators[].token")
                .at(0)
                .with_suffix("_sha256"),
            unset: None,
        }
    );
    assert!(
        errors.to_string().starts_with(
            "line 4: operators[0].token_env = \"T\": conflicts with operators[0].token_sha256"
        ),
        "{errors}"
    );
    assert!(!format!("{errors}{errors:?}").contains(SECRET));
}

#[test]
fn every_extra_token_source_is_reported_with_the_operators_rule() {
    let text = format!(
        "[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{}\"\ntoken_env = \"T\"\ntoken_file = \"/t\"",
        "0".repeat(64)
    );
    let errors = errors(&text);
    let mut paths = paths_of(&errors);
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["operators[0].token_env", "operators[0].token_file"],
        "{errors}"
    );
    for message in messages_of(&errors) {
        assert!(message.contains("exactly one"), "{message}");
        assert!(!message.contains("Meta"), "{message}");
    }
}

#[test]
fn an_operator_without_a_token_is_refused() {
    let errors = errors("[[operators]]\nname = \"kiosk\"");
    let ConfigProblem::Invalid { problem, line } = &errors.problems()[0] else {
        panic!("{errors:?}");
    };
    assert_eq!(*line, Some(1));
    assert_eq!(problem.path().indexes(), [0]);
    assert!(
        matches!(problem.kind(), ProblemKind::NoSource { suffixes, .. } if suffixes.len() == 3),
        "{problem:?}"
    );
}

#[test]
fn a_missing_token_is_reported_once_naming_the_keys_to_write() {
    let problem = only_problem("[[operators]]\nname = \"kiosk\"");
    let text = problem.to_string();
    for key in ["token_sha256", "token_file", "token_env"] {
        assert!(text.contains(key), "{text}");
    }
    assert!(!text.contains("operators[0].token:"), "{text}");
}

#[test]
fn a_token_pasted_where_its_digest_belongs_is_never_shown() {
    let text = format!("[[operators]]\nname = \"kiosk\"\ntoken_sha256 = \"{SECRET}\"");
    let errors = errors(&text);
    let (problem, line) = errors
        .iter()
        .find_map(|problem| match problem {
            ConfigProblem::Invalid { problem, line }
                if problem.path().to_string() == "operators[0].token_sha256" =>
            {
                Some((problem.clone(), *line))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{errors}"));
    assert_eq!(line, Some(3));
    assert_eq!(problem.value(), &ShownValue::Redacted);
    let ProblemKind::BadFormat { expected } = problem.kind() else {
        panic!("{problem:?}");
    };
    assert!(expected.contains("SHA-256"), "{expected}");
    assert!(!format!("{errors}\n{errors:?}").contains(SECRET));
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
    // operators[0] has no token and operators[1] has the all-zero digest: neither is a
    // duplicate of the other.
    let text = format!(
        "[[operators]]\nname = \"a\"\n\n[[operators]]\nname = \"b\"\ntoken_sha256 = \"{}\"",
        "0".repeat(64)
    );
    let found = errors(&text);
    let paths = paths_of(&found);
    assert!(
        paths.iter().all(|path| path.starts_with("operators[0]")),
        "{found}"
    );
    assert!(!found.to_string().contains("repeats"), "{found}");
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
        "line 5: departments[1].number: unknown key; known here: name, numbers"
    );
    let problem = only_problem("[chat]\nname = \"x\"");
    assert!(
        problem
            .to_string()
            .ends_with("(did you mean departments[].name?)"),
        "{problem}"
    );
}
