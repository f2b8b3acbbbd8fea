package fivetrex

/*
#include "fivetrex.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
)

// ListOptions choose where a list starts and how many items each request fetches.
type ListOptions struct {
	// PageSize is the number of items per request, 1..1000 (0: 1000, the API's maximum).
	PageSize int
	// Cursor resumes from a next_cursor of an earlier page instead of the first page.
	Cursor string
}

// Iter walks a list lazily: it holds one page in memory and fetches the next when that is used
// up. Use it from one goroutine; always Close it (a finalizer frees a forgotten one). The items
// of Groups and Connections are built from the library's typed cells, and the items of one page
// share its texts and JSON: clone what you keep from many pages (see the package README).
//
//	it := client.Groups(ctx, nil)
//	defer it.Close()
//	for it.Next() {
//		g := it.Item()
//	}
//	if err := it.Err(); err != nil { ... }
type Iter[T any] struct {
	ctx  context.Context
	busy sync.Mutex // held while the C list is in use, in the background too
	list *C.fivetrex_list
	hook *retryHook
	err  error
	done bool
	// The page in memory (its items decoded from JSON, or its rows of cells, built into an
	// item one at a time as Next reaches them), the next item's index in it, the item Next
	// moved to, and the cursors around the page.
	page       []T
	rows       rowsPage
	pos        int
	item       T
	cursor     string
	pageCursor string
	// How items are built from the library's typed cells (nil: from their JSON), and where
	// the schema's columns are in the list's rows (found on the first page).
	schema *schema[T]
	index  []int
}

// startAt records the cursor a walk was opened with, so PageCursor is right for its first page.
func (it *Iter[T]) startAt(opts *ListOptions) *Iter[T] {
	if opts != nil {
		it.cursor = opts.Cursor
	}
	return it
}

// from makes the iterator build its items from the library's typed cells with s.
func (it *Iter[T]) from(s *schema[T]) *Iter[T] {
	it.schema = s
	return it
}

// newIter makes an iterator over the list that make creates. It holds its own reference to the
// client's retry hook, since the C list may call it after the client is closed.
func newIter[T any](ctx context.Context, c *Client, open func(h *C.fivetrex_client, out **C.fivetrex_list, err **C.fivetrex_error) C.enum_fivetrex_status) *Iter[T] {
	it := &Iter[T]{ctx: ctx}
	var status C.enum_fivetrex_status
	var cerr *C.fivetrex_error
	err := c.with(context.Background(), func(h *C.fivetrex_client) {
		var list *C.fivetrex_list
		status = open(h, &list, &cerr)
		if status == C.FIVETREX_STATUS_OK {
			it.list = list
			c.hook.acquire()
			it.hook = c.hook
		}
	})
	switch {
	case err != nil:
		it.err, it.done = err, true
	case status != C.FIVETREX_STATUS_OK:
		it.err, it.done = takeError(status, cerr), true
	default:
		runtime.SetFinalizer(it, (*Iter[T]).Close)
	}
	return it
}

func listOptions(o *ListOptions) (C.fivetrex_list_options, func()) {
	copts := C.fivetrex_list_options{struct_size: C.size_t(C.sizeof_fivetrex_list_options)}
	if o == nil {
		return copts, func() {}
	}
	if o.PageSize > 0 {
		copts.page_size = C.uint32_t(o.PageSize)
	}
	copts.cursor = optional(o.Cursor)
	return copts, func() { cfree(copts.cursor) }
}

// page is one page of a list as the library hands it over: items as the API sent them.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

// fetchPage asks the library for the next whole page and builds its items: one cgo call (and,
// when the context can end, one goroutine) per page, never per item. It returns false at the
// end or on an error.
func (it *Iter[T]) fetchPage() bool {
	var items []T
	var rows rowsPage
	var next *string
	var status C.enum_fivetrex_status
	var callErr error
	err := blocking(it.ctx, func() {
		it.busy.Lock()
		defer it.busy.Unlock()
		if it.list == nil {
			status = C.FIVETREX_STATUS_DONE
			return
		}
		if it.schema != nil {
			rows, status, callErr = it.fetchRows()
			next = rows.cursor
		} else {
			items, next, status, callErr = it.fetchJSON()
		}
	})
	switch {
	case err != nil:
		it.err, it.done = err, true
	case status == C.FIVETREX_STATUS_DONE:
		it.done = true
	case callErr != nil:
		it.err, it.done = callErr, true
	default:
		it.pageCursor = it.cursor
		it.cursor = ""
		if next != nil {
			it.cursor = *next
		}
		it.page, it.rows, it.pos = items, rows, 0
		return true
	}
	return false
}

// fetchJSON takes the next page as JSON and decodes each item with encoding/json (the lists
// whose items the library hands over as JSON only). Called with busy held.
func (it *Iter[T]) fetchJSON() ([]T, *string, C.enum_fivetrex_status, error) {
	var out *C.char
	var cerr *C.fivetrex_error
	status := C.fivetrex_list_next_page(it.list, &out, &cerr)
	if status != C.FIVETREX_STATUS_OK {
		if status == C.FIVETREX_STATUS_DONE {
			return nil, nil, status, nil
		}
		return nil, nil, status, takeError(status, cerr)
	}
	var p page
	if err := json.Unmarshal([]byte(takeString(out)), &p); err != nil {
		return nil, nil, status, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode a list page: %v", err)}
	}
	items := make([]T, 0, len(p.Items))
	for _, text := range p.Items {
		var item T
		if err := json.Unmarshal(text, &item); err != nil {
			return nil, nil, status, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot decode a list item: %v", err)}
		}
		// The item's text is the API's own (the library hands list items over as received):
		// keep it for the fields the struct has no place for.
		if r, ok := any(&item).(interface{ setRaw(json.RawMessage) }); ok {
			r.setRaw(text)
		}
		items = append(items, item)
	}
	return items, p.NextCursor, status, nil
}

// fetchRows takes the next page as rows of typed cells, copied out of the list's buffers (the
// cells into the last page's buffer: no item refers to a cell). Called with busy held.
func (it *Iter[T]) fetchRows() (rowsPage, C.enum_fivetrex_status, error) {
	var cerr *C.fivetrex_error
	if it.index == nil {
		var out *C.char
		if status := C.fivetrex_list_columns(it.list, &out, &cerr); status != C.FIVETREX_STATUS_OK {
			return rowsPage{}, status, takeError(status, cerr)
		}
		var columns []string
		if err := json.Unmarshal([]byte(takeString(out)), &columns); err != nil {
			return rowsPage{}, C.FIVETREX_STATUS_DECODE, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot read the list's columns: %v", err)}
		}
		it.index = indexOf(it.schema.names, columns)
	}
	rows := C.fivetrex_rows{struct_size: C.size_t(C.sizeof_fivetrex_rows)}
	status := C.fivetrex_list_next_rows(it.list, &rows, &cerr)
	if status != C.FIVETREX_STATUS_OK {
		if status == C.FIVETREX_STATUS_DONE {
			return rowsPage{}, status, nil
		}
		return rowsPage{}, status, takeError(status, cerr)
	}
	p, err := copyRows(&rows, it.rows.cells)
	if err != nil {
		return rowsPage{}, C.FIVETREX_STATUS_DECODE, err
	}
	return p, status, nil
}

// remaining is how many items of the page in memory Next has not reached.
func (it *Iter[T]) remaining() int {
	if it.schema != nil {
		return it.rows.rows - it.pos
	}
	return len(it.page) - it.pos
}

// Next moves to the next item, fetching a page when the current one is used up. It returns
// false at the end of the list or on an error (see Err); after that the walk is over. Items of
// a page already in memory cost no request, no cgo call and no goroutine.
func (it *Iter[T]) Next() bool {
	for it.remaining() <= 0 {
		if it.done || !it.fetchPage() {
			it.page, it.rows = nil, rowsPage{cells: it.rows.cells}
			var zero T
			it.item = zero
			return false
		}
	}
	if it.schema != nil {
		if err := it.schema.buildRow(&it.rows, it.index, it.pos, &it.item); err != nil {
			it.err, it.done, it.page, it.rows = err, true, nil, rowsPage{}
			return false
		}
	} else {
		it.item = it.page[it.pos]
	}
	it.pos++
	return true
}

// NextPage fetches the next whole page and returns its items, skipping whatever is left of the
// current one; nil at the end of the list or on an error (see Err). Do not mix with Next
// unless losing the rest of the current page is intended.
func (it *Iter[T]) NextPage() []T {
	for {
		if it.done || !it.fetchPage() {
			it.page, it.rows = nil, rowsPage{}
			return nil
		}
		items := it.page
		if it.schema != nil {
			items = make([]T, it.rows.rows)
			for i := range items {
				if err := it.schema.buildRow(&it.rows, it.index, i, &items[i]); err != nil {
					it.err, it.done, it.rows = err, true, rowsPage{}
					return nil
				}
			}
		}
		it.page, it.rows, it.pos = nil, rowsPage{cells: it.rows.cells}, 0
		if len(items) > 0 {
			return items
		}
	}
}

// Cursor is the next_cursor of the page the iterator holds: pass it as ListOptions.Cursor to
// resume after that page. "" before the first page and after the last one.
func (it *Iter[T]) Cursor() string { return it.cursor }

// PageCursor is the cursor that fetched the page the iterator holds ("" for the first page):
// pass it as ListOptions.Cursor to walk that page again. With Remaining it says exactly where
// a walk stands.
func (it *Iter[T]) PageCursor() string { return it.pageCursor }

// Remaining is how many items of the current page Next has not handed out yet.
func (it *Iter[T]) Remaining() int { return it.remaining() }

// Item is the item Next moved to.
func (it *Iter[T]) Item() T { return it.item }

// Err is the error that ended the walk, nil at a normal end.
func (it *Iter[T]) Err() error { return it.err }

// Close frees the list. It waits for a request still in progress. Close is idempotent.
func (it *Iter[T]) Close() error {
	it.busy.Lock()
	defer it.busy.Unlock()
	it.done = true
	if it.list != nil {
		C.fivetrex_list_free(it.list)
		it.list = nil
		it.hook.release()
		it.hook = nil
		runtime.SetFinalizer(it, nil)
	}
	return nil
}
