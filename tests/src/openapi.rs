//! Checks a send request body against Meta's OpenAPI description of
//! `POST /{Version}/{Phone-Number-ID}/messages` (the schemas of
//! `tests/corpus/openapi/extracted/send_message_schemas.json`, extracted from the v23.0
//! description), plus the members Meta added after v23 ([`LATER_ADDITIONS`]).
//!
//! The JSON-Schema subset those schemas use, and nothing more:
//! - `$ref` (to `#/components/schemas/...`), `allOf`, `oneOf` (exactly one branch matches);
//! - `discriminator` with a `mapping`: beside `oneOf` it picks the one branch to check; on a
//!   parent schema that its children extend through `allOf` (OpenAPI's polymorphism) it sends
//!   the value to the mapped child;
//! - `type`, `enum`, `required`, `properties`, `items`, `minItems`/`maxItems`,
//!   `minLength`/`maxLength` (in characters);
//! - `additionalProperties: false`, which admits the properties of the schema and of every
//!   branch of the `allOf` it is in, as OpenAPI authors mean it (a message variant is
//!   `allOf: [BaseMessageProperties, {additionalProperties: false, ...}]`).
//!
//! Ignored: `format` and `pattern` (v23's only pattern, `^[2-6, 11-14]$` on a template
//! component's `index`, is a character class that refuses Meta's own `"0"`), and the
//! annotations (`description`, `example`, `default`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

/// The extracted schemas (see `tests/corpus/FILES.md`).
const SCHEMAS: &str = include_str!("../corpus/openapi/extracted/send_message_schemas.json");
/// The request body's schema.
const ROOT: &str = "#/components/schemas/Message";
/// The schema every message variant extends; the later additions are declared on it.
const BASE: &str = "BaseMessageProperties";

/// A member of the send request that Meta added after the v23.0 description.
#[derive(Debug, Clone, Copy)]
pub struct LaterAddition {
    /// The top-level member.
    pub member: &'static str,
    /// Its schema, as JSON.
    pub schema: &'static str,
    /// Where Meta says so.
    pub source: &'static str,
}

/// The members Meta added after v23.0, each with its source. `recipient` is sent instead of
/// `to`: a request carries exactly one of them.
pub const LATER_ADDITIONS: &[LaterAddition] = &[
    LaterAddition {
        member: "recipient",
        schema: r#"{"type": "string"}"#,
        source: "the business-scoped user id (BSUID) of a user known without a phone number, \
                 sent instead of `to` (Meta: developers.facebook.com/documentation/\
                 business-messaging/whatsapp/business-scoped-user-ids, 2026; \
                 Secreto31126/whatsapp-api-js src/index.ts)",
    },
    LaterAddition {
        member: "biz_opaque_callback_data",
        schema: r#"{"type": "string", "maxLength": 512}"#,
        source: "an arbitrary string Meta echoes in the message's status webhooks (Meta's \
                 messages reference; corpus pywa/tests/data/updates/message_status.json); \
                 v23 declares it, with this schema, only for calls (CallRequestPayload)",
    },
];

/// A member v23.0 requires that Meta does not: its own examples in the same description, and
/// the clients in the corpus, leave it out.
#[derive(Debug, Clone, Copy)]
pub struct V23Correction {
    /// The schema under `#/components/schemas/`.
    pub schema: &'static str,
    /// The member it requires that is optional.
    pub optional: &'static str,
    /// The evidence.
    pub source: &'static str,
}

/// Where v23.0 is stricter than Meta, each with its evidence.
pub const V23_CORRECTIONS: &[V23Correction] = &[V23Correction {
    schema: "LanguageObject",
    optional: "policy",
    source: "`template.language.policy` (only value `deterministic`): 8 of the 9 template \
             examples in v23.0's own send_message_request_examples omit it, as do the \
             template bodies of whatsapp-business-java-api (expected/message/*.json)",
}];

/// The members that name the recipient: exactly one of them is required.
const RECIPIENT_MEMBERS: [&str; 2] = ["to", "recipient"];

/// Deeper than any real request; guards against a schema cycle.
const MAX_DEPTH: usize = 64;

/// Checks `body` against `#/components/schemas/Message` with the later additions.
///
/// # Errors
/// Every violation, each starting with its JSON path (`$.template.language.code: ...`).
pub fn check_send_request(body: &Value) -> Result<(), Vec<String>> {
    let document = match document() {
        Ok(document) => document,
        Err(problem) => return Err(vec![problem.clone()]),
    };
    let mut checker = Checker {
        document,
        violations: Vec::new(),
    };
    checker.check_ref(ROOT, body, "$", &BTreeSet::new(), 0);
    if checker.violations.is_empty() {
        return Ok(());
    }
    // a member declared by a parent and by its child (allOf) is reported once
    let mut seen = BTreeSet::new();
    let mut violations = checker.violations;
    violations.retain(|violation| seen.insert(violation.clone()));
    Err(violations)
}

/// The schema document with the later additions, parsed once.
fn document() -> &'static Result<Value, String> {
    static DOCUMENT: OnceLock<Result<Value, String>> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document: Value = serde_json::from_str(SCHEMAS)
            .map_err(|error| format!("send_message_schemas.json is not JSON: {error}"))?;
        with_later_additions(&mut document)?;
        with_v23_corrections(&mut document)?;
        Ok(document)
    })
}

/// Declares [`LATER_ADDITIONS`] on `BaseMessageProperties` and requires `to` or `recipient`
/// instead of `to`.
fn with_later_additions(document: &mut Value) -> Result<(), String> {
    let base = document
        .pointer_mut(&format!("/components/schemas/{BASE}"))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("the extracted schemas have no {BASE}"))?;
    let properties = base
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("{BASE} has no properties"))?;
    for addition in LATER_ADDITIONS {
        let schema = serde_json::from_str(addition.schema)
            .map_err(|error| format!("the schema of `{}`: {error}", addition.member))?;
        properties.insert(addition.member.to_owned(), schema);
    }
    let required = base
        .get_mut("required")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("{BASE} requires nothing"))?;
    required.retain(|name| name != RECIPIENT_MEMBERS[0]);
    let alternatives: Vec<Value> = RECIPIENT_MEMBERS
        .iter()
        .map(|member| json!({"required": [member]}))
        .collect();
    if base
        .insert("oneOf".into(), Value::Array(alternatives))
        .is_some()
    {
        return Err(format!("{BASE} has a oneOf of its own"));
    }
    Ok(())
}

/// Applies [`V23_CORRECTIONS`].
fn with_v23_corrections(document: &mut Value) -> Result<(), String> {
    for correction in V23_CORRECTIONS {
        let required = document
            .pointer_mut(&format!(
                "/components/schemas/{}/required",
                correction.schema
            ))
            .and_then(Value::as_array_mut)
            .ok_or_else(|| format!("{} requires nothing", correction.schema))?;
        let before = required.len();
        required.retain(|name| name != correction.optional);
        if required.len() == before {
            return Err(format!(
                "{} no longer requires `{}`: drop the correction",
                correction.schema, correction.optional
            ));
        }
    }
    Ok(())
}

struct Checker<'a> {
    document: &'a Value,
    violations: Vec<String>,
}

impl<'a> Checker<'a> {
    fn violation(&mut self, path: &str, what: impl std::fmt::Display) {
        self.violations.push(format!("{path}: {what}"));
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        self.document.pointer(reference.strip_prefix('#')?)
    }

    /// Checks `value` against the schema `reference` names; a parent schema with a
    /// discriminator (and no `oneOf`) sends the value to the mapped child, which reaches the
    /// parent again through its `allOf` (then without the discriminator).
    fn check_ref(
        &mut self,
        reference: &str,
        value: &Value,
        path: &str,
        siblings: &BTreeSet<String>,
        depth: usize,
    ) {
        self.check_ref_from(reference, value, path, siblings, depth, None);
    }

    fn check_ref_from(
        &mut self,
        reference: &str,
        value: &Value,
        path: &str,
        siblings: &BTreeSet<String>,
        depth: usize,
        dispatched_from: Option<&str>,
    ) {
        let Some(schema) = self.resolve(reference) else {
            self.violation(path, format_args!("the schema {reference} is not defined"));
            return;
        };
        if dispatched_from != Some(reference)
            && schema.get("oneOf").is_none()
            && let Some(child) = discriminated(schema, value)
        {
            self.check_ref_from(child, value, path, siblings, depth + 1, Some(reference));
            return;
        }
        self.check(schema, value, path, siblings, depth + 1, dispatched_from);
    }

    /// `siblings`: the properties the enclosing `allOf` declares, which an
    /// `additionalProperties: false` here admits too. `dispatched_from`: the parent whose
    /// discriminator chose the schema being checked.
    fn check(
        &mut self,
        schema: &'a Value,
        value: &Value,
        path: &str,
        siblings: &BTreeSet<String>,
        depth: usize,
        dispatched_from: Option<&str>,
    ) {
        if depth > MAX_DEPTH {
            self.violation(path, "the schemas nest deeper than any request (a cycle?)");
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            self.check_ref_from(reference, value, path, siblings, depth, dispatched_from);
        }
        if let Some(expected) = schema.get("type").and_then(Value::as_str)
            && !has_type(value, expected)
        {
            self.violation(
                path,
                format_args!("expected {expected}, found {}", kind(value)),
            );
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            self.violation(
                path,
                format_args!("{value} is not one of {}", Value::Array(allowed.clone())),
            );
        }
        match value {
            Value::String(text) => self.check_length(schema, text, path),
            Value::Array(items) => self.check_items(schema, items, path, depth),
            Value::Object(members) => self.check_members(schema, members, path, siblings, depth),
            _ => {}
        }
        if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
            let mut declared = siblings.clone();
            for branch in branches {
                self.declared_properties(branch, &mut declared, 0);
            }
            for branch in branches {
                self.check(branch, value, path, &declared, depth + 1, dispatched_from);
            }
        }
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            self.check_one_of(schema, branches, value, path, depth);
        }
    }

    fn check_length(&mut self, schema: &Value, text: &str, path: &str) {
        let length = text.chars().count();
        if let Some(most) = bound(schema, "maxLength")
            && length > most
        {
            self.violation(path, format_args!("{length} characters, at most {most}"));
        }
        if let Some(least) = bound(schema, "minLength")
            && length < least
        {
            self.violation(path, format_args!("{length} characters, at least {least}"));
        }
    }

    fn check_items(&mut self, schema: &'a Value, items: &[Value], path: &str, depth: usize) {
        if let Some(most) = bound(schema, "maxItems")
            && items.len() > most
        {
            self.violation(path, format_args!("{} items, at most {most}", items.len()));
        }
        if let Some(least) = bound(schema, "minItems")
            && items.len() < least
        {
            self.violation(
                path,
                format_args!("{} items, at least {least}", items.len()),
            );
        }
        if let Some(item_schema) = schema.get("items") {
            for (index, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{index}]");
                self.check(
                    item_schema,
                    item,
                    &item_path,
                    &BTreeSet::new(),
                    depth + 1,
                    None,
                );
            }
        }
    }

    fn check_members(
        &mut self,
        schema: &'a Value,
        members: &Map<String, Value>,
        path: &str,
        siblings: &BTreeSet<String>,
        depth: usize,
    ) {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !members.contains_key(name) {
                self.violation(&member_path(path, name), "required, missing");
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member_schema) in properties.into_iter().flatten() {
            if let Some(member) = members.get(name) {
                let path = member_path(path, name);
                self.check(
                    member_schema,
                    member,
                    &path,
                    &BTreeSet::new(),
                    depth + 1,
                    None,
                );
            }
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            let mut allowed = siblings.clone();
            allowed.extend(properties.into_iter().flat_map(|own| own.keys().cloned()));
            for name in members.keys().filter(|name| !allowed.contains(*name)) {
                self.violation(
                    &member_path(path, name),
                    format_args!(
                        "not a member Meta declares here (declared: {})",
                        allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }

    /// A `oneOf` with a discriminator checks the mapped branch; without, exactly one branch
    /// must match.
    fn check_one_of(
        &mut self,
        schema: &'a Value,
        branches: &'a [Value],
        value: &Value,
        path: &str,
        depth: usize,
    ) {
        if let Some(discriminator) = schema.get("discriminator") {
            let property = discriminator
                .get("propertyName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mapping = discriminator.get("mapping").and_then(Value::as_object);
            let chosen = value.get(property).and_then(Value::as_str);
            let target = chosen
                .and_then(|chosen| mapping?.get(chosen))
                .and_then(Value::as_str);
            let Some(target) = target else {
                let known: Vec<&String> = mapping.into_iter().flat_map(Map::keys).collect();
                let found = value
                    .get(property)
                    .map_or("nothing".into(), Value::to_string);
                self.violation(
                    &member_path(path, property),
                    format_args!("{found} is none of the declared kinds {known:?}"),
                );
                return;
            };
            self.check_ref(target, value, path, &BTreeSet::new(), depth + 1);
            return;
        }
        let mut matched = 0;
        let mut reasons = Vec::new();
        for (index, branch) in branches.iter().enumerate() {
            let mut trial = Checker {
                document: self.document,
                violations: Vec::new(),
            };
            trial.check(branch, value, path, &BTreeSet::new(), depth + 1, None);
            if trial.violations.is_empty() {
                matched += 1;
            } else {
                reasons.push(format!(
                    "alternative {}: {}",
                    index + 1,
                    trial.violations.join("; ")
                ));
            }
        }
        match matched {
            1 => {}
            0 => self.violation(
                path,
                format_args!("matches none of the alternatives ({})", reasons.join(" | ")),
            ),
            _ => self.violation(
                path,
                format_args!("matches {matched} alternatives, exactly one is allowed"),
            ),
        }
    }

    /// The property names `schema` declares, through `$ref` and `allOf`.
    fn declared_properties(&self, schema: &Value, into: &mut BTreeSet<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| self.resolve(reference))
        {
            self.declared_properties(target, into, depth + 1);
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            into.extend(properties.keys().cloned());
        }
        for branch in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.declared_properties(branch, into, depth + 1);
        }
    }
}

/// The child a parent schema's discriminator (without `oneOf`) maps `value` to.
fn discriminated<'a>(schema: &'a Value, value: &Value) -> Option<&'a str> {
    let discriminator = schema.get("discriminator")?;
    let property = discriminator.get("propertyName")?.as_str()?;
    let chosen = value.get(property)?.as_str()?;
    discriminator.get("mapping")?.get(chosen)?.as_str()
}

fn bound(schema: &Value, keyword: &str) -> Option<usize> {
    schema
        .get(keyword)
        .and_then(Value::as_u64)
        .and_then(|bound| usize::try_from(bound).ok())
}

fn member_path(path: &str, name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
    {
        format!("{path}.{name}")
    } else {
        format!("{path}[{}]", Value::from(name))
    }
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        "null" => value.is_null(),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn text(extra: Value) -> Value {
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505550101",
            "type": "text",
            "text": {"body": "hi"},
        });
        for (name, value) in extra.as_object().unwrap() {
            body[name] = value.clone();
        }
        body
    }

    #[test]
    fn the_gateways_text_reply_conforms() {
        let body = text(json!({"biz_opaque_callback_data": "waygate:7"}));
        assert_eq!(check_send_request(&body), Ok(()));
    }

    #[test]
    fn a_template_language_needs_no_policy() {
        let body = json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "1",
            "type": "template", "template": {"name": "hello", "language": {"code": "en_US"}},
        });
        assert_eq!(check_send_request(&body), Ok(()));
    }

    #[test]
    fn an_unknown_member_is_refused_with_its_path() {
        let violations = check_send_request(&text(json!({"priority": "high"}))).unwrap_err();
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(
            violations[0].starts_with("$.priority: not a member Meta declares here"),
            "{violations:?}"
        );
        let mut body = text(json!({}));
        body["text"]["bold"] = json!(true);
        let violations = check_send_request(&body).unwrap_err();
        assert!(violations[0].starts_with("$.text.bold: "), "{violations:?}");
    }

    #[test]
    fn a_missing_required_member_is_refused_with_its_path() {
        let mut body = text(json!({}));
        body.as_object_mut().unwrap().remove("messaging_product");
        assert_eq!(
            check_send_request(&body),
            Err(vec!["$.messaging_product: required, missing".to_owned()])
        );
        let body = json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "1",
            "type": "template", "template": {"name": "hello", "language": {"policy": "deterministic"}},
        });
        assert_eq!(
            check_send_request(&body),
            Err(vec![
                "$.template.language.code: required, missing".to_owned()
            ])
        );
    }

    #[test]
    fn a_wrong_enum_value_is_refused_with_its_path() {
        let violations = check_send_request(&text(json!({"recipient_type": "everyone"})));
        assert_eq!(
            violations,
            Err(vec![
                r#"$.recipient_type: "everyone" is not one of ["individual","group"]"#.to_owned()
            ])
        );
        let violations = check_send_request(&text(json!({"type": "fax"}))).unwrap_err();
        assert!(
            violations[0].starts_with(r#"$.type: "fax" is none of the declared kinds"#),
            "{violations:?}"
        );
    }

    #[test]
    fn a_bsuid_goes_in_recipient_instead_of_to_never_both() {
        let mut body = text(json!({"recipient": "US.13491208655302741918"}));
        assert!(check_send_request(&body).is_err(), "both to and recipient");
        body.as_object_mut().unwrap().remove("to");
        assert_eq!(check_send_request(&body), Ok(()));
        body.as_object_mut().unwrap().remove("recipient");
        let violations = check_send_request(&body).unwrap_err();
        assert!(
            violations[0].starts_with("$: matches none of the alternatives"),
            "{violations:?}"
        );
        assert!(violations[0].contains("$.to: required, missing"));
        assert!(violations[0].contains("$.recipient: required, missing"));
    }

    #[test]
    fn callback_data_longer_than_512_characters_is_refused() {
        let body = text(json!({"biz_opaque_callback_data": "é".repeat(513)}));
        assert_eq!(
            check_send_request(&body),
            Err(vec![
                "$.biz_opaque_callback_data: 513 characters, at most 512".to_owned()
            ])
        );
        let body = text(json!({"biz_opaque_callback_data": "é".repeat(512)}));
        assert_eq!(check_send_request(&body), Ok(()));
    }

    #[test]
    fn a_template_parameter_is_checked_by_its_discriminated_schema() {
        let body = json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "1",
            "type": "template",
            "template": {
                "name": "order", "language": {"policy": "deterministic", "code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text"}]}],
            },
        });
        assert_eq!(
            check_send_request(&body),
            Err(vec![
                "$.template.components[0].parameters[0].text: required, missing".to_owned()
            ])
        );
    }

    #[test]
    fn media_by_id_or_by_link_not_both() {
        let mut body = json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "1",
            "type": "image", "image": {"id": "1"},
        });
        assert_eq!(check_send_request(&body), Ok(()));
        body["image"]["link"] = json!("https://example.com/a.png");
        assert_eq!(
            check_send_request(&body),
            Err(vec![
                "$.image: matches 2 alternatives, exactly one is allowed".to_owned()
            ])
        );
    }

    /// Meta's examples that break its own description, and why.
    const META_EXAMPLES_THAT_BREAK_V23: &[(&str, &str)] = &[
        (
            "Send Catalog Template Message",
            "button index 0 is an integer (v23: string); sub_type CATALOG is upper case and \
             the parameter type `action` is undeclared (v23: payload, text)",
        ),
        (
            "Send Contact Message",
            "no recipient_type (v23 requires it)",
        ),
        (
            "Send Flow Template Message",
            "no recipient_type; sub_type `flow` and parameter type `action` are undeclared",
        ),
        (
            "Send Location Message",
            "latitude and longitude are numbers (v23: strings)",
        ),
        (
            "Send Multi-Product Message",
            "interactive.header.type is the placeholder <HEADER_TYPE>",
        ),
        (
            "Send Order Details Message",
            "interactive type order_details and its action are undeclared",
        ),
        (
            "Send Order Status Message",
            "interactive type order_status and its action are undeclared",
        ),
        ("Send Reply to Contact Message", "no recipient_type"),
        (
            "Send Reply to List Message",
            "no `type` (the discriminator; Meta's examples rely on a default)",
        ),
        (
            "Send Reply to Location Message",
            "latitude and longitude are numbers (v23: strings)",
        ),
        (
            "Send Sample Issue Resolution Template",
            "no recipient_type; button index is an integer; button text parameters are \
             booleans (v23: strings)",
        ),
        ("Send Test Message", "no recipient_type"),
        (
            "Send Text Message with Preview URL",
            "no `type` and no recipient_type",
        ),
    ];

    #[test]
    fn metas_examples_conform_except_the_listed_ones() {
        let examples: Map<String, Value> = serde_json::from_str(include_str!(
            "../corpus/openapi/extracted/send_message_request_examples.json"
        ))
        .unwrap();
        let mut checked = 0;
        let mut broken = Vec::new();
        for (name, body) in &examples {
            if body.get("to").is_none() {
                continue;
            }
            checked += 1;
            if let Err(violations) = check_send_request(body) {
                broken.push((name.as_str(), violations));
            }
        }
        assert!(checked >= 40, "only {checked} examples use `to`");
        let names: Vec<&str> = broken.iter().map(|(name, _)| *name).collect();
        let expected: Vec<&str> = META_EXAMPLES_THAT_BREAK_V23
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(names, expected, "{broken:#?}");
    }

    /// Keywords the checker evaluates.
    const EVALUATED: &[&str] = &[
        "$ref",
        "allOf",
        "oneOf",
        "discriminator",
        "type",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
    ];
    /// Keywords the checker knowingly skips (see the module documentation).
    const SKIPPED: &[&str] = &["format", "pattern", "description", "example", "default"];

    #[test]
    fn the_schemas_use_only_keywords_the_checker_knows() {
        fn walk(schema: &Value, at: &str, unknown: &mut Vec<String>) {
            match schema {
                Value::Object(members) => {
                    for (keyword, value) in members {
                        let at = format!("{at}/{keyword}");
                        if !EVALUATED.contains(&keyword.as_str())
                            && !SKIPPED.contains(&keyword.as_str())
                        {
                            unknown.push(at.clone());
                        }
                        match keyword.as_str() {
                            "properties" => {
                                for (name, property) in value.as_object().into_iter().flatten() {
                                    walk(property, &format!("{at}/{name}"), unknown);
                                }
                            }
                            "items" | "allOf" | "oneOf" => walk(value, &at, unknown),
                            _ => {}
                        }
                    }
                }
                Value::Array(branches) => {
                    for (index, branch) in branches.iter().enumerate() {
                        walk(branch, &format!("{at}/{index}"), unknown);
                    }
                }
                _ => {}
            }
        }
        let document = document().as_ref().unwrap();
        let mut unknown = Vec::new();
        for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
            walk(schema, name, &mut unknown);
        }
        assert!(
            unknown.is_empty(),
            "keywords the checker would ignore: {unknown:?}"
        );
    }
}
