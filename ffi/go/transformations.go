package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// Transformation is a dbt Core or Quickstart transformation (TransformationResponse in the
// API's spec). TransformationConfig is kept as the API sent it: its shape differs per type.
type Transformation struct {
	ID                   string                 `json:"id"`
	Type                 string                 `json:"type"`   // DBT_CORE, QUICKSTART
	Status               string                 `json:"status"` // NEW, RUNNING, SUCCEEDED, FAILED, ...
	Paused               bool                   `json:"paused"`
	Schedule             TransformationSchedule `json:"schedule"`
	CreatedAt            *time.Time             `json:"created_at"`
	CreatedByID          string                 `json:"created_by_id"`
	LastStartedAt        *time.Time             `json:"last_started_at"`
	LastEndedAt          *time.Time             `json:"last_ended_at"`
	OutputModelNames     []string               `json:"output_model_names"`
	TransformationConfig json.RawMessage        `json:"transformation_config,omitempty"`
	// Raw is the transformation as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (t *Transformation) setRaw(b json.RawMessage) { t.Raw = b }

// TransformationSchedule is when a transformation runs.
type TransformationSchedule struct {
	ScheduleType      string   `json:"schedule_type"` // INTEGRATED, TIME_OF_DAY, INTERVAL, CRON
	Cron              []string `json:"cron,omitempty"`
	Interval          int      `json:"interval,omitempty"` // minutes
	DaysOfWeek        []string `json:"days_of_week,omitempty"`
	TimeOfDay         string   `json:"time_of_day,omitempty"`
	ConnectionIDs     []string `json:"connection_ids,omitempty"`
	TransformationIDs []string `json:"transformation_ids,omitempty"`
	SmartSyncing      bool     `json:"smart_syncing,omitempty"`
}

// TransformationPackage describes a Quickstart transformation package
// (TransformationPackageMetadataResponse in the API's spec).
type TransformationPackage struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Version               string          `json:"version"`
	ConnectorTypes        []string        `json:"connector_types"`
	OutputModelNames      []string        `json:"output_model_names"`
	ConfigurableVariables json.RawMessage `json:"configurable_variables,omitempty"`
	// Raw is the package as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (p *TransformationPackage) setRaw(b json.RawMessage) { p.Raw = b }

// TransformationFamily: transformations_list, transformation_details, create_transformation,
// update_transformation, delete_transformation, run_transformation, cancel_transformation,
// upgrade_transformation_package, and the Quickstart package metadata.
type TransformationFamily struct{ Family[Transformation] }

// Transformations is the transformations of the account.
func (c *Client) Transformations() TransformationFamily {
	return TransformationFamily{Family[Transformation]{c, "transformations_list", "transformation_details", "create_transformation", "update_transformation", "delete_transformation", "transformationId"}}
}

// Run starts a run of the transformation (run_transformation); with fullRefresh, its models
// are rebuilt from scratch.
func (f TransformationFamily) Run(ctx context.Context, id string, fullRefresh bool) error {
	body := map[string]any{}
	if fullRefresh {
		body["full_refresh"] = true
	}
	return send(ctx, f.c, "run_transformation", map[string]any{"transformationId": id}, body, "")
}

// Cancel cancels the transformation's running run (cancel_transformation).
func (f TransformationFamily) Cancel(ctx context.Context, id string) error {
	return send(ctx, f.c, "cancel_transformation", map[string]any{"transformationId": id}, nil, "")
}

// UpgradePackage upgrades a Quickstart transformation to its package's latest version
// (upgrade_transformation_package).
func (f TransformationFamily) UpgradePackage(ctx context.Context, id string) error {
	return send(ctx, f.c, "upgrade_transformation_package", map[string]any{"transformationId": id}, nil, "")
}

// Packages walks the Quickstart transformation packages (transformation_package_metadata_list).
func (f TransformationFamily) Packages(ctx context.Context, params map[string]any) *Iter[TransformationPackage] {
	return List[TransformationPackage](ctx, f.c, "transformation_package_metadata_list", params)
}

// Package reads one Quickstart package's metadata (transformation_package_metadata_details).
func (f TransformationFamily) Package(ctx context.Context, id string) (*TransformationPackage, error) {
	return call[TransformationPackage](ctx, f.c, "transformation_package_metadata_details", map[string]any{"package_definition_id": id}, nil, "")
}

// TransformationProject is a dbt Core project that transformations run from
// (TransformationProjectDetailsResponse in the API's spec; list items lack Status, Errors,
// SetupTests and ProjectConfig). ProjectConfig is kept as the API sent it.
type TransformationProject struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"` // DBT_CORE
	GroupID       string          `json:"group_id"`
	Status        string          `json:"status"` // NOT_READY, READY, ERROR
	Errors        []string        `json:"errors"`
	CreatedAt     *time.Time      `json:"created_at"`
	CreatedByID   string          `json:"created_by_id"`
	SetupTests    []SetupTest     `json:"setup_tests,omitempty"`
	ProjectConfig json.RawMessage `json:"project_config,omitempty"`
	// Raw is the project as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (p *TransformationProject) setRaw(b json.RawMessage) { p.Raw = b }

// TransformationProjectFamily: list_all_transformation_projects,
// transformation_project_details, create_transformation_project,
// modify_transformation_project, delete_transformation_project and
// test_transformation_project.
type TransformationProjectFamily struct{ Family[TransformationProject] }

// TransformationProjects is the transformation projects of the account.
func (c *Client) TransformationProjects() TransformationProjectFamily {
	return TransformationProjectFamily{Family[TransformationProject]{c, "list_all_transformation_projects", "transformation_project_details", "create_transformation_project", "modify_transformation_project", "delete_transformation_project", "projectId"}}
}

// RunSetupTests tests the project's setup (test_transformation_project) and returns the
// project with SetupTests filled.
func (f TransformationProjectFamily) RunSetupTests(ctx context.Context, id string) (*TransformationProject, error) {
	return call[TransformationProject](ctx, f.c, "test_transformation_project", map[string]any{"projectId": id}, nil, "")
}
