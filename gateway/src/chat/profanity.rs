//! Counting offensive words in a customer's message: case- and diacritic-insensitive, whole words.
//!
//! Both the list and the message are folded the same way: Unicode compatibility decomposition
//! (NFKD), combining marks dropped, lowercased. NFKD rather than NFD so that look-alike forms
//! fold too (full-width `ｍｅｒｄｅ`, ligatures `ﬁ`), which NFD leaves as they are. The folded text
//! is split into words at every character that is neither a letter nor a digit; an entry
//! matches only whole words. An entry may hold several words (`son of a`): it matches those
//! words in a row, whatever separates them. At each word the longest matching entry counts once
//! and the count goes on after it, so entries never overlap.
//!
//! Limits: a script written without spaces (Japanese, Chinese, Thai) has no word boundaries to
//! match, so its entries match only where the word stands alone; and dropping combining marks
//! also folds marks that are letters in some scripts (Japanese voiced marks, Indic vowel
//! signs), on both sides alike.

use std::collections::HashMap;
use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A word-list entry with no letter or digit: it could never match a whole word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfanityListError {
    /// The entry at `line` folds to no word.
    #[error(
        "profanity word list, line {line}: the entry has no letter or digit, so it can never match a word; remove it"
    )]
    NoWord {
        /// The 1-based line in the file (or position in the list given to `from_words`).
        line: usize,
    },
}

/// Offensive words and phrases, folded, ready to count in messages.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProfanityList {
    /// By first word: the words that must follow it, longest first (empty for a single word).
    entries: HashMap<String, Vec<Vec<String>>>,
    /// Distinct entries.
    len: usize,
}

impl fmt::Debug for ProfanityList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The words themselves would only make logs offensive.
        f.debug_struct("ProfanityList")
            .field("entries", &self.len)
            .finish()
    }
}

impl ProfanityList {
    /// A list of these entries (a word or several words each).
    pub fn from_words<I>(words: I) -> Result<Self, ProfanityListError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut list = Self::default();
        for (index, entry) in words.into_iter().enumerate() {
            list.insert(entry.as_ref(), index + 1)?;
        }
        Ok(list)
    }

    /// A list from a word-list file's text (UTF-8): one entry per line; blank lines and lines
    /// starting with `#` are skipped; surrounding whitespace and a leading byte-order mark are
    /// ignored.
    pub fn parse(text: &str) -> Result<Self, ProfanityListError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut list = Self::default();
        for (index, line) in text.lines().enumerate() {
            let entry = line.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            list.insert(entry, index + 1)?;
        }
        Ok(list)
    }

    /// Adds `other`'s entries (a list per language, merged into one).
    pub fn merge(&mut self, other: Self) {
        for (first, tails) in other.entries {
            for tail in tails {
                self.insert_folded(first.clone(), tail);
            }
        }
    }

    /// Distinct entries.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Offensive words in `text`: each whole-word match of an entry counts once (saturating).
    pub fn count_hits(&self, text: &str) -> u32 {
        if self.entries.is_empty() {
            return 0;
        }
        let folded = fold(text);
        let words: Vec<&str> = split_words(&folded).collect();
        let mut hits = 0_u32;
        let mut rest = words.as_slice();
        while let Some((first, after)) = rest.split_first() {
            let matched = self.entries.get(*first).and_then(|tails| {
                tails.iter().find(|tail| {
                    tail.len() <= after.len() && tail.iter().zip(after).all(|(a, b)| a == b)
                })
            });
            rest = match matched {
                Some(tail) => {
                    hits = hits.saturating_add(1);
                    after.get(tail.len()..).unwrap_or_default()
                }
                None => after,
            };
        }
        hits
    }

    fn insert(&mut self, entry: &str, line: usize) -> Result<(), ProfanityListError> {
        let folded = fold(entry);
        let mut words = split_words(&folded).map(str::to_owned);
        let first = words.next().ok_or(ProfanityListError::NoWord { line })?;
        self.insert_folded(first, words.collect());
        Ok(())
    }

    fn insert_folded(&mut self, first: String, tail: Vec<String>) {
        let tails = self.entries.entry(first).or_default();
        if !tails.contains(&tail) {
            tails.push(tail);
            tails.sort_by_key(|tail| std::cmp::Reverse(tail.len()));
            self.len += 1;
        }
    }
}

/// Compatibility-decomposed, combining marks dropped, lowercased.
fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        // Lowercasing can add a mark again (`İ` -> `i` + U+0307 when not decomposed first).
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// The words of folded text: runs of letters and digits.
fn split_words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn list(words: &[&str]) -> ProfanityList {
        ProfanityList::from_words(words).unwrap()
    }

    #[test]
    fn accents_and_case_fold() {
        let words = list(&["merde"]);
        assert_eq!(words.count_hits("MÈRDE"), 1);
        assert_eq!(words.count_hits("Mérde!"), 1);
        // The list folds too.
        assert_eq!(list(&["Mèrde"]).count_hits("merde"), 1);
        // Full-width forms fold with NFKD.
        assert_eq!(words.count_hits("ｍｅｒｄｅ"), 1);
        assert_eq!(words.count_hits("nothing here"), 0);
    }

    #[test]
    fn only_whole_words_match() {
        let words = list(&["ass"]);
        assert_eq!(words.count_hits("first class"), 0);
        assert_eq!(words.count_hits("assistance"), 0);
        assert_eq!(words.count_hits("you ass"), 1);
        assert_eq!(words.count_hits("(ass)"), 1);
        assert_eq!(words.count_hits("ass-hat"), 1);
    }

    #[test]
    fn every_occurrence_counts() {
        let words = list(&["merde", "putain"]);
        assert_eq!(words.count_hits("merde, merde"), 2);
        assert_eq!(words.count_hits("Putain de merde"), 2);
        assert_eq!(words.count_hits(""), 0);
    }

    #[test]
    fn phrases_match_whole_words_in_a_row_without_overlap() {
        let words = list(&["son of a", "son"]);
        assert_eq!(words.count_hits("you son of a ..."), 1);
        assert_eq!(words.count_hits("son, of...a"), 1);
        assert_eq!(words.count_hits("my son is here"), 1);
        assert_eq!(words.count_hits("son of"), 1);
        assert_eq!(words.count_hits("sons of a"), 0);
    }

    #[test]
    fn files_parse_with_comments_blank_lines_and_bom() {
        let words =
            ProfanityList::parse("\u{feff}# French\nmerde\n\n  putain  \r\nmerde\n").unwrap();
        assert_eq!(words.len(), 2);
        assert_eq!(words.count_hits("MERDE putain"), 2);
    }

    #[test]
    fn an_entry_without_a_word_is_refused_with_its_line() {
        let error = ProfanityList::parse("merde\n\n***\n").unwrap_err();
        assert_eq!(error, ProfanityListError::NoWord { line: 3 });
        assert!(error.to_string().contains("line 3"));
        assert_eq!(
            ProfanityList::from_words(["ok", " - "]).unwrap_err(),
            ProfanityListError::NoWord { line: 2 }
        );
    }

    #[test]
    fn lists_merge_and_debug_hides_the_words() {
        let mut words = list(&["merde"]);
        words.merge(list(&["scheiße", "merde"]));
        assert_eq!(words.len(), 2);
        assert_eq!(words.count_hits("SCHEISSE"), 0, "ß is not folded to ss");
        assert_eq!(words.count_hits("Scheiße und merde"), 2);
        assert_eq!(format!("{words:?}"), "ProfanityList { entries: 2 }");
        assert!(ProfanityList::default().is_empty());
        assert_eq!(ProfanityList::default().count_hits("merde"), 0);
    }

    #[test]
    fn dotted_capital_i_folds_to_i() {
        assert_eq!(list(&["idiot"]).count_hits("İDİOT"), 1);
    }
}
