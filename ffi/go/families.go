package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// Resource is any API object reduced to its id, with every field as the API sent it in Raw:
// List[Resource] or Data[Resource] over an operation this package has no struct for.
type Resource struct {
	ID  string          `json:"id"`
	Raw json.RawMessage `json:"-"`
}

func (r *Resource) setRaw(b json.RawMessage) { r.Raw = b }

// Family is one family of the API (users, teams, webhooks, ...) handing out T (User, Team,
// Webhook, ...): its operations by operationId (an empty one: the API has no such operation)
// and the path parameter naming one object. Every method goes through Operation or List, so
// nothing is written twice. The families with actions beyond these (UserFamily,
// DestinationFamily, ...) embed a Family.
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

// Get reads one object. An unknown id is an *APIError of Kind KindNotFound.
func (f Family[T]) Get(ctx context.Context, id string) (*T, error) {
	return f.by(ctx, f.get, "get", id, nil, "")
}

// Create creates an object from body (a struct or map encoded as JSON). A create is not sent
// again after an ambiguous failure.
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

// call sends one operation and decodes the data of its answer into R (see Data).
func call[R any](ctx context.Context, c *Client, op string, params map[string]any, body any, confirm string) (*R, error) {
	return Data[R](c.Operation(ctx, op, params, body, confirm))
}

// send sends one operation whose answer carries no data worth decoding.
func send(ctx context.Context, c *Client, op string, params map[string]any, body any, confirm string) error {
	_, err := c.Operation(ctx, op, params, body, confirm)
	return err
}

func unsupported(what string) error {
	return &APIError{Kind: KindInvalidArgument, Message: "the API has no " + what + " operation for this family"}
}

// SetupTest is one result of a run of setup tests (destinations, connections, log services,
// transformation projects).
type SetupTest struct {
	Title   string          `json:"title"`
	Status  string          `json:"status"` // PASSED, SKIPPED, WARNING, FAILED, JOB_FAILED
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// Membership is the role of a user or team in a group or a connection; ID names the group or
// connection.
type Membership struct {
	ID        string          `json:"id"`
	Role      string          `json:"role"`
	CreatedAt *time.Time      `json:"created_at"`
	Raw       json.RawMessage `json:"-"`
}

func (m *Membership) setRaw(b json.RawMessage) { m.Raw = b }

// TeamMembership is the role of a user in a team.
type TeamMembership struct {
	UserID    string          `json:"user_id"`
	Role      string          `json:"role"`
	CreatedAt *time.Time      `json:"created_at"`
	Raw       json.RawMessage `json:"-"`
}

func (m *TeamMembership) setRaw(b json.RawMessage) { m.Raw = b }

// Memberships are the memberships of one user or team of one kind: in groups, in connections,
// or (a team's) its users. M is Membership or TeamMembership. Get, Add, Update and Remove take
// the member's id: the group's, the connection's or the user's.
type Memberships[M any] struct {
	c                              *Client
	owner                          map[string]any // the user's or team's path parameter
	list, get, add, update, remove string
	memberParam, memberField       string // the member's path parameter and body field
}

// List walks the memberships; params as in Operation ("limit", "cursor").
func (m Memberships[M]) List(ctx context.Context, params map[string]any) *Iter[M] {
	p := m.params("", "")
	for k, v := range params {
		p[k] = v
	}
	return List[M](ctx, m.c, m.list, p)
}

// Get reads the membership of one member.
func (m Memberships[M]) Get(ctx context.Context, memberID string) (*M, error) {
	return call[M](ctx, m.c, m.get, m.params(m.memberParam, memberID), nil, "")
}

// Add gives a member a role ("" leaves it out, where the API allows that).
func (m Memberships[M]) Add(ctx context.Context, memberID, role string) (*M, error) {
	body := map[string]any{m.memberField: memberID}
	if role != "" {
		body["role"] = role
	}
	return call[M](ctx, m.c, m.add, m.params("", ""), body, "")
}

// Update changes a member's role. Some of these operations answer without data: the fields
// of the result are then empty.
func (m Memberships[M]) Update(ctx context.Context, memberID, role string) (*M, error) {
	return call[M](ctx, m.c, m.update, m.params(m.memberParam, memberID), map[string]any{"role": role}, "")
}

// Remove ends a membership; confirm must repeat memberID, or nothing is sent
// (KindConfirmationRequired).
func (m Memberships[M]) Remove(ctx context.Context, memberID, confirm string) error {
	return send(ctx, m.c, m.remove, m.params(m.memberParam, memberID), nil, confirm)
}

func (m Memberships[M]) params(k, v string) map[string]any {
	p := make(map[string]any, len(m.owner)+1)
	for ok, ov := range m.owner {
		p[ok] = ov
	}
	if k != "" {
		p[k] = v
	}
	return p
}
