//! The client to Meta's Graph API: the one place the gateway speaks to Meta. It builds the
//! requests (`request`), sends them over one pooled TLS client (`client`), and reads Meta's
//! answers into what happened (`answer`, `number_read`): accepted with a wamid, or Meta's error by its code,
//! or a failure on the way. What to do about a failure is the sender's decision.

mod answer;
mod client;
pub mod download_hosts;
mod media;
mod number_read;
mod request;

pub use answer::{GraphFailure, SendAccepted};
pub use client::{GraphClient, GraphClientError};
pub use media::{MEDIA_DEADLINE, MediaDownload, MediaInfo, MediaUpload};
pub use number_read::NUMBER_FIELDS;
pub use request::{CALLBACK_PREFIX, local_id_from_callback, send_body};
