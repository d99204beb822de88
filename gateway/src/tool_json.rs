//! The JSON shapes of the operators' tools (canned responses, articles, notes), shared by the
//! local API and the journal's events so that both show them the same way. Instants are Unix
//! milliseconds (UTC).

use serde::Serialize;

use crate::tools::{Article, CannedResponse, Note};

/// A canned response as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct CannedJson<'a> {
    id: &'a str,
    shortcut: &'a str,
    body: &'a str,
    /// `config`, `local` or `hq`.
    source: &'static str,
    updated_at: u64,
}

impl<'a> CannedJson<'a> {
    /// The JSON view of `canned`.
    pub(crate) fn new(canned: &'a CannedResponse) -> Self {
        Self {
            id: &canned.id,
            shortcut: &canned.shortcut,
            body: &canned.body,
            source: canned.source.as_str(),
            updated_at: canned.updated_at,
        }
    }
}

/// An article as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct ArticleJson<'a> {
    id: &'a str,
    title: &'a str,
    body: &'a str,
    link: Option<&'a str>,
    /// `config`, `local` or `hq`.
    source: &'static str,
    updated_at: u64,
}

impl<'a> ArticleJson<'a> {
    /// The JSON view of `article`.
    pub(crate) fn new(article: &'a Article) -> Self {
        Self {
            id: &article.id,
            title: &article.title,
            body: &article.body,
            link: article.link.as_deref(),
            source: article.source.as_str(),
            updated_at: article.updated_at,
        }
    }
}

/// A chat's note as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct NoteJson<'a> {
    /// Its number in its chat, from 1.
    n: u64,
    author: &'a str,
    text: &'a str,
    at: u64,
}

impl<'a> NoteJson<'a> {
    /// The JSON view of `note`.
    pub(crate) fn new(note: &'a Note) -> Self {
        Self {
            n: note.n,
            author: &note.author,
            text: &note.text,
            at: note.at,
        }
    }
}
