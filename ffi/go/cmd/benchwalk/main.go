// Command benchwalk is the benchmark's Go host: it walks every connection through the Go
// package (typed items, Raw kept, under a context with a deadline, as a service would) and
// prints the same RESULT line as the Rust and C walks. Built and run by examples/bench
// (go_host.rs).
//
//	benchwalk <base_url> <expected_items>
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

func peakRSSKB() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss
}

func cpuNS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s <base_url> <expected_items>\n", os.Args[0])
		os.Exit(2)
	}
	expected, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	t0, c0 := time.Now(), cpuNS()
	c, err := fivetrex.New(fivetrex.Options{APIKey: "bench_key", APISecret: "bench_secret", BaseURL: os.Args[1]})
	if err != nil {
		fmt.Fprintln(os.Stderr, "New:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	it := c.Connections(ctx, "", nil)
	items, checksum := 0, 0
	for it.Next() {
		conn := it.Item()
		items++
		checksum += len(conn.ID) + len(conn.Raw)
	}
	if err := it.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}
	it.Close()
	c.Close()
	wall, cpu := time.Since(t0).Nanoseconds(), cpuNS()-c0
	if items != expected {
		fmt.Fprintf(os.Stderr, "walked %d items, expected %d (checksum %d)\n", items, expected, checksum)
		os.Exit(1)
	}
	fmt.Printf("RESULT items=%d wall_ns=%d cpu_ns=%d peak_rss_kb=%d bare_wall_ns=0 bare_cpu_ns=0\n", items, wall, cpu, peakRSSKB())
}
