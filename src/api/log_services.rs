//! Log services (external logging): where Fivetran sends a group's or the account's log events
//! (CloudWatch, Datadog, Splunk, ...). The `config` differs per service and is kept as JSON.

use crate::api::common::{lenient, request_bodies, Alert, SetupTest, SetupTestsResponse, EMPTY_BODY};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use serde::{Deserialize, Serialize};
use std::convert::identity;

crate::operations! {
    /// `GET /v1/external-logging`
    LIST_LOG_SERVICES = Operation::get("list_log_services", "/v1/external-logging").paged();
    /// `POST /v1/external-logging`
    ADD_LOG_SERVICE = Operation::post("add_log_service", "/v1/external-logging").created();
    /// `GET /v1/external-logging/account`
    GET_ACCOUNT_LOG_SERVICE_DETAILS =
        Operation::get("get_account_log_service_details", "/v1/external-logging/account");
    /// `POST /v1/external-logging/account`
    ADD_ACCOUNT_LOG_SERVICE = Operation::post("add_account_log_service", "/v1/external-logging/account").created();
    /// `DELETE /v1/external-logging/account`
    DELETE_ACCOUNT_LOG_SERVICE = Operation::delete("delete_account_log_service", "/v1/external-logging/account");
    /// `PATCH /v1/external-logging/account`
    UPDATE_ACCOUNT_LOG_SERVICE = Operation::patch("update_account_log_service", "/v1/external-logging/account");
    /// `POST /v1/external-logging/account/test`
    RUN_SETUP_TESTS_ACCOUNT_LOG_SERVICE =
        Operation::post("run_setup_tests_account_log_service", "/v1/external-logging/account/test").repeatable();
    /// `GET /v1/external-logging/{logId}`
    GET_LOG_SERVICE_DETAILS = Operation::get("get_log_service_details", "/v1/external-logging/{logId}");
    /// `DELETE /v1/external-logging/{logId}`
    DELETE_LOG_SERVICE = Operation::delete("delete_log_service", "/v1/external-logging/{logId}");
    /// `PATCH /v1/external-logging/{logId}`
    UPDATE_LOG_SERVICE = Operation::patch("update_log_service", "/v1/external-logging/{logId}");
    /// `POST /v1/external-logging/{logId}/test`
    RUN_SETUP_TESTS_LOG_SERVICE =
        Operation::post("run_setup_tests_log_service", "/v1/external-logging/{logId}/test").repeatable();
}

/// A log service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogService {
    /// The log service's id (a group's is the group's id).
    pub id: String,
    /// The service (`cloudwatch`, `datadog_log`, `splunkLog`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub service: String,
    /// Whether events are sent.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// Set-up state and open tasks.
    #[serde(default)]
    pub status: Option<LogServiceStatus>,
    /// Set-up test results, when tests ran.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
    /// The service-specific configuration (secrets masked in `Debug`).
    #[serde(default)]
    pub config: Option<RawJson>,
}

/// The set-up state of a log service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogServiceStatus {
    /// `connected`, `incomplete`, `broken`, ...
    #[serde(default)]
    pub setup_state: Option<String>,
    /// What needs doing.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tasks: Vec<Alert>,
}

request_bodies! {
    /// A log service to add, for a group (set `group_id`) or for the account (leave it unset).
    ///
    /// ```
    /// use serde_json::json;
    /// let log = fivetrex::NewLogService::new("cloudwatch", json!({"region": "us-east-1", "log_group_name": "fivetran"}))
    ///     .group("group_1")
    ///     .run_setup_tests(true);
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewLogService;

    /// Changes to a log service; unset fields are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateLogService;

    fields {
        /// The group, for a group log service.
        group_id: String [opt, no];
        /// The service.
        service: String [req, no];
        /// Whether events are sent (the API's default applies when unset on create).
        enabled: bool [opt, opt] => bool, identity;
        /// The service-specific configuration (masked in `Debug`).
        config: SecretJson [req, opt] => impl Into<SecretJson>, Into::into;
        /// Whether to run set-up tests right away (after the create or the change).
        run_setup_tests: bool [opt, opt] => bool, identity;
    }
}

impl NewLogService {
    /// A log service of `service` with its `config`.
    pub fn new(service: impl Into<String>, config: impl Into<SecretJson>) -> Self {
        Self::with_required(service.into(), config.into())
    }

    /// For this group (a group log service).
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }
}

impl Client {
    /// Walks every log service of the account.
    pub fn log_services(&self) -> List<LogService> {
        self.list(&LIST_LOG_SERVICES, &[])
    }

    /// One group log service.
    pub fn log_service(&self, log_id: &str) -> Result<LogService> {
        self.call(&GET_LOG_SERVICE_DETAILS, &[log_id], &[], None)
    }

    /// Adds a group log service (`group_id` set).
    pub fn add_log_service(&self, log: &NewLogService) -> Result<LogService> {
        self.call(&ADD_LOG_SERVICE, &[], &[], Some(&to_body(log)?))
    }

    /// Changes a group log service; unset fields are not sent.
    pub fn update_log_service(&self, log_id: &str, changes: &UpdateLogService) -> Result<LogService> {
        self.call(&UPDATE_LOG_SERVICE, &[log_id], &[], Some(&to_body(changes)?))
    }

    /// Deletes a group log service.
    pub fn delete_log_service(&self, log_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_LOG_SERVICE, &[log_id], None)
    }

    /// Runs a group log service's set-up tests.
    pub fn test_log_service(&self, log_id: &str) -> Result<Vec<SetupTest>> {
        self.call::<SetupTestsResponse>(&RUN_SETUP_TESTS_LOG_SERVICE, &[log_id], &[], Some(EMPTY_BODY))
            .map(|a| a.setup_tests)
    }

    /// The account's log service.
    pub fn account_log_service(&self) -> Result<LogService> {
        self.call(&GET_ACCOUNT_LOG_SERVICE_DETAILS, &[], &[], None)
    }

    /// Adds the account's log service (`group_id` unset).
    pub fn add_account_log_service(&self, log: &NewLogService) -> Result<LogService> {
        self.call(&ADD_ACCOUNT_LOG_SERVICE, &[], &[], Some(&to_body(log)?))
    }

    /// Changes the account's log service; unset fields are not sent.
    pub fn update_account_log_service(&self, changes: &UpdateLogService) -> Result<LogService> {
        self.call(&UPDATE_ACCOUNT_LOG_SERVICE, &[], &[], Some(&to_body(changes)?))
    }

    /// Deletes the account's log service.
    pub fn delete_account_log_service(&self) -> Result<ActionResponse> {
        self.action(&DELETE_ACCOUNT_LOG_SERVICE, &[], None)
    }

    /// Runs the account log service's set-up tests.
    pub fn test_account_log_service(&self) -> Result<Vec<SetupTest>> {
        self.call::<SetupTestsResponse>(&RUN_SETUP_TESTS_ACCOUNT_LOG_SERVICE, &[], &[], Some(EMPTY_BODY))
            .map(|a| a.setup_tests)
    }
}
