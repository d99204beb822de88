//! Attachments in both directions, around the attachment policy ([`crate::media`]):
//!
//! - their files in the data folder (`media/<sha256>`, durable before the API answers) —
//!   [`MediaFiles`];
//! - an operator's attachment is uploaded to Meta when it is first sent, and sent by Meta's
//!   media id (never by link); Meta's id is kept so a second send does not upload again —
//!   [`send::use_meta_media_id`];
//! - a customer's media is downloaded promptly, its SHA-256 checked, within the quota, and
//!   retried while Meta keeps the media id — [`Downloader`].
//!
//! The records are the store's ([`crate::store::MediaRecord`]); the files count against the
//! quota through the data-folder scan ([`crate::store::usage`]), and a new file is added to the
//! measure at once so the quota sees it before the next scan.

mod digest;
mod downloader;
mod media_files;
pub mod send;

pub use digest::{digest_matches, hex_of};
pub use downloader::Downloader;
pub use media_files::{IncomingFile, MEDIA_FOLDER, MediaFiles, StoredFile};
