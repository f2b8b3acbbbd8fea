//! The account the API key belongs to.

use crate::api::common::lenient;
use crate::client::Client;
use crate::endpoint::Operation;
use crate::error::Result;
use serde::{Deserialize, Serialize};

crate::operations! {
    /// `GET /v1/account/info`
    GET_ACCOUNT_INFO = Operation::get("get_account_info", "/v1/account/info");
}

/// Who is calling: the account, and the user or system key the API key belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountInfo {
    /// The account's id.
    #[serde(deserialize_with = "lenient::string")]
    pub account_id: String,
    /// The account's name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// The user the key belongs to (absent for a system key).
    #[serde(default)]
    pub user_id: Option<String>,
    /// The system key used (absent for a user's key).
    #[serde(default)]
    pub system_key_id: Option<String>,
}

impl Client {
    /// The account this client's key belongs to, and whose key it is.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// let me = client.account_info()?;
    /// println!("account {} as {:?}", me.account_id, me.user_id.or(me.system_key_id));
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn account_info(&self) -> Result<AccountInfo> {
        self.call(&GET_ACCOUNT_INFO, &[], &[], None)
    }
}
