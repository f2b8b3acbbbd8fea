//! Transformations: dbt Core projects and the transformations (dbt jobs and Quickstart data
//! models) that run in a destination. Type-specific settings (`project_config`,
//! `transformation_config`) are kept as JSON.

use crate::api::common::{api_enum, lenient, request_bodies, SetupTest, EMPTY_BODY};
use crate::client::{to_body, ActionResponse, Client};
use crate::endpoint::Operation;
use crate::error::Result;
use crate::json::{RawJson, SecretJson};
use crate::page::List;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::convert::identity;

crate::operations! {
    /// `GET /v1/transformation-projects`
    LIST_ALL_TRANSFORMATION_PROJECTS =
        Operation::get("list_all_transformation_projects", "/v1/transformation-projects").paged();
    /// `POST /v1/transformation-projects`
    CREATE_TRANSFORMATION_PROJECT =
        Operation::post("create_transformation_project", "/v1/transformation-projects").created();
    /// `GET /v1/transformation-projects/{projectId}`
    TRANSFORMATION_PROJECT_DETAILS =
        Operation::get("transformation_project_details", "/v1/transformation-projects/{projectId}");
    /// `DELETE /v1/transformation-projects/{projectId}`
    DELETE_TRANSFORMATION_PROJECT =
        Operation::delete("delete_transformation_project", "/v1/transformation-projects/{projectId}");
    /// `PATCH /v1/transformation-projects/{projectId}`
    MODIFY_TRANSFORMATION_PROJECT =
        Operation::patch("modify_transformation_project", "/v1/transformation-projects/{projectId}");
    /// `POST /v1/transformation-projects/{projectId}/test`
    TEST_TRANSFORMATION_PROJECT =
        Operation::post("test_transformation_project", "/v1/transformation-projects/{projectId}/test").repeatable();
    /// `GET /v1/transformations`
    TRANSFORMATIONS_LIST = Operation::get("transformations_list", "/v1/transformations").paged();
    /// `POST /v1/transformations`
    CREATE_TRANSFORMATION = Operation::post("create_transformation", "/v1/transformations").created();
    /// `GET /v1/transformations/package-metadata`
    TRANSFORMATION_PACKAGE_METADATA_LIST =
        Operation::get("transformation_package_metadata_list", "/v1/transformations/package-metadata").paged();
    /// `GET /v1/transformations/package-metadata/{package_definition_id}`
    TRANSFORMATION_PACKAGE_METADATA_DETAILS = Operation::get(
        "transformation_package_metadata_details",
        "/v1/transformations/package-metadata/{package_definition_id}"
    );
    /// `GET /v1/transformations/{transformationId}`
    TRANSFORMATION_DETAILS = Operation::get("transformation_details", "/v1/transformations/{transformationId}");
    /// `DELETE /v1/transformations/{transformationId}`
    DELETE_TRANSFORMATION = Operation::delete("delete_transformation", "/v1/transformations/{transformationId}");
    /// `PATCH /v1/transformations/{transformationId}`
    UPDATE_TRANSFORMATION = Operation::patch("update_transformation", "/v1/transformations/{transformationId}");
    /// `POST /v1/transformations/{transformationId}/cancel`
    CANCEL_TRANSFORMATION =
        Operation::post("cancel_transformation", "/v1/transformations/{transformationId}/cancel").repeatable();
    /// `POST /v1/transformations/{transformationId}/run` (starts a run: never repeated blindly)
    RUN_TRANSFORMATION = Operation::post("run_transformation", "/v1/transformations/{transformationId}/run");
    /// `POST /v1/transformations/{transformationId}/upgrade`
    UPGRADE_TRANSFORMATION_PACKAGE =
        Operation::post("upgrade_transformation_package", "/v1/transformations/{transformationId}/upgrade")
            .repeatable();
}

api_enum! {
    /// Whether a transformation project is ready to use.
    ProjectStatus {
        /// Set-up or tests are still running.
        NotReady = "NOT_READY",
        /// Ready.
        Ready = "READY",
        /// Set-up failed (`errors` says why).
        Error = "ERROR",
    }
}

api_enum! {
    /// The state of a transformation's current or last run.
    TransformationStatus {
        /// Never run.
        New = "NEW",
        /// Waiting to start.
        Scheduling = "SCHEDULING",
        /// Running.
        Running = "RUNNING",
        /// Being stopped.
        Terminating = "TERMINATING",
        /// The last run succeeded.
        Succeeded = "SUCCEEDED",
        /// The last run failed.
        Failed = "FAILED",
        /// Waiting on something it depends on.
        Blocked = "BLOCKED",
        /// The last run was cancelled.
        Canceled = "CANCELED",
        /// Some models of the last run failed.
        PartiallySucceeded = "PARTIALLY_SUCCEEDED",
    }
}

/// A transformation project (a dbt Core project in a git repository).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransformationProject {
    /// The project's id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// `DBT_CORE`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Whether it is ready (in a project's details).
    #[serde(default)]
    pub status: Option<ProjectStatus>,
    /// Why set-up failed.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub errors: Vec<String>,
    /// The group (destination) it runs in.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Who created it.
    #[serde(default)]
    pub created_by_id: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// Set-up test results.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub setup_tests: Vec<SetupTest>,
    /// Type-specific settings (dbt version, git remote and branch, public key, ...).
    #[serde(default)]
    pub project_config: Option<RawJson>,
}

request_bodies! {
    /// A transformation project to create.
    ///
    /// ```
    /// use serde_json::json;
    /// let project = fivetrex::NewTransformationProject::dbt_core("group_1", json!({
    ///     "dbt_version": "1.7.0", "default_schema": "analytics",
    ///     "git_remote_url": "git@github.com:acme/dbt.git"
    /// })).run_tests(true);
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewTransformationProject;

    /// Changes to a transformation project; unset fields are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateTransformationProject;

    fields {
        /// The group (destination) it runs in.
        group_id: String [req, no];
        /// `DBT_CORE`.
        #[serde(rename = "type")]
        kind: String [req, no];
        /// Whether to run set-up tests right away (after the create or the change).
        run_tests: bool [opt, opt] => bool, identity;
        /// Type-specific settings (masked in `Debug`).
        project_config: SecretJson [opt, opt] => impl Into<SecretJson>, Into::into;
    }
}

impl NewTransformationProject {
    /// A dbt Core project in `group_id` with its `project_config`.
    pub fn dbt_core(group_id: impl Into<String>, project_config: impl Into<SecretJson>) -> Self {
        Self::with_required(group_id.into(), "DBT_CORE".into()).project_config(project_config)
    }
}

/// When a transformation runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransformationSchedule {
    /// `INTEGRATED` (after its connections sync), `TIME_OF_DAY`, `INTERVAL` or `CRON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_type: Option<String>,
    /// Cron expressions, for `CRON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<Vec<String>>,
    /// Minutes between runs, for `INTERVAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
    /// `HH:MM`, for `TIME_OF_DAY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_of_day: Option<String>,
    /// Days it runs (`MONDAY`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_week: Option<Vec<String>>,
    /// Connections whose syncs trigger it, for `INTEGRATED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_ids: Option<Vec<String>>,
    /// Transformations whose runs trigger it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformation_ids: Option<Vec<String>>,
    /// Whether to skip runs when no source data changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smart_syncing: Option<bool>,
}

impl TransformationSchedule {
    /// A schedule of `schedule_type` with nothing else set.
    pub fn new(schedule_type: impl Into<String>) -> Self {
        TransformationSchedule { schedule_type: Some(schedule_type.into()), ..Default::default() }
    }
}

/// A transformation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transformation {
    /// The transformation's id.
    pub id: String,
    /// The state of its current or last run.
    #[serde(default)]
    pub status: Option<TransformationStatus>,
    /// `DBT_CORE` or `QUICKSTART`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Whether runs are paused.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub paused: bool,
    /// When it runs.
    #[serde(default)]
    pub schedule: Option<TransformationSchedule>,
    /// Who created it.
    #[serde(default)]
    pub created_by_id: Option<String>,
    /// When it was created.
    #[serde(default, with = "crate::time::opt_serde")]
    pub created_at: Option<Timestamp>,
    /// When the last run started.
    #[serde(default, with = "crate::time::opt_serde")]
    pub last_started_at: Option<Timestamp>,
    /// When the last run ended.
    #[serde(default, with = "crate::time::opt_serde")]
    pub last_ended_at: Option<Timestamp>,
    /// The models it builds.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub output_model_names: Vec<String>,
    /// Type-specific settings (dbt steps, or the Quickstart package and its connections).
    #[serde(default)]
    pub transformation_config: Option<RawJson>,
}

request_bodies! {
    /// A transformation to create.
    ///
    /// ```
    /// use fivetrex::TransformationSchedule;
    /// use serde_json::json;
    /// let t = fivetrex::NewTransformation::new("QUICKSTART", json!({"package_name": "fivetran_log", "connection_ids": ["c1"]}))
    ///     .schedule(TransformationSchedule::new("INTEGRATED"))
    ///     .paused(false);
    /// ```
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct NewTransformation;

    /// Changes to a transformation; unset fields are not sent.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct UpdateTransformation;

    fields {
        /// `DBT_CORE` or `QUICKSTART`.
        #[serde(rename = "type")]
        kind: String [req, no];
        /// Whether runs are paused (on create: start paused).
        paused: bool [opt, opt] => bool, identity;
        /// When it runs.
        schedule: TransformationSchedule [opt, opt] => TransformationSchedule, identity;
        /// Type-specific settings (masked in `Debug`).
        transformation_config: SecretJson [opt, opt] => impl Into<SecretJson>, Into::into;
    }
}

impl NewTransformation {
    /// A transformation of `kind` with its `transformation_config`.
    pub fn new(kind: impl Into<String>, transformation_config: impl Into<SecretJson>) -> Self {
        Self::with_required(kind.into()).transformation_config(transformation_config)
    }
}

/// A Quickstart data-model package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransformationPackage {
    /// The package definition's id.
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: Option<String>,
    /// The source types it models.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub connector_types: Vec<String>,
    /// The models it builds.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub output_model_names: Vec<String>,
    /// The variables it takes, unparsed.
    #[serde(default)]
    pub configurable_variables: Option<RawJson>,
}

#[derive(Serialize)]
struct RunBody {
    full_refresh: bool,
}

impl Client {
    /// Walks every transformation project.
    pub fn transformation_projects(&self) -> List<TransformationProject> {
        self.list(&LIST_ALL_TRANSFORMATION_PROJECTS, &[])
    }

    /// One transformation project, with its status and settings.
    pub fn transformation_project(&self, project_id: &str) -> Result<TransformationProject> {
        self.call(&TRANSFORMATION_PROJECT_DETAILS, &[project_id], &[], None)
    }

    /// Creates a transformation project.
    pub fn create_transformation_project(&self, project: &NewTransformationProject) -> Result<TransformationProject> {
        self.call(&CREATE_TRANSFORMATION_PROJECT, &[], &[], Some(&to_body(project)?))
    }

    /// Changes a transformation project; unset fields are not sent.
    pub fn update_transformation_project(
        &self,
        project_id: &str,
        changes: &UpdateTransformationProject,
    ) -> Result<TransformationProject> {
        self.call(&MODIFY_TRANSFORMATION_PROJECT, &[project_id], &[], Some(&to_body(changes)?))
    }

    /// Runs a transformation project's set-up tests.
    pub fn test_transformation_project(&self, project_id: &str) -> Result<TransformationProject> {
        self.call(&TEST_TRANSFORMATION_PROJECT, &[project_id], &[], Some(EMPTY_BODY))
    }

    /// Deletes a transformation project.
    pub fn delete_transformation_project(&self, project_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TRANSFORMATION_PROJECT, &[project_id], None)
    }

    /// Walks every transformation. Filters: `.query("group_id", ..)`, `.query("project_id", ..)`,
    /// `.query("type", "QUICKSTART")`.
    pub fn transformations(&self) -> List<Transformation> {
        self.list(&TRANSFORMATIONS_LIST, &[])
    }

    /// One transformation.
    pub fn transformation(&self, transformation_id: &str) -> Result<Transformation> {
        self.call(&TRANSFORMATION_DETAILS, &[transformation_id], &[], None)
    }

    /// Creates a transformation.
    pub fn create_transformation(&self, transformation: &NewTransformation) -> Result<Transformation> {
        self.call(&CREATE_TRANSFORMATION, &[], &[], Some(&to_body(transformation)?))
    }

    /// Changes a transformation; unset fields are not sent.
    pub fn update_transformation(
        &self,
        transformation_id: &str,
        changes: &UpdateTransformation,
    ) -> Result<Transformation> {
        self.call(&UPDATE_TRANSFORMATION, &[transformation_id], &[], Some(&to_body(changes)?))
    }

    /// Deletes a transformation.
    pub fn delete_transformation(&self, transformation_id: &str) -> Result<ActionResponse> {
        self.action(&DELETE_TRANSFORMATION, &[transformation_id], None)
    }

    /// Starts a run; `full_refresh` rebuilds incremental models from scratch.
    pub fn run_transformation(&self, transformation_id: &str, full_refresh: bool) -> Result<ActionResponse> {
        let body = to_body(&RunBody { full_refresh })?;
        self.action(&RUN_TRANSFORMATION, &[transformation_id], Some(&body))
    }

    /// Cancels the running run.
    pub fn cancel_transformation(&self, transformation_id: &str) -> Result<ActionResponse> {
        self.action(&CANCEL_TRANSFORMATION, &[transformation_id], Some(EMPTY_BODY))
    }

    /// Upgrades a Quickstart transformation to its package's latest version.
    pub fn upgrade_transformation_package(&self, transformation_id: &str) -> Result<ActionResponse> {
        self.action(&UPGRADE_TRANSFORMATION_PACKAGE, &[transformation_id], Some(EMPTY_BODY))
    }

    /// Walks the Quickstart packages. Filters: `.query("service", ..)`, `.query("name", ..)`.
    pub fn transformation_packages(&self) -> List<TransformationPackage> {
        self.list(&TRANSFORMATION_PACKAGE_METADATA_LIST, &[])
    }

    /// One Quickstart package.
    pub fn transformation_package(&self, package_definition_id: &str) -> Result<TransformationPackage> {
        self.call(&TRANSFORMATION_PACKAGE_METADATA_DETAILS, &[package_definition_id], &[], None)
    }
}
