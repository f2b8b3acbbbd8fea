//! Destinations: the warehouse or lake a group's connections write into (one per group; the
//! destination's id is its group's id).

use crate::api::common::{lenient, request_bodies};
use crate::api::common::{NetworkingMethod, SetupState, SetupTest, SetupTests};
use crate::client::{to_body, ActionResponse, Client};
use crate::confirm::{Confirm, Destructive};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::convert::identity;

crate::operations! {
    /// `GET /v1/destinations`
    LIST_DESTINATIONS = Operation::get("list_destinations", "/v1/destinations").v2().paged();
    /// `POST /v1/destinations`
    CREATE_DESTINATION = Operation::post("create_destination", "/v1/destinations").v2().created();
    /// `GET /v1/destinations/{destinationId}`
    DESTINATION_DETAILS = Operation::get("destination_details", "/v1/destinations/{destinationId}").v2();
    /// `PATCH /v1/destinations/{destinationId}`
    MODIFY_DESTINATION = Operation::patch("modify_destination", "/v1/destinations/{destinationId}").v2();
    /// `DELETE /v1/destinations/{destinationId}`
    DELETE_DESTINATION = Operation::delete("delete_destination", "/v1/destinations/{destinationId}").v2();
    /// `POST /v1/destinations/{destinationId}/test`
    RUN_DESTINATION_SETUP_TESTS = Operation::post("run_destination_setup_tests", "/v1/destinations/{destinationId}/test").v2().repeatable();
}

/// A destination.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Destination {
    /// The destination's id (the same as its group's).
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Its group.
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_id: String,
    /// The warehouse service (`snowflake`, `big_query`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub service: String,
    /// Where Fivetran processes the data (`GCP_US_EAST4`, `AWS_EU_WEST_1`, ...).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub region: Option<String>,
    /// The destination's time zone as an hour offset (`"-5"`, `"0"`, `"+1"`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub time_zone_offset: Option<String>,
    /// Incomplete, connected or broken (the API writes it in either case).
    #[serde(default)]
    pub setup_status: Option<SetupState>,
    /// Whether daylight saving time shifts the offset.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub daylight_saving_time_enabled: Option<bool>,
    /// How Fivetran reaches the destination.
    #[serde(default)]
    pub networking_method: Option<NetworkingMethod>,
    /// The private link, when networking goes through one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub private_link_id: Option<String>,
    /// The proxy agent, when networking goes through one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub proxy_agent_id: Option<String>,
    /// The local processing agent, if any.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub local_processing_agent_id: Option<String>,
    /// The hybrid deployment agent, if any.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub hybrid_deployment_agent_id: Option<String>,
    /// The external secrets manager holding the credentials, if any.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub external_secrets_manager_id: Option<String>,
    /// Results of the last setup tests (on create, update and test answers).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
    /// Service-specific configuration, unparsed (secrets masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
}

impl Destination {
    /// The setup is complete and working.
    pub fn is_connected(&self) -> bool {
        self.setup_status == Some(SetupState::Connected)
    }

    /// The setup is broken.
    pub fn is_broken(&self) -> bool {
        self.setup_status == Some(SetupState::Broken)
    }
}

request_bodies! {
    /// A new destination. `group_id`, `service` and `time_zone_offset` are required; everything
    /// left unset is not sent.
    ///
    /// ```
    /// use fivetrex::NewDestination;
    /// let new = NewDestination::new("group_1", "snowflake", "+1")
    ///     .region("AWS_EU_WEST_1")
    ///     .config(serde_json::json!({"host": "acme.snowflakecomputing.com", "password": "hunter2"}));
    /// assert!(!format!("{new:?}").contains("hunter2"));
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewDestination;

    /// Changes to a destination; fields left unset are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateDestination;

    fields {
        /// The group to create it in.
        group_id: String [req, no];
        /// The warehouse service.
        service: String [req, no];
        /// Time zone as an hour offset (`"-5"`, `"0"`, `"+1"`).
        time_zone_offset: String [req, opt] => impl Into<String>, Into::into;
        /// Processing region.
        region: String [opt, opt] => impl Into<String>, Into::into;
        /// Service-specific configuration (masked in `Debug`).
        config: SecretJson [opt, opt] => impl Into<SecretJson>, Into::into;
        /// Trust the destination's TLS certificates.
        trust_certificates: bool [opt, opt] => bool, identity;
        /// Trust the destination's SSH fingerprints.
        trust_fingerprints: bool [opt, opt] => bool, identity;
        /// Run the setup tests right away (after the create or the change).
        run_setup_tests: bool [opt, opt] => bool, identity;
        /// Shift the offset with daylight saving time.
        daylight_saving_time_enabled: bool [opt, opt] => bool, identity;
        /// How Fivetran reaches the destination.
        networking_method: NetworkingMethod [opt, opt] => NetworkingMethod, identity;
        /// Private link to go through.
        private_link_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Proxy agent to go through.
        proxy_agent_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Hybrid deployment agent.
        hybrid_deployment_agent_id: String [opt, opt] => impl Into<String>, Into::into;
        /// External secrets manager holding the credentials.
        external_secrets_manager_id: String [opt, opt] => impl Into<String>, Into::into;
        /// Which keys of the external secrets manager hold which config fields.
        external_secrets_keys_config: Value [no, opt] => Value, identity;
    }
}

impl NewDestination {
    /// A destination of `service` for group `group_id` in the time zone `time_zone_offset`.
    pub fn new(group_id: impl Into<String>, service: impl Into<String>, time_zone_offset: impl Into<String>) -> Self {
        Self::with_required(group_id.into(), service.into(), time_zone_offset.into())
    }
}

impl Client {
    /// Walks every destination of the account.
    pub fn destinations(&self) -> List<Destination> {
        self.list(&LIST_DESTINATIONS, &[])
    }

    /// One destination.
    pub fn destination(&self, destination_id: &str) -> Result<Destination> {
        self.call(&DESTINATION_DETAILS, &[destination_id], &[], None)
    }

    /// Creates a destination. Not retried after an ambiguous failure unless the policy allows it.
    pub fn create_destination(&self, new: &NewDestination) -> Result<Destination> {
        let body = to_body(new)?;
        crate::api::common::required::check_body_bytes(&CREATE_DESTINATION, &body)?;
        self.call(&CREATE_DESTINATION, &[], &[], Some(&body))
    }

    /// Changes a destination; unset fields are not sent.
    pub fn update_destination(&self, destination_id: &str, changes: &UpdateDestination) -> Result<Destination> {
        let body = to_body(changes)?;
        self.call(&MODIFY_DESTINATION, &[destination_id], &[], Some(&body))
    }

    /// Deletes a destination: its group's connections are left with nowhere to write. Needs
    /// `Confirm::delete_destination(destination_id)`; without it nothing is sent.
    ///
    /// ```no_run
    /// # let client = fivetrex::Client::new("k", "s")?;
    /// client.delete_destination("dest_1", &fivetrex::Confirm::delete_destination("dest_1"))?;
    /// # Ok::<(), fivetrex::Error>(())
    /// ```
    pub fn delete_destination(&self, destination_id: &str, confirm: &Confirm) -> Result<ActionResponse> {
        confirm.check(Destructive::DeleteDestination, destination_id)?;
        self.action(&DELETE_DESTINATION, &[destination_id], None)
    }

    /// Runs the destination's setup tests and returns it with their results in `setup_tests`.
    pub fn run_destination_setup_tests(&self, destination_id: &str, options: &SetupTests) -> Result<Destination> {
        let body = to_body(options)?;
        self.call(&RUN_DESTINATION_SETUP_TESTS, &[destination_id], &[], Some(&body))
    }
}
