//! `waygate export`: the durable inbound log (or the dead letters, or the chats) as JSON Lines, read from a
//! stopped gateway's store. Users and HQ tooling inspect a box offline with it.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use crate::chat::Chat;
use crate::chat_json::{ChatJson, ContentJson};
use crate::store::reader::StoreReader;
use crate::store::{DeadLetter, LogRecord, StoreError};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    /// The inbound log.
    InboundLog,
    /// The dead-letter table.
    DeadLetters,
    /// The chats, with their state, close reason and deadlines.
    Chats,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

#[derive(Serialize)]
struct LogLine<'a> {
    seq: u64,
    kind: &'static str,
    wamid: Option<&'a str>,
    phone_number_id: Option<&'a str>,
    sender: Option<&'a str>,
    user_id: Option<&'a str>,
    timestamp: Option<i64>,
    #[serde(rename = "type")]
    type_name: &'a str,
    waba_id: &'a str,
    field: &'a str,
    received_at_ms: u64,
    content: ContentJson<'a>,
}

#[derive(Serialize)]
struct DeadLine<'a> {
    seq: u64,
    received_at_ms: u64,
    path: &'a str,
    error: &'a str,
    /// The raw bytes as text (lossy only when they are not UTF-8; `raw_hex` then has them exactly).
    raw: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_hex: Option<String>,
}

/// Writes the export to `out`. Returns the number of lines. A closed pipe (`| head`) ends the
/// export quietly.
pub fn export(
    data_dir: &Path,
    what: ExportWhat,
    from_seq: u64,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let (reader, repaired) = StoreReader::open(data_dir)?;
    if repaired {
        tracing::warn!(
            "the store was not closed cleanly (crash or kill); it was recovered before export"
        );
    }
    let mut lines = 0u64;
    let mut write_error = None;
    let mut emit = |line: &dyn erased::Line| -> ControlFlow<()> {
        match line.write_to(out) {
            Ok(()) => {
                lines += 1;
                ControlFlow::Continue(())
            }
            Err(error) => {
                write_error = Some(error);
                ControlFlow::Break(())
            }
        }
    };
    match what {
        ExportWhat::InboundLog => {
            reader.for_each_record(from_seq, |seq, record| emit(&(seq, &record)))?
        }
        ExportWhat::DeadLetters => {
            reader.for_each_dead_letter(from_seq, |seq, letter| emit(&(seq, &letter)))?
        }
        ExportWhat::Chats => reader.for_each_chat(from_seq, |_, chat| emit(&chat))?,
    }
    match write_error {
        Some(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(lines),
        Some(error) => Err(error.into()),
        None => {
            out.flush()?;
            Ok(lines)
        }
    }
}

mod erased {
    //! One line of output, whatever table it came from.
    use super::*;

    pub(super) trait Line {
        fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()>;
    }

    impl Line for (u64, &LogRecord) {
        fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
            let (seq, record) = *self;
            let line = LogLine {
                seq,
                kind: record.kind.as_str(),
                wamid: record.wamid.as_deref(),
                phone_number_id: record.phone_number_id.as_deref(),
                sender: record.sender.as_deref(),
                user_id: record.user_id.as_deref(),
                timestamp: record.timestamp,
                type_name: &record.type_name,
                waba_id: &record.waba_id,
                field: &record.field,
                received_at_ms: record.received_at_ms,
                content: ContentJson::new(&record.content_json),
            };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")
        }
    }

    impl Line for Chat {
        fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
            serde_json::to_writer(&mut *out, &ChatJson::new(self))?;
            out.write_all(b"\n")
        }
    }

    impl Line for (u64, &DeadLetter) {
        fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
            let (seq, letter) = *self;
            let text = String::from_utf8_lossy(&letter.raw);
            let exact = matches!(text, std::borrow::Cow::Borrowed(_));
            let line = DeadLine {
                seq,
                received_at_ms: letter.received_at_ms,
                path: &letter.path,
                error: &letter.error,
                raw: text,
                raw_hex: (!exact).then(|| hex::encode(&letter.raw)),
            };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")
        }
    }
}
