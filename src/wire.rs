//! The wire format shared by single answers and pages: the `{"code", "message", "data"}` envelope.

use serde::Deserialize;

/// The envelope every answer comes in; only `data` is read on success.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default = "Option::default")]
    pub(crate) data: Option<T>,
}
