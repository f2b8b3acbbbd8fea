package fivetrex

/*
#include <stdlib.h>
#include "fivetrex.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"unsafe"
)

// Operation calls any operation of the API by its operationId (the spec's; the table in the
// Rust crate's fivetrex::api::operations()), with the same Accept header, idempotency, paging
// limits and safety valves as the Rust call. Keys of params that name a path parameter of the
// operation fill the path (percent-encoded by the library); every other key is a query
// parameter (a slice repeats the key). body is encoded as JSON (nil: none). confirm is "" or,
// for an operation that needs confirmation (every DELETE, resyncs, column drops), the id of the
// target (the last path parameter): a missing or mismatched one is KindConfirmationRequired
// before anything is sent. The answer is returned whole, envelope included ("null" for an
// empty body).
func (c *Client) Operation(ctx context.Context, operationID string, params map[string]any, body any, confirm string) (json.RawMessage, error) {
	if err := checkText(operationID, confirm); err != nil {
		return nil, err
	}
	cparams, cbody, err := jsonArgs(params, body)
	if err != nil {
		return nil, err
	}
	cop, cconfirm := cstring(operationID), optional(confirm)
	defer func() { cfree(cop); cfree(cparams); cfree(cbody); cfree(cconfirm) }()
	text, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_operation_call(h, cop, cparams, cbody, cconfirm, out, err)
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}

// OperationList walks any list operation by its operationId, items as the API sent them;
// params as in Operation (filters are query parameters). See List for typed items.
func (c *Client) OperationList(ctx context.Context, operationID string, params map[string]any) *Iter[json.RawMessage] {
	return List[json.RawMessage](ctx, c, operationID, params)
}

// List walks any list operation by its operationId, each item decoded once into T (a struct
// with a Raw json.RawMessage field and a setRaw method keeps the item as sent, as the typed
// families here do). params as in Operation; "limit" and "cursor" set the page size and where
// the walk starts.
func List[T any](ctx context.Context, c *Client, operationID string, params map[string]any) *Iter[T] {
	if err := checkText(operationID); err != nil {
		return &Iter[T]{err: err, done: true}
	}
	cparams, _, err := jsonArgs(params, nil)
	if err != nil {
		return &Iter[T]{err: err, done: true}
	}
	cop := cstring(operationID)
	defer func() { cfree(cop); cfree(cparams) }()
	it := newIter[T](ctx, c, func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_operation_list(h, cop, cparams, out, err)
	})
	if cursor, ok := params["cursor"].(string); ok {
		it.cursor = cursor
	}
	return it
}

// Upload sends a file to a multipart operation (create_connector_sdk_package,
// update_connector_sdk_package) under fileName; params and confirm as in Operation.
func (c *Client) Upload(ctx context.Context, operationID string, params map[string]any, fileName string, data []byte, confirm string) (json.RawMessage, error) {
	if err := checkText(operationID, fileName, confirm); err != nil {
		return nil, err
	}
	cparams, _, err := jsonArgs(params, nil)
	if err != nil {
		return nil, err
	}
	cop, cname, cconfirm := cstring(operationID), cstring(fileName), optional(confirm)
	var cdata unsafe.Pointer
	if len(data) > 0 {
		cdata = C.CBytes(data)
	}
	defer func() { cfree(cop); cfree(cparams); cfree(cname); cfree(cconfirm); C.free(cdata) }()
	text, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_operation_upload(h, cop, cparams, cname, (*C.uint8_t)(cdata), C.size_t(len(data)), cconfirm, out, err)
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}

// Data decodes the "data" of an answer of Operation or Upload into T, keeping the data's text
// in T's Raw field when T has one.
func Data[T any](answer json.RawMessage, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(answer, &envelope); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the answer: %v", err)}
	}
	v := new(T)
	if len(envelope.Data) == 0 || string(envelope.Data) == "null" {
		return v, nil
	}
	if err := json.Unmarshal(envelope.Data, v); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the answer's data: %v", err)}
	}
	if r, ok := any(v).(interface{ setRaw(json.RawMessage) }); ok {
		r.setRaw(envelope.Data)
	}
	return v, nil
}

// jsonArgs encodes params (when non-nil) and body (when non-nil) as JSON text in C memory.
func jsonArgs(params map[string]any, body any) (*C.char, *C.char, error) {
	var cparams, cbody *C.char
	var err error
	if params != nil {
		if cparams, err = jsonArg(params); err != nil {
			return nil, nil, err
		}
	}
	if body != nil {
		if cbody, err = jsonArg(body); err != nil {
			cfree(cparams)
			return nil, nil, err
		}
	}
	return cparams, cbody, nil
}
