package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"time"
)

// Group is a Fivetran group: a set of connections that load into one destination.
type Group struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// Raw is the item as the API sent it, every field included (those this package does not
	// know yet too), on list items and on what Group/Connection fetch.
	Raw json.RawMessage `json:"-"`
}

func (g *Group) setRaw(b json.RawMessage) { g.Raw = b }

// groupSchema builds a Group from the library's columns (see rows.go).
var groupSchema = schema[Group]{
	names: []string{"id", "name", "created_at"},
	build: func(r *row, out *Group) {
		created, _ := r.instant(2)
		*out = Group{ID: r.text(0), Name: r.text(1), CreatedAt: created, Raw: r.raw()}
	},
}

// Groups walks every group of the account. opts may be nil.
func (c *Client) Groups(ctx context.Context, opts *ListOptions) *Iter[Group] {
	if err := checkText(cursorOf(opts)); err != nil {
		return &Iter[Group]{err: err, done: true}
	}
	copts, free := listOptions(opts)
	defer free()
	return newIter[Group](ctx, c, func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_group_list(h, &copts, out, err)
	}).startAt(opts).from(&groupSchema)
}

// Group fetches one group. An unknown id is an *APIError of Kind KindNotFound.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	if err := checkText(id); err != nil {
		return nil, err
	}
	cid := cstring(id)
	defer cfree(cid)
	return decodeText[Group](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_group_get(h, cid, out, err)
	}))
}

// CreateGroup creates a group. It is not repeated after an ambiguous failure (a duplicate group
// is worse than an error).
func (c *Client) CreateGroup(ctx context.Context, name string) (*Group, error) {
	if err := checkText(name); err != nil {
		return nil, err
	}
	cname := cstring(name)
	defer cfree(cname)
	return decodeText[Group](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_group_create(h, cname, out, err)
	}))
}

// UpdateGroup renames a group.
func (c *Client) UpdateGroup(ctx context.Context, id, name string) (*Group, error) {
	if err := checkText(id, name); err != nil {
		return nil, err
	}
	cid, cname := cstring(id), cstring(name)
	defer func() { cfree(cid); cfree(cname) }()
	return decodeText[Group](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_group_update(h, cid, cname, out, err)
	}))
}

// DeleteGroup deletes a group with everything in it. confirmID must repeat id, or nothing is
// sent and the error is of Kind KindConfirmationRequired.
func (c *Client) DeleteGroup(ctx context.Context, id, confirmID string) error {
	if err := checkText(id, confirmID); err != nil {
		return err
	}
	cid, cconfirm := cstring(id), cstring(confirmID)
	defer func() { cfree(cid); cfree(cconfirm) }()
	_, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_group_delete(h, cid, cconfirm, out, err)
	})
	return err
}

// GroupUsers walks the users of a group (list_all_users_in_group); params as in Operation
// ("limit", "cursor").
func (c *Client) GroupUsers(ctx context.Context, groupID string, params map[string]any) *Iter[User] {
	return List[User](ctx, c, "list_all_users_in_group", with(map[string]any{"groupId": groupID}, params))
}

// AddUserToGroup gives the user with this email a role in a group (add_user_to_group), such as
// "Destination Analyst".
func (c *Client) AddUserToGroup(ctx context.Context, groupID, email, role string) error {
	return send(ctx, c, "add_user_to_group", map[string]any{"groupId": groupID}, map[string]any{"email": email, "role": role}, "")
}

// RemoveUserFromGroup takes a user out of a group (delete_user_from_group). confirm must repeat
// userID, or nothing is sent (KindConfirmationRequired).
func (c *Client) RemoveUserFromGroup(ctx context.Context, groupID, userID, confirm string) error {
	return send(ctx, c, "delete_user_from_group", map[string]any{"groupId": groupID, "userId": userID}, nil, confirm)
}

// GroupPublicKey is the SSH public key Fivetran uses for the group's SSH tunnels
// (group_ssh_public_key).
func (c *Client) GroupPublicKey(ctx context.Context, groupID string) (string, error) {
	key, err := call[struct {
		PublicKey string `json:"public_key"`
	}](ctx, c, "group_ssh_public_key", map[string]any{"groupId": groupID}, nil, "")
	if err != nil {
		return "", err
	}
	return key.PublicKey, nil
}

// GroupServiceAccount is the group's service account, to grant access to (Google Cloud
// destinations and sources; group_service_account).
func (c *Client) GroupServiceAccount(ctx context.Context, groupID string) (string, error) {
	account, err := call[struct {
		ServiceAccount string `json:"service_account"`
	}](ctx, c, "group_service_account", map[string]any{"groupId": groupID}, nil, "")
	if err != nil {
		return "", err
	}
	return account.ServiceAccount, nil
}
