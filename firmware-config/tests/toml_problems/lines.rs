//! Every problem carries the line it is on, and problems come in file order whatever their
//! kind: a value out of range, an unknown key, a wrong type, a rule between keys.

use firmware_config::{ConfigProblem, ProblemKind};

use crate::{errors, lines_of, messages_of, paths_of};

#[test]
fn problems_of_every_kind_come_in_file_order_with_their_lines() {
    let text = "[store]\n\
                # the disk is small\n\
                max_batch = 0\n\
                [log]\n\
                colour = true\n\
                [shutdown]\n\
                grace_ms = \"soon\"\n";
    let errors = errors(text);
    assert_eq!(lines_of(&errors), [Some(3), Some(5), Some(7)], "{errors}");
    assert_eq!(
        paths_of(&errors),
        ["store.max_batch", "log.colour", "shutdown.grace_ms"]
    );
    let problems = errors.problems();
    assert!(matches!(
        &problems[0],
        ConfigProblem::Invalid { problem, .. }
            if matches!(problem.kind(), ProblemKind::OutOfRange { min: 1, max: 10_000, .. })
    ));
    assert!(matches!(&problems[1], ConfigProblem::UnknownKey { .. }));
    assert!(matches!(
        &problems[2],
        ConfigProblem::Invalid { problem, .. }
            if matches!(problem.kind(), ProblemKind::BadFormat { .. })
    ));
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(lines[0].starts_with("line 3: store.max_batch = 0: must be between 1 and 10000"));
    assert!(lines[1].starts_with("line 5: log.colour: unknown key; known here: format, filter"));
    assert!(
        lines[2]
            .starts_with("line 7: shutdown.grace_ms = \"soon\": must be an integer or a duration")
    );
    assert_eq!(errors.to_string().lines().collect::<Vec<_>>(), lines);
}

#[test]
fn a_wrong_toml_type_is_reported_at_its_line() {
    let errors = errors("\n\n\n[public]\n\nmax_connections = true\n");
    assert_eq!(lines_of(&errors), [Some(6)]);
    assert_eq!(
        messages_of(&errors),
        ["public.max_connections = true: must be an integer, found a boolean"]
    );
}

#[test]
fn a_rule_between_keys_is_reported_at_the_key_it_names() {
    let text = "[public]\n\
                tls_key = \"/k.pem\"\n\
                listen = \"127.0.0.1:9000\"\n\
                max_body_bytes = \"4MiB\"\n\
                inflight_body_bytes = \"3MiB\"\n\
                [local]\n\
                listen = \"0.0.0.0:9000\"\n";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "public.tls_key",
            "public.inflight_body_bytes",
            "local.listen"
        ],
        "{errors}"
    );
    assert_eq!(lines_of(&errors), [Some(2), Some(5), Some(7)]);
}

#[test]
fn a_problem_in_an_array_entry_is_reported_at_its_line() {
    let text = "[[departments]]\n\
                name = \"support\"\n\
                \n\
                [[departments]]\n\
                name = \"support\"\n\
                numbers = [\"1\", \"+1 555\"]\n\
                \n\
                [[templates]]\n\
                language = \"en\"\n\
                category = \"utility\"\n";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "departments[1].name",
            "departments[1].numbers[1]",
            "templates[0].name"
        ],
        "{errors}"
    );
    // A missing key is reported at its entry's header.
    assert_eq!(lines_of(&errors), [Some(5), Some(6), Some(8)]);
}

#[test]
fn problems_without_a_line_come_last() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let mut errors = firmware_config::load_toml_file(&missing).unwrap_err();
    assert_eq!(lines_of(&errors), [None]);
    errors.extend(
        crate::errors("[store]\nmax_batch = 0\n")
            .problems()
            .to_vec(),
    );
    assert_eq!(lines_of(&errors), [Some(2), None]);
    assert!(
        errors
            .to_string()
            .starts_with("line 2: store.max_batch = 0")
    );
    assert!(!errors.to_string().contains("line None"));
}
