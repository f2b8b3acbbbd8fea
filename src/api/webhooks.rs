//! Webhooks: where Fivetran posts events, for the whole account or one group. Receiving and
//! verifying the deliveries is in [`crate::webhook`].

use crate::api::common::{api_enum, expose_opt, lenient, request_bodies};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::page::List;
use crate::secret::Secret;
use crate::time::Timestamp;
use crate::webhook::EventType;
use serde::{Deserialize, Serialize};
use std::convert::identity;

crate::operations! {
    /// `GET /v1/webhooks`
    LIST_ALL_WEBHOOKS = Operation::get("list_all_webhooks", "/v1/webhooks").paged();
    /// `POST /v1/webhooks/account`
    CREATE_ACCOUNT_WEBHOOK = Operation::post("create_account_webhook", "/v1/webhooks/account");
    /// `POST /v1/webhooks/group/{groupId}`
    CREATE_GROUP_WEBHOOK = Operation::post("create_group_webhook", "/v1/webhooks/group/{groupId}");
    /// `GET /v1/webhooks/{webhookId}`
    WEBHOOK_DETAILS = Operation::get("webhook_details", "/v1/webhooks/{webhookId}");
    /// `DELETE /v1/webhooks/{webhookId}`
    DELETE_WEBHOOK = Operation::delete("delete_webhook", "/v1/webhooks/{webhookId}");
    /// `PATCH /v1/webhooks/{webhookId}`
    MODIFY_WEBHOOK = Operation::patch("modify_webhook", "/v1/webhooks/{webhookId}");
    /// `POST /v1/webhooks/{webhookId}/test` (sends one test delivery; harmless to repeat)
    TEST_WEBHOOK = Operation::post("test_webhook", "/v1/webhooks/{webhookId}/test").repeatable();
}

api_enum! {
    /// Whether a webhook covers the account or one group.
    WebhookType {
        /// Events of every connection of the account.
        Account = "account",
        /// Events of one group's connections.
        Group = "group",
    }
}

/// A webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Webhook {
    /// The webhook's id.
    pub id: String,
    /// Account or group.
    #[serde(rename = "type", default)]
    pub kind: Option<WebhookType>,
    /// Where deliveries go.
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: String,
    /// The events it is subscribed to.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub events: Vec<EventType>,
    /// Whether deliveries are sent.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub active: bool,
    /// The signing secret, as the API shows it (masked: `******`), when one is set.
    #[serde(default, with = "crate::api::common::opt_secret")]
    pub secret: Option<Secret>,
    /// The group, for a group webhook.
    #[serde(default)]
    pub group_id: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// Who created it.
    #[serde(default)]
    pub created_by: Option<String>,
}

request_bodies! {
    /// A webhook to create.
    ///
    /// ```
    /// use fivetrex::webhook::EventType;
    /// let hook = fivetrex::NewWebhook::new("https://example.com/hook", [EventType::SyncEnd]).secret("s3cret");
    /// assert!(!format!("{hook:?}").contains("s3cret"));
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewWebhook;

    /// Changes to a webhook; unset fields are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateWebhook;

    fields {
        /// Where deliveries go (https).
        url: String [req, opt] => impl Into<String>, Into::into;
        /// The events to subscribe to.
        events: Vec<EventType> [req, opt] => impl IntoIterator<Item = EventType>, Vec::from_iter;
        /// Whether deliveries are sent. On create the API's default is true, and it then sends a
        /// test delivery that must succeed.
        active: bool [opt, opt] => bool, identity;
        /// The secret deliveries are signed with.
        #[serde(serialize_with = "expose_opt")]
        secret: Secret [opt, opt] => impl Into<Secret>, Into::into;
    }
}

impl NewWebhook {
    /// A webhook for `url` and `events`.
    pub fn new(url: impl Into<String>, events: impl IntoIterator<Item = EventType>) -> Self {
        Self::with_required(url.into(), events.into_iter().collect())
    }
}

/// How a test delivery went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookTest {
    /// Whether the endpoint accepted it.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub succeed: bool,
    /// The HTTP status the endpoint answered.
    #[serde(default)]
    pub status: Option<u16>,
    /// More detail.
    #[serde(default)]
    pub message: Option<String>,
}

impl Client {
    /// Walks every webhook of the account.
    pub fn webhooks(&self) -> List<Webhook> {
        self.list(&LIST_ALL_WEBHOOKS, &[])
    }

    /// One webhook.
    pub fn webhook(&self, webhook_id: &str) -> Result<Webhook> {
        self.call(&WEBHOOK_DETAILS, &[webhook_id], &[], None)
    }

    /// Creates a webhook for every connection of the account.
    pub fn create_account_webhook(&self, webhook: &NewWebhook) -> Result<Webhook> {
        self.call(&CREATE_ACCOUNT_WEBHOOK, &[], &[], Some(&to_body(webhook)?))
    }

    /// Creates a webhook for one group's connections.
    pub fn create_group_webhook(&self, group_id: &str, webhook: &NewWebhook) -> Result<Webhook> {
        self.call(&CREATE_GROUP_WEBHOOK, &[group_id], &[], Some(&to_body(webhook)?))
    }

    /// Changes a webhook; unset fields are not sent.
    pub fn update_webhook(&self, webhook_id: &str, changes: &UpdateWebhook) -> Result<Webhook> {
        self.call(&MODIFY_WEBHOOK, &[webhook_id], &[], Some(&to_body(changes)?))
    }

    /// Deletes a webhook.
    pub fn delete_webhook(&self, webhook_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_WEBHOOK, &[webhook_id], None)
    }

    /// Sends a test delivery of `event` to the webhook's URL.
    pub fn test_webhook(&self, webhook_id: &str, event: &EventType) -> Result<WebhookTest> {
        let body = to_body(&serde_json::json!({ "event": event }))?;
        self.call(&TEST_WEBHOOK, &[webhook_id], &[], Some(&body))
    }
}
