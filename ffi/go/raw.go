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
)

// Call sends any request of the API through the client's auth, retry and error handling and
// returns the whole answer, envelope included ({"code": ..., "data": ...}; "null" for an empty
// body). path starts with "/" and its segments are sent as given (escape ids with
// url.PathEscape); query and body may be nil and are encoded as JSON. POSTs are not repeated
// after an ambiguous failure. The Accept header is the one of the API operation the method and
// path address (application/json;version=2 for the destination operations), application/json
// for a path of no operation; Operation reaches an operation by its operationId.
func (c *Client) Call(ctx context.Context, method, path string, query map[string]any, body any) (json.RawMessage, error) {
	if err := checkText(method, path); err != nil {
		return nil, err
	}
	var queryText, bodyText *C.char
	var err error
	if query != nil {
		if queryText, err = jsonArg(query); err != nil {
			return nil, err
		}
	}
	if body != nil {
		if bodyText, err = jsonArg(body); err != nil {
			cfree(queryText)
			return nil, err
		}
	}
	cmethod, cpath := cstring(method), cstring(path)
	defer func() { cfree(cmethod); cfree(cpath); cfree(queryText); cfree(bodyText) }()
	text, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_raw_call(h, cmethod, cpath, queryText, bodyText, out, err)
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}

// RawList walks any list path (answers with data.items and data.next_cursor), items as the API
// sent them. query holds filters and may be nil; opts may be nil.
func (c *Client) RawList(ctx context.Context, path string, query map[string]any, opts *ListOptions) *Iter[json.RawMessage] {
	if err := checkText(path, cursorOf(opts)); err != nil {
		return &Iter[json.RawMessage]{err: err, done: true}
	}
	var queryText *C.char
	if query != nil {
		var err error
		if queryText, err = jsonArg(query); err != nil {
			return &Iter[json.RawMessage]{err: err, done: true}
		}
	}
	cpath := cstring(path)
	copts, free := listOptions(opts)
	defer func() { cfree(cpath); cfree(queryText); free() }()
	return newIter[json.RawMessage](ctx, c, func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_raw_list(h, cpath, queryText, &copts, out, err)
	}).startAt(opts)
}

// jsonArg encodes v as JSON text in C memory (freed with cfree).
func jsonArg(v any) (*C.char, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &APIError{Kind: KindInvalidArgument, Message: fmt.Sprintf("cannot encode the argument as JSON: %v", err)}
	}
	return cstring(string(b)), nil
}

// decodeText decodes the JSON text a typed C function returned.
func decodeText[T any](text string, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the answer: %v", err)}
	}
	if r, ok := any(v).(interface{ setRaw(json.RawMessage) }); ok {
		r.setRaw(json.RawMessage(text))
	}
	return v, nil
}
