package fivetrex

/*
#include "fivetrex.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"time"
	"unsafe"
)

// Lists of groups, connections and destinations come from the library as rows of typed cells
// (fivetrex_list_next_rows): the library decodes each item once into its model and hands its
// fields over, so this package builds its structs without parsing JSON. A page is copied out
// of C memory in two blocks (texts, JSON), and the items of the page share them: strings and
// Raw of one item keep that page's blocks alive. Use strings.Clone / bytes.Clone to keep a few
// items of many pages without keeping their pages.

// schema says how a family's struct is built from the library's columns: the names it reads
// (found by name among the list's columns, so columns a later library adds shift nothing) and
// a builder that reads them by their position in names.
type schema[T any] struct {
	names []string
	build func(r *row) T
}

// row is one item's cells while a page is being built.
type row struct {
	cells []C.fivetrex_cell // the whole row, raw included
	index []int             // position in cells of each of the schema's names, -1 when absent
	texts string            // the page's texts
	jsons []byte            // the page's JSON
	times []time.Time       // the page's times, one allocation for all of them
	err   error             // the first cell that did not read
}

func (r *row) cell(k int) (C.fivetrex_cell, bool) {
	i := r.index[k]
	if i < 0 {
		return C.fivetrex_cell{}, false
	}
	return r.cells[i], true
}

// span is the [from, to) of a text or JSON cell, checked against the buffer's length.
func (r *row) span(c C.fivetrex_cell, size int) (int, int, bool) {
	from, to := int64(c.value), int64(c.value)+int64(c.len)
	if from < 0 || to > int64(size) {
		r.fail("a cell points outside its page")
		return 0, 0, false
	}
	return int(from), int(to), true
}

func (r *row) fail(why string) {
	if r.err == nil {
		r.err = &APIError{Kind: KindDecode, Message: "cannot read a list row: " + why}
	}
}

// text is column k as text; "" when absent or null.
func (r *row) text(k int) string {
	c, ok := r.cell(k)
	if !ok || c.kind != C.FIVETREX_CELL_TEXT {
		return ""
	}
	if from, to, ok := r.span(c, len(r.texts)); ok {
		return r.texts[from:to]
	}
	return ""
}

// flag is column k as a flag; false when absent or null.
func (r *row) flag(k int) bool {
	c, ok := r.cell(k)
	return ok && c.kind == C.FIVETREX_CELL_BOOLEAN && c.value != 0
}

// integer is column k as an integer; 0 when absent or null.
func (r *row) integer(k int) int64 {
	c, ok := r.cell(k)
	if !ok || c.kind != C.FIVETREX_CELL_INTEGER {
		return 0
	}
	return int64(c.value)
}

// instant is column k as a time in UTC; the zero time when absent or null.
func (r *row) instant(k int) (time.Time, bool) {
	c, ok := r.cell(k)
	if !ok || c.kind != C.FIVETREX_CELL_TIME {
		return time.Time{}, false
	}
	return time.Unix(int64(c.value), int64(c.len)).UTC(), true
}

// time is column k as a *time.Time in UTC, nil when absent or null. The times of a page share
// one allocation.
func (r *row) time(k int) *time.Time {
	t, ok := r.instant(k)
	if !ok {
		return nil
	}
	if len(r.times) == cap(r.times) {
		r.times = make([]time.Time, 0, 256)
	}
	r.times = append(r.times, t)
	return &r.times[len(r.times)-1]
}

// raw is the item's JSON as the API sent it (column 0 of every row).
func (r *row) raw() json.RawMessage {
	return r.jsonAt(r.cells[0])
}

// json is column k as raw JSON, nil when absent or null.
func (r *row) json(k int) json.RawMessage {
	c, ok := r.cell(k)
	if !ok {
		return nil
	}
	return r.jsonAt(c)
}

func (r *row) jsonAt(c C.fivetrex_cell) json.RawMessage {
	if c.kind != C.FIVETREX_CELL_JSON {
		return nil
	}
	from, to, ok := r.span(c, len(r.jsons))
	if !ok {
		return nil
	}
	// Capacity cut at the end: appending to one item's JSON never writes over the next.
	return r.jsons[from:to:to]
}

// decodeList decodes a JSON array cell into a slice: an empty array needs no decoding.
func decodeList[E any](r *row, k int) []E {
	text := r.json(k)
	switch {
	case text == nil:
		return nil
	case len(text) == 2 && text[0] == '[':
		return []E{}
	}
	var out []E
	if err := json.Unmarshal(text, &out); err != nil {
		r.fail(err.Error())
	}
	return out
}

// rowsPage is one page as fivetrex_list_next_rows hands it over, copied into Go memory.
type rowsPage struct {
	cells   []C.fivetrex_cell
	rows    int
	columns int
	text    string
	json    []byte
	cursor  *string
}

// copyRows takes a page out of the list's buffers, which the next call on the list reuses.
func copyRows(p *C.fivetrex_rows) (rowsPage, error) {
	n, cols := int(p.rows), int(p.columns)
	if cols < 1 || n < 0 || (n > 0 && p.cells == nil) {
		return rowsPage{}, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot read a list page: %d rows of %d columns", n, cols)}
	}
	out := rowsPage{rows: n, columns: cols}
	if n > 0 {
		out.cells = append([]C.fivetrex_cell(nil), unsafe.Slice(p.cells, n*cols)...)
	}
	if p.text_len > 0 {
		out.text = C.GoStringN(p.text, C.int(p.text_len))
	}
	if p.json_len > 0 {
		out.json = C.GoBytes(unsafe.Pointer(p.json), C.int(p.json_len))
	}
	if p.next_cursor != nil {
		cursor := C.GoString(p.next_cursor)
		out.cursor = &cursor
	}
	return out, nil
}

// indexOf finds each of the schema's names among the list's columns.
func indexOf(names, columns []string) []int {
	at := make(map[string]int, len(columns))
	for i, c := range columns {
		at[c] = i
	}
	index := make([]int, len(names))
	for k, name := range names {
		if i, ok := at[name]; ok {
			index[k] = i
		} else {
			index[k] = -1
		}
	}
	return index
}

// buildPage makes the page's items; an item whose cells do not read ends the page with an error.
func (s *schema[T]) buildPage(p rowsPage, index []int) ([]T, error) {
	items := make([]T, 0, p.rows)
	r := row{index: index, texts: p.text, jsons: p.json}
	for i := 0; i < p.rows; i++ {
		r.cells = p.cells[i*p.columns : (i+1)*p.columns]
		items = append(items, s.build(&r))
		if r.err != nil {
			return nil, r.err
		}
	}
	return items, nil
}
