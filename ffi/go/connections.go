package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Connection is a pipeline from a source into a group's destination (older clients called it
// a connector). Config is kept as the API sent it: its shape differs per service, and secrets
// in it arrive masked.
type Connection struct {
	ID            string           `json:"id"`
	GroupID       string           `json:"group_id"`
	Service       string           `json:"service"`
	Schema        string           `json:"schema"`
	Paused        bool             `json:"paused"`
	SyncFrequency LooseInt         `json:"sync_frequency"`
	ScheduleType  string           `json:"schedule_type"`
	CreatedAt     *time.Time       `json:"created_at"`
	SucceededAt   *time.Time       `json:"succeeded_at"`
	FailedAt      *time.Time       `json:"failed_at"`
	Status        ConnectionStatus `json:"status"`
	Config        json.RawMessage  `json:"config,omitempty"`
	// SetupTests are the results of the last setup tests, on what RunConnectionSetupTests,
	// create and update answer (not on list items).
	SetupTests []SetupTest `json:"setup_tests,omitempty"`
	// Raw is the item as the API sent it, every field included (those this package does not
	// know yet too), on list items and on what Group/Connection fetch.
	Raw json.RawMessage `json:"-"`
}

func (c *Connection) setRaw(b json.RawMessage) { c.Raw = b }

// ConnectionStatus is what automation reads: the states are kept as sent (lower case in the
// API's examples; new values appear without notice).
type ConnectionStatus struct {
	SetupState       string     `json:"setup_state"`  // incomplete, connected, broken
	SyncState        string     `json:"sync_state"`   // scheduled, syncing, paused, rescheduled
	UpdateState      string     `json:"update_state"` // on_schedule, delayed
	IsHistoricalSync bool       `json:"is_historical_sync"`
	RescheduledFor   *time.Time `json:"rescheduled_for"`
	Tasks            []Alert    `json:"tasks"`
	Warnings         []Alert    `json:"warnings"`
}

// Alert is a task or warning on a connection.
type Alert struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// LastSyncAt is the later of SucceededAt and FailedAt, nil when neither is set.
func (c *Connection) LastSyncAt() *time.Time {
	switch {
	case c.SucceededAt == nil:
		return c.FailedAt
	case c.FailedAt == nil || c.SucceededAt.After(*c.FailedAt):
		return c.SucceededAt
	default:
		return c.FailedAt
	}
}

// LooseInt is an integer the API may also send as a numeric string (servers have changed a
// field's type overnight); null and "" read as 0.
type LooseInt int64

// UnmarshalJSON accepts 60, "60" and null.
func (n *LooseInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*n = 0
		return nil
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = unquoted
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*n = LooseInt(v)
	return nil
}

// connectionSchema builds a Connection from the library's columns (see rows.go): the same
// fields encoding/json fills from the item's JSON, states in their canonical lower case.
var connectionSchema = schema[Connection]{
	names: []string{
		"id", "group_id", "service", "schema", "paused", "sync_frequency", "schedule_type",
		"created_at", "succeeded_at", "failed_at",
		"status.setup_state", "status.sync_state", "status.update_state", "status.is_historical_sync",
		"status.rescheduled_for", "status.tasks", "status.warnings", "config",
	},
	build: func(r *row, out *Connection) {
		*out = Connection{
			ID:            r.text(0),
			GroupID:       r.text(1),
			Service:       r.text(2),
			Schema:        r.text(3),
			Paused:        r.flag(4),
			SyncFrequency: LooseInt(r.integer(5)),
			ScheduleType:  r.text(6),
			CreatedAt:     r.time(7),
			SucceededAt:   r.time(8),
			FailedAt:      r.time(9),
			Status: ConnectionStatus{
				SetupState:       r.text(10),
				SyncState:        r.text(11),
				UpdateState:      r.text(12),
				IsHistoricalSync: r.flag(13),
				RescheduledFor:   r.time(14),
				Tasks:            r.alerts(15),
				Warnings:         r.alerts(16),
			},
			Config: r.json(17),
			Raw:    r.raw(),
		}
	},
}

// NewConnection is what CreateConnection sends; unset fields are left out.
type NewConnection struct {
	GroupID       string         `json:"group_id"`
	Service       string         `json:"service"`
	Paused        *bool          `json:"paused,omitempty"`
	SyncFrequency int            `json:"sync_frequency,omitempty"`
	ScheduleType  string         `json:"schedule_type,omitempty"`
	Config        map[string]any `json:"config,omitempty"`
}

// ConnectionChanges is what UpdateConnection sends; unset fields are left out.
type ConnectionChanges struct {
	Paused        *bool          `json:"paused,omitempty"`
	SyncFrequency int            `json:"sync_frequency,omitempty"`
	ScheduleType  string         `json:"schedule_type,omitempty"`
	Config        map[string]any `json:"config,omitempty"`
}

// Connections walks the connections of one group, or of the whole account when groupID is "".
// opts may be nil.
func (c *Client) Connections(ctx context.Context, groupID string, opts *ListOptions) *Iter[Connection] {
	if err := checkText(groupID, cursorOf(opts)); err != nil {
		return &Iter[Connection]{err: err, done: true}
	}
	cgroup := optional(groupID)
	copts, free := listOptions(opts)
	defer func() { cfree(cgroup); free() }()
	return newIter[Connection](ctx, c, func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_list(h, cgroup, &copts, out, err)
	}).startAt(opts).from(&connectionSchema)
}

// Connection fetches one connection. An unknown id is an *APIError of Kind KindNotFound.
func (c *Client) Connection(ctx context.Context, id string) (*Connection, error) {
	if err := checkText(id); err != nil {
		return nil, err
	}
	cid := cstring(id)
	defer cfree(cid)
	return decodeText[Connection](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_get(h, cid, out, err)
	}))
}

// CreateConnection creates a connection. It is not repeated after an ambiguous failure.
func (c *Client) CreateConnection(ctx context.Context, n NewConnection) (*Connection, error) {
	body, err := jsonArg(n)
	if err != nil {
		return nil, err
	}
	defer cfree(body)
	return decodeText[Connection](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_create(h, body, out, err)
	}))
}

// UpdateConnection changes a connection.
func (c *Client) UpdateConnection(ctx context.Context, id string, changes ConnectionChanges) (*Connection, error) {
	if err := checkText(id); err != nil {
		return nil, err
	}
	body, err := jsonArg(changes)
	if err != nil {
		return nil, err
	}
	cid := cstring(id)
	defer func() { cfree(cid); cfree(body) }()
	return decodeText[Connection](c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_update(h, cid, body, out, err)
	}))
}

// DeleteConnection deletes a connection (the data already loaded stays in the destination; its
// configuration and state do not). confirmID must repeat id, as your user stated it, or nothing
// is sent (KindConfirmationRequired).
func (c *Client) DeleteConnection(ctx context.Context, id, confirmID string) error {
	if err := checkText(id, confirmID); err != nil {
		return err
	}
	cid, cconfirm := cstring(id), optional(confirmID)
	defer func() { cfree(cid); cfree(cconfirm) }()
	_, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_delete(h, cid, cconfirm, out, err)
	})
	return err
}

// Sync triggers a sync and returns at once (SyncAndWait waits for it). With force, a running
// sync is stopped and restarted.
func (c *Client) Sync(ctx context.Context, id string, force bool) error {
	if err := checkText(id); err != nil {
		return err
	}
	cid := cstring(id)
	defer cfree(cid)
	_, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_sync(h, cid, flag(force), out, err)
	})
	return err
}

// ResyncTables drops the given tables' history ({"schema": ["table", ...]}) and reads it again.
// confirmID must repeat id, as your user stated it, or nothing is sent
// (KindConfirmationRequired). The API answers 409 (KindConflict) while a sync runs.
func (c *Client) ResyncTables(ctx context.Context, id string, tables map[string][]string, confirmID string) error {
	if err := checkText(id); err != nil {
		return err
	}
	if len(tables) == 0 {
		return &APIError{Kind: KindInvalidArgument, Message: "ResyncTables needs at least one table; use ResyncAll for everything"}
	}
	body, err := jsonArg(tables)
	if err != nil {
		return err
	}
	defer cfree(body)
	return c.resync(ctx, id, body, confirmID)
}

// ResyncAll drops the connection's historical data and reads it all again: destructive and
// expensive. confirmID must repeat id, or nothing is sent (KindConfirmationRequired).
func (c *Client) ResyncAll(ctx context.Context, id, confirmID string) error {
	return c.resync(ctx, id, nil, confirmID)
}

func (c *Client) resync(ctx context.Context, id string, tables *C.char, confirmID string) error {
	if err := checkText(id, confirmID); err != nil {
		return err
	}
	cid, cconfirm := cstring(id), optional(confirmID)
	defer func() { cfree(cid); cfree(cconfirm) }()
	_, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_connection_resync(h, cid, tables, cconfirm, out, err)
	})
	return err
}
