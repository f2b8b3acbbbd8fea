package fivetrex

import (
	"context"
	"encoding/json"
)

// Resource is any API object as its id and, in Raw, every field as the API sent it: the item
// type for List over an operation no family types (decode Raw into your own struct).
type Resource struct {
	ID  string          `json:"id"`
	Raw json.RawMessage `json:"-"`
}

func (r *Resource) setRaw(b json.RawMessage) { r.Raw = b }

// Family is one family of the API (users, teams, webhooks, ...): its operations by operationId
// (an empty one: the API has no such operation) and the path parameter naming one object. Every
// method goes through Operation or List, so nothing is written twice.
type Family[T any] struct {
	c                                 *Client
	list, get, create, update, delete string
	idParam                           string
}

// List walks the family's objects; params as in Operation (filters, "limit", "cursor").
func (f Family[T]) List(ctx context.Context, params map[string]any) *Iter[T] {
	if f.list == "" {
		return &Iter[T]{err: unsupported("list"), done: true}
	}
	return List[T](ctx, f.c, f.list, params)
}

// Get reads one object.
func (f Family[T]) Get(ctx context.Context, id string) (*T, error) {
	return f.by(ctx, f.get, "get", id, nil, "")
}

// Create creates an object from body (a struct or map encoded as JSON).
func (f Family[T]) Create(ctx context.Context, body any) (*T, error) {
	if f.create == "" {
		return nil, unsupported("create")
	}
	return Data[T](f.c.Operation(ctx, f.create, nil, body, ""))
}

// Update changes an object with the fields of body.
func (f Family[T]) Update(ctx context.Context, id string, body any) (*T, error) {
	return f.by(ctx, f.update, "update", id, body, "")
}

// Delete deletes an object; confirm must repeat its id (as DeleteConnection's does), or
// nothing is sent and the error is KindConfirmationRequired.
func (f Family[T]) Delete(ctx context.Context, id, confirm string) error {
	_, err := f.by(ctx, f.delete, "delete", id, nil, confirm)
	return err
}

func (f Family[T]) by(ctx context.Context, op, what, id string, body any, confirm string) (*T, error) {
	if op == "" {
		return nil, unsupported(what)
	}
	param := f.idParam
	if op == "delete_user" {
		param = "id" // the spec names this one path parameter differently: DELETE /v1/users/{id}
	}
	return Data[T](f.c.Operation(ctx, op, map[string]any{param: id}, body, confirm))
}

func unsupported(what string) error {
	return &APIError{Kind: KindInvalidArgument, Message: "the API has no " + what + " operation for this family"}
}

// Users: list_all_users, user_details, create_user, modify_user, delete_user.
func (c *Client) Users() Family[User] {
	return Family[User]{c, "list_all_users", "user_details", "create_user", "modify_user", "delete_user", "userId"}
}

// Teams: list_all_teams, team_details, create_team, modify_team, delete_team.
func (c *Client) Teams() Family[Team] {
	return Family[Team]{c, "list_all_teams", "team_details", "create_team", "modify_team", "delete_team", "teamId"}
}

// Roles: list_all_roles (the API has no other role operation).
func (c *Client) Roles() Family[Role] {
	return Family[Role]{c: c, list: "list_all_roles"}
}

// Webhooks: list_all_webhooks, webhook_details, modify_webhook, delete_webhook (create with
// Operation: create_account_webhook or create_group_webhook).
func (c *Client) Webhooks() Family[Webhook] {
	return Family[Webhook]{c, "list_all_webhooks", "webhook_details", "", "modify_webhook", "delete_webhook", "webhookId"}
}

// ExternalLogging: list_log_services, get_log_service_details, add_log_service,
// update_log_service, delete_log_service.
func (c *Client) ExternalLogging() Family[ExternalLogging] {
	return Family[ExternalLogging]{c, "list_log_services", "get_log_service_details", "add_log_service", "update_log_service", "delete_log_service", "logId"}
}

// PrivateLinks: get_private_links, get_private_link_details, create_private_link,
// modify_private_link, delete_private_link.
func (c *Client) PrivateLinks() Family[PrivateLink] {
	return Family[PrivateLink]{c, "get_private_links", "get_private_link_details", "create_private_link", "modify_private_link", "delete_private_link", "privateLinkId"}
}

// ProxyAgents: get_proxy_agent (the list), get_proxy_agent_details, create_proxy_agent,
// delete_proxy_agent.
func (c *Client) ProxyAgents() Family[ProxyAgent] {
	return Family[ProxyAgent]{c, "get_proxy_agent", "get_proxy_agent_details", "create_proxy_agent", "", "delete_proxy_agent", "agentId"}
}

// HybridAgents: get_hybrid_deployment_agent_list, get_hybrid_deployment_agent,
// create_hybrid_deployment_agent, delete_hybrid_deployment_agent.
func (c *Client) HybridAgents() Family[HybridAgent] {
	return Family[HybridAgent]{c, "get_hybrid_deployment_agent_list", "get_hybrid_deployment_agent", "create_hybrid_deployment_agent", "", "delete_hybrid_deployment_agent", "agentId"}
}

// Transformations: transformations_list, transformation_details, create_transformation,
// update_transformation, delete_transformation.
func (c *Client) Transformations() Family[Transformation] {
	return Family[Transformation]{c, "transformations_list", "transformation_details", "create_transformation", "update_transformation", "delete_transformation", "transformationId"}
}

// TransformationProjects: list_all_transformation_projects, transformation_project_details,
// create_transformation_project, modify_transformation_project, delete_transformation_project.
func (c *Client) TransformationProjects() Family[TransformationProject] {
	return Family[TransformationProject]{c, "list_all_transformation_projects", "transformation_project_details", "create_transformation_project", "modify_transformation_project", "delete_transformation_project", "projectId"}
}

// Destinations: list_destinations, destination_details, create_destination,
// modify_destination, delete_destination.
func (c *Client) Destinations() Family[Destination] {
	return Family[Destination]{c, "list_destinations", "destination_details", "create_destination", "modify_destination", "delete_destination", "destinationId"}
}

// ConnectorSDKPackages: list_connector_sdk_packages, get_connector_sdk_package,
// delete_connector_sdk_package; create and update send a file (UploadPackage).
func (c *Client) ConnectorSDKPackages() Family[ConnectorSDKPackage] {
	return Family[ConnectorSDKPackage]{c: c, list: "list_connector_sdk_packages", get: "get_connector_sdk_package", delete: "delete_connector_sdk_package", idParam: "package_id"}
}

// UploadPackage creates a connector SDK package from a file (create_connector_sdk_package);
// with a non-empty id it replaces that package's file (update_connector_sdk_package).
func (c *Client) UploadPackage(ctx context.Context, id, fileName string, data []byte) (*ConnectorSDKPackage, error) {
	if id == "" {
		return Data[ConnectorSDKPackage](c.Upload(ctx, "create_connector_sdk_package", nil, fileName, data, ""))
	}
	return Data[ConnectorSDKPackage](c.Upload(ctx, "update_connector_sdk_package", map[string]any{"package_id": id}, fileName, data, ""))
}

// ConnectorTypes walks the metadata of the connector types (metadata_connectors).
func (c *Client) ConnectorTypes(ctx context.Context, params map[string]any) *Iter[ConnectorType] {
	return List[ConnectorType](ctx, c, "metadata_connectors", params)
}

// ConnectCard makes a Connect Card for a connection (connect_card); body holds its
// connect_card_config.
func (c *Client) ConnectCard(ctx context.Context, connectionID string, body any) (json.RawMessage, error) {
	return c.Operation(ctx, "connect_card", map[string]any{"connectionId": connectionID}, body, "")
}

// Certificates of a connection: get_connection_certificates_list and its details, approve and
// revoke operations (params name connectionId and hash). Fingerprints likewise with
// get_connection_fingerprints_list.
func (c *Client) ConnectionCertificates(ctx context.Context, connectionID string) *Iter[json.RawMessage] {
	return c.OperationList(ctx, "get_connection_certificates_list", map[string]any{"connectionId": connectionID})
}

// ConnectionFingerprints walks a connection's approved fingerprints.
func (c *Client) ConnectionFingerprints(ctx context.Context, connectionID string) *Iter[json.RawMessage] {
	return c.OperationList(ctx, "get_connection_fingerprints_list", map[string]any{"connectionId": connectionID})
}
