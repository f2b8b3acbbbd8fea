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
// body). path starts with "/" (segments sent as given: escape ids with url.PathEscape); query
// and body may be nil and are encoded as JSON.
func (c *Client) Call(ctx context.Context, method, path string, query map[string]any, body any) (json.RawMessage, error) {
	var queryText, bodyText *C.char
	if query != nil {
		b, err := json.Marshal(query)
		if err != nil {
			return nil, &APIError{Kind: KindInvalidArgument, Message: fmt.Sprintf("cannot encode the query: %v", err)}
		}
		queryText = cstring(string(b))
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, &APIError{Kind: KindInvalidArgument, Message: fmt.Sprintf("cannot encode the body: %v", err)}
		}
		bodyText = cstring(string(b))
	}
	cmethod, cpath := cstring(method), cstring(path)
	defer func() { cfree(cmethod); cfree(cpath); cfree(queryText); cfree(bodyText) }()
	text, err := c.callJSON(ctx, func(h *C.fivetrex_client, out **C.char, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_call(h, cmethod, cpath, queryText, bodyText, out, err)
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}

// RawList walks any list path (answers with data.items and data.next_cursor), items as the API
// sent them. query holds filters and may be nil.
func (c *Client) RawList(ctx context.Context, path string, query map[string]any, opts *ListOptions) *Iter[json.RawMessage] {
	var queryText *C.char
	if query != nil {
		b, err := json.Marshal(query)
		if err != nil {
			return &Iter[json.RawMessage]{err: &APIError{Kind: KindInvalidArgument, Message: err.Error()}, done: true}
		}
		queryText = cstring(string(b))
	}
	cpath := cstring(path)
	copts, free := listOptions(opts)
	defer func() { cfree(cpath); cfree(queryText); free() }()
	return newIter[json.RawMessage](ctx, c, func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status {
		return C.fivetrex_raw_list(h, cpath, queryText, &copts, out, err)
	})
}

// data calls an operation and decodes the envelope's data into T.
func data[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	answer, err := c.Call(ctx, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(answer, &envelope); err != nil || len(envelope.Data) == 0 {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("%s %s: the answer has no data", method, path)}
	}
	return decode[T](envelope.Data)
}

// decodeText decodes the JSON text a typed C function returned.
func decodeText[T any](text string, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return decode[T]([]byte(text))
}

func decode[T any](b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode the answer: %v", err)}
	}
	return v, nil
}

// pathOf joins escaped segments into an API path: pathOf("v1", "connections", id).
func pathOf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
