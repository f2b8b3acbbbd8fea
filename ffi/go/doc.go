// Package fivetrex is a Go client for the Fivetran REST API over libfivetrex, the C ABI of the
// fivetrex Rust crate: requests, retries (429 with Retry-After, 5xx, transport errors), the
// shared 429 pause, pagination and sync-and-wait run in the library; this package converts
// arguments and decodes results with encoding/json.
//
//	c, err := fivetrex.New(fivetrex.Options{APIKey: key, APISecret: secret})
//	if err != nil { ... }
//	defer c.Close()
//	it := c.Groups(ctx, nil)
//	defer it.Close()
//	for it.Next() {
//		fmt.Println(it.Item().Name)
//	}
//	if err := it.Err(); err != nil { ... }
//
//	res, err := c.SyncAndWait(ctx, connectionID, &fivetrex.WaitOptions{PollInterval: 30 * time.Second})
//	var apiErr *fivetrex.APIError
//	if errors.As(err, &apiErr) && apiErr.Kind == fivetrex.KindNotFound { ... }
//
// The module path is github.com/fivetrex/fivetrex/ffi/go and the package name fivetrex:
//
//	import fivetrex "github.com/fivetrex/fivetrex/ffi/go"
//
// From another module, point the path at a clone of the repository (cgo finds the library
// relative to this directory):
//
//	require github.com/fivetrex/fivetrex/ffi/go v0.0.0
//	replace github.com/fivetrex/fivetrex/ffi/go => ../fivetrex/ffi/go
//
// Building: cgo links -lfivetrex from ../../target/debug (build it with `cargo build --features
// ffi` at the repository root) and records that directory as the rpath; for a library
// elsewhere, add its directory with CGO_LDFLAGS="-L<dir> -Wl,-rpath,<dir>".
//
// Every call blocks its goroutine in C for the duration of the request (see Client for what a
// context can and cannot interrupt). Strings the library returns are copied into Go memory and
// released with the library's own free function.
package fivetrex
