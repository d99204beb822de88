//! Real third-party webhook payloads from the repository's corpus (`tests/corpus/`, or
//! `WAYGATE_CORPUS`), each as the exact bytes to POST.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{HarnessError, HarnessResult};
use crate::meta::escape::{Escaping, to_meta_json};

/// One webhook payload from the corpus.
#[derive(Debug, Clone)]
pub struct CorpusPayload {
    /// Where it came from: `file` or `file#case`.
    pub name: String,
    /// The bytes to POST: the file verbatim, or the extracted payload serialised compactly.
    pub body: Vec<u8>,
}

/// The corpus directory: `WAYGATE_CORPUS`, else `tests/corpus` in this crate.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("WAYGATE_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        PathBuf::from,
    )
}

/// Whole files that are webhook bodies (sent verbatim).
const VERBATIM_DIRS: &[&str] = &[
    "whatsapp-business-java-api/src/test/resources/deserialization",
    "whatsapp-api-js/test/payloads/v25",
];

/// Files holding an object of `case -> payload`.
const KEYED_FILES: &[&str] = &["openapi/extracted/webhook_examples.json"];

/// Files holding a list of `{ ..., "payload": payload }`.
const LISTED_FILES: &[&str] = &[
    "whatsapp-api-js/payload_examples_v25.json",
    "whatsapp-cloud-api/notification_factory_payloads.json",
];

/// Directory of files each holding an object of `case -> payload`.
const KEYED_DIR: &str = "pywa/tests/data/updates";

/// Every webhook payload in the corpus. Extracted payloads are serialised with Meta's escapes.
///
/// # Errors
/// When a corpus file is missing or a container file is not the expected JSON shape.
pub fn webhook_payloads() -> HarnessResult<Vec<CorpusPayload>> {
    let root = corpus_dir();
    let mut payloads = Vec::new();
    for dir in VERBATIM_DIRS {
        for path in json_files(&root.join(dir))? {
            let body = read(&path)?;
            payloads.push(CorpusPayload {
                name: relative(&root, &path),
                body,
            });
        }
    }
    let mut keyed: Vec<PathBuf> = KEYED_FILES.iter().map(|file| root.join(file)).collect();
    keyed.extend(json_files(&root.join(KEYED_DIR))?);
    for path in keyed {
        let Value::Object(cases) = read_json(&path)? else {
            return Err(HarnessError::Invalid(format!(
                "{} is not an object",
                path.display()
            )));
        };
        for (case, payload) in cases {
            payloads.push(extracted(&root, &path, &case, &payload));
        }
    }
    for file in LISTED_FILES {
        let path = root.join(file);
        let Value::Array(items) = read_json(&path)? else {
            return Err(HarnessError::Invalid(format!(
                "{} is not a list",
                path.display()
            )));
        };
        for (index, item) in items.iter().enumerate() {
            let case = item["name"]
                .as_str()
                .or_else(|| item["test"].as_str())
                .map_or_else(|| index.to_string(), |name| format!("{index}:{name}"));
            payloads.push(extracted(&root, &path, &case, &item["payload"]));
        }
    }
    Ok(payloads)
}

/// A signature test vector: secret, header value and the exact signed body.
#[derive(Debug, Clone)]
pub struct SignatureVector {
    /// Which corpus file it came from.
    pub name: String,
    /// The app secret the body was signed with.
    pub app_secret: String,
    /// The `X-Hub-Signature-256` value.
    pub header: String,
    /// The exact signed bytes.
    pub body: Vec<u8>,
}

/// The corpus's two signature vectors (pywa: a JSON webhook; whatsapp-api-js: escaped text that
/// is not JSON).
///
/// # Errors
/// When the files are missing or malformed.
pub fn signature_vectors() -> HarnessResult<Vec<SignatureVector>> {
    let root = corpus_dir();
    [
        ("pywa/signature_vector.json", "body_file"),
        ("whatsapp-api-js/signature_vector.json", "signed_bytes_file"),
    ]
    .iter()
    .map(|(file, body_key)| {
        let path = root.join(file);
        let vector = read_json(&path)?;
        let field = |key: &str| {
            vector[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| HarnessError::Invalid(format!("{} lacks {key}", path.display())))
        };
        let body_file = field(body_key)?;
        let dir = path.parent().unwrap_or(&root);
        Ok(SignatureVector {
            name: (*file).to_owned(),
            app_secret: field("app_secret")?,
            header: field("x_hub_signature_256")?,
            body: read(&dir.join(body_file))?,
        })
    })
    .collect()
}

fn extracted(root: &Path, path: &Path, case: &str, payload: &Value) -> CorpusPayload {
    CorpusPayload {
        name: format!("{}#{case}", relative(root, path)),
        body: to_meta_json(payload, Escaping::META).into_bytes(),
    }
}

fn json_files(dir: &Path) -> HarnessResult<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).map_err(|error| HarnessError::io("listing", dir, error))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| HarnessError::io("listing", dir, error))?
            .path();
        if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> HarnessResult<Vec<u8>> {
    std::fs::read(path).map_err(|error| HarnessError::io("reading", path, error))
}

fn read_json(path: &Path) -> HarnessResult<Value> {
    serde_json::from_slice(&read(path)?).map_err(|source| HarnessError::Json {
        context: path.display().to_string(),
        source,
    })
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_yields_many_payloads_and_both_vectors() {
        let payloads = webhook_payloads().unwrap();
        assert!(payloads.len() > 100, "only {} payloads", payloads.len());
        assert!(
            payloads
                .iter()
                .any(|p| p.name.contains("textMessageStatusRead"))
        );
        assert_eq!(signature_vectors().unwrap().len(), 2);
    }

    #[test]
    fn every_signature_vector_verifies_with_the_simulated_signer() {
        for vector in signature_vectors().unwrap() {
            let signer = crate::meta::WebhookSigner::new(vector.app_secret.as_bytes());
            assert_eq!(
                signer.header_value(&vector.body),
                vector.header,
                "{}",
                vector.name
            );
        }
    }
}
