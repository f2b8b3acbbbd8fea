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
	build func(r *row, out *T)
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

// alerts reads a connection's tasks or warnings, which the library writes as a JSON array of
// {"code", "message", "details"} objects. The common shapes (no escapes in the texts) are read
// by hand, the rest by encoding/json: an alert on every tenth item made encoding/json a tenth of
// the whole walk.
func (r *row) alerts(k int) []Alert {
	text := r.json(k)
	switch {
	case text == nil:
		return nil
	case len(text) == 2 && text[0] == '[':
		return []Alert{}
	}
	if out, ok := readAlerts(text); ok {
		return out
	}
	var out []Alert
	if err := json.Unmarshal(text, &out); err != nil {
		r.fail(err.Error())
	}
	for k := range out {
		// As the hand reader does: a null details is no details.
		if string(out[k].Details) == "null" {
			out[k].Details = nil
		}
	}
	return out
}

// readAlerts is the hand reader of alerts: false for anything it does not take.
func readAlerts(b []byte) ([]Alert, bool) {
	s := scanner{b: b}
	if !s.eat('[') {
		return nil, false
	}
	var out []Alert
	for {
		var a Alert
		if !s.eat('{') {
			return nil, false
		}
		for !s.eat('}') {
			key, ok := s.text()
			if !ok || !s.eat(':') {
				return nil, false
			}
			value, ok := s.value()
			if !ok {
				return nil, false
			}
			switch {
			case key == "details" && string(value) != "null":
				a.Details = value
			case key == "code" || key == "message":
				if string(value) == "null" {
					break
				}
				inner := scanner{b: value}
				text, ok := inner.text()
				if !ok {
					return nil, false
				}
				if key == "code" {
					a.Code = text
				} else {
					a.Message = text
				}
			}
			if !s.eat(',') && s.peek() != '}' {
				return nil, false
			}
		}
		out = append(out, a)
		if s.eat(']') {
			return out, s.i == len(s.b)
		}
		if !s.eat(',') {
			return nil, false
		}
	}
}

// scanner steps through JSON text; every step reports false on what it does not take.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\r' || s.b[s.i] == '\t') {
		s.i++
	}
	if s.i == len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) eat(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// text reads a string without escapes (copied out of the page).
func (s *scanner) text() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			out := string(s.b[s.i:j])
			s.i = j + 1
			return out, true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// value skips one JSON value and returns its text (capacity cut at its end).
func (s *scanner) value() ([]byte, bool) {
	s.peek()
	start, depth, inString := s.i, 0, false
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case inString:
			if c == '\\' {
				s.i++
			} else if c == '"' {
				inString = false
				if depth == 0 {
					s.i++
					return s.b[start:s.i:s.i], true
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return s.b[start:s.i:s.i], s.i > start
			}
			depth--
			if depth == 0 {
				s.i++
				return s.b[start:s.i:s.i], true
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return s.b[start:s.i:s.i], s.i > start
		}
	}
	return s.b[start:s.i:s.i], depth == 0 && !inString && s.i > start
}

// rowsPage is one page as fivetrex_list_next_rows hands it over, copied into Go memory: its
// cells, texts and JSON, and the times built so far (one allocation for many).
type rowsPage struct {
	cells   []C.fivetrex_cell
	rows    int
	columns int
	text    string
	json    []byte
	cursor  *string
	times   []time.Time
}

// copyRows takes a page out of the list's buffers, which the next call on the list reuses. The
// cells go into spare when it is large enough (they hold no Go pointers and no item refers to
// them); the texts and JSON are new, since the items refer to them.
func copyRows(p *C.fivetrex_rows, spare []C.fivetrex_cell) (rowsPage, error) {
	n, cols := int(p.rows), int(p.columns)
	if cols < 1 || n < 0 || (n > 0 && p.cells == nil) {
		return rowsPage{}, &APIError{Kind: KindDecode, Message: fmt.Sprintf("cannot read a list page: %d rows of %d columns", n, cols)}
	}
	out := rowsPage{rows: n, columns: cols, cells: spare[:0]}
	if n > 0 {
		out.cells = append(out.cells, unsafe.Slice(p.cells, n*cols)...)
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

// buildRow builds item i of the page into out; an error when its cells do not read.
func (s *schema[T]) buildRow(p *rowsPage, index []int, i int, out *T) error {
	r := row{cells: p.cells[i*p.columns : (i+1)*p.columns], index: index, texts: p.text, jsons: p.json, times: p.times}
	s.build(&r, out)
	p.times = r.times
	return r.err
}
