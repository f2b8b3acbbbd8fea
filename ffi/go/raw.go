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
	"net/url"
	"strings"
)

// Call sends any request of the API through the client's auth, retry and error handling and
// returns the whole answer, envelope included ({"code": ..., "data": ...}; "null" for an empty
// body). path starts with "/" and its segments are sent as given (escape ids with
// url.PathEscape); query and body may be nil and are encoded as JSON.
//
// A method and path that match an operation of the library's table (every documented one;
// the multipart uploads excepted) go through the operation entry, so the operation's own
// Accept header (application/json;version=2 for connections and destinations), idempotency
// and body checks apply, as with Operation. Call asks no confirmation, even for a DELETE: the
// path names its target. Prefer Operation (or a typed family), which does. Any other path is
// sent as is with Accept: application/json, and a POST to it is not repeated after an
// ambiguous failure.
func (c *Client) Call(ctx context.Context, method, path string, query map[string]any, body any) (json.RawMessage, error) {
	if err := checkText(method, path); err != nil {
		return nil, err
	}
	if r, ok := route(method, path, query); ok {
		return c.Operation(ctx, r.id, r.params, body, r.confirm)
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
// sent them. query holds filters and may be nil; opts may be nil. A path that matches a list
// operation of the library's table is walked through the operation entry (its own Accept), as
// with OperationList; any other with Accept: application/json.
func (c *Client) RawList(ctx context.Context, path string, query map[string]any, opts *ListOptions) *Iter[json.RawMessage] {
	if err := checkText(path, cursorOf(opts)); err != nil {
		return &Iter[json.RawMessage]{err: err, done: true}
	}
	if r, ok := route("GET", path, query); ok && r.paged {
		if opts != nil && opts.PageSize > 0 {
			r.params["limit"] = opts.PageSize
		}
		if opts != nil && opts.Cursor != "" {
			r.params["cursor"] = opts.Cursor
		}
		return List[json.RawMessage](ctx, c, r.id, r.params)
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

// tableEntry is one operation of the library's table (optable.go, generated from it).
type tableEntry struct {
	method, path, id string
	paged            bool
}

// routed is a request matched to an operation: its id, its params (path parameters decoded,
// then the query) and the confirmation that names its target.
type routed struct {
	id      string
	params  map[string]any
	confirm string
	paged   bool
}

// uploads are the multipart operations, which the operation entry sends only from files.
var uploads = map[string]bool{"create_connector_sdk_package": true, "update_connector_sdk_package": true}

// route matches a request to the table: the same method, as many segments, literal segments
// equal and each {param} one non-empty segment (percent-decoded, since the library encodes
// path parameters itself). The match with the most literal segments wins
// (/v1/transformations/package-metadata over /v1/transformations/{transformationId}). No
// match, an upload, or a query key that names a path parameter: not routed.
func route(method, path string, query map[string]any) (routed, bool) {
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
		return routed{}, false
	}
	method = strings.ToUpper(method)
	segs := strings.Split(path[1:], "/")
	var best *tableEntry
	var bestParams map[string]any
	var bestLast string
	bestLiterals := -1
	for i := range operationTable {
		e := &operationTable[i]
		if e.method != method || uploads[e.id] {
			continue
		}
		tmpl := strings.Split(e.path[1:], "/")
		if len(tmpl) != len(segs) {
			continue
		}
		params, last, literals, ok := map[string]any{}, "", 0, true
		for j, t := range tmpl {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[t[1:len(t)-1]], last = v, v
				continue
			}
			if t != segs[j] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLast, bestLiterals = e, params, last, literals
		}
	}
	if best == nil {
		return routed{}, false
	}
	for k, v := range query {
		if _, clash := bestParams[k]; clash {
			return routed{}, false
		}
		bestParams[k] = v
	}
	if bestLast == "" {
		bestLast = best.id // the confirmation of an operation without path parameters
	}
	return routed{best.id, bestParams, bestLast, best.paged}, true
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
