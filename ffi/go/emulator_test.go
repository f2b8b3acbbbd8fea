package fivetrex_test

// The tests run against the project's emulator (src/emulator, `cargo run --example emulator
// --features emulator`), one process per test: built once (or taken from $FIVETREX_EMULATOR),
// started on a free port, steered through its /__emulator/ control endpoints, and stopped when
// the test ends (stdin closed, then killed).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	emuKey    = "emulator_key"
	emuSecret = "emulator_secret"
)

var emulatorBinary string

func TestMain(m *testing.M) {
	bin, err := buildEmulator()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot get the emulator: %v\n", err)
		os.Exit(2)
	}
	emulatorBinary = bin
	os.Exit(m.Run())
}

// buildEmulator returns $FIVETREX_EMULATOR, or builds the example with cargo (a no-op when
// ffi/run-hosts.sh already did) and returns its path.
func buildEmulator() (string, error) {
	if bin := os.Getenv("FIVETREX_EMULATOR"); bin != "" {
		return bin, nil
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("cargo", "build", "--quiet", "--features", "emulator", "--example", "emulator")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cargo build --example emulator: %w", err)
	}
	target := os.Getenv("CARGO_TARGET_DIR")
	if target == "" {
		target = filepath.Join(root, "target")
	} else if !filepath.IsAbs(target) {
		target = filepath.Join(root, target)
	}
	return filepath.Join(target, "debug", "examples", "emulator"), nil
}

type emulator struct {
	t   *testing.T
	URL string
}

// startEmulator starts an emulator seeded with groups x perGroup connections whose syncs take
// 30 ms.
func startEmulator(t *testing.T, groups, perGroup int) *emulator {
	t.Helper()
	cmd := exec.Command(emulatorBinary, "--port", "0", "--groups", strconv.Itoa(groups),
		"--connections-per-group", strconv.Itoa(perGroup), "--sync-ms", "30")
	stdin, err := cmd.StdinPipe() // the emulator stops when this closes
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", emulatorBinary, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewReader(stdout)
	first := make(chan string, 1)
	go func() {
		line, _ := lines.ReadString('\n')
		first <- line
		_, _ = io.Copy(io.Discard, lines)
	}()
	select {
	case line := <-first:
		url := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
		if !strings.HasPrefix(url, "http://") {
			t.Fatalf("unexpected first line from the emulator: %q", line)
		}
		return &emulator{t: t, URL: url}
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not say where it listens within 10 s")
	}
	return nil
}

// do sends a request to the emulator (API paths with the emulator's credentials) and decodes
// the JSON answer into out (when not nil).
func (e *emulator) do(method, path string, body, out any) {
	e.t.Helper()
	var reader io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		reader = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.URL+path, reader)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(emuKey, emuSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, text)
	}
	if out != nil {
		if err := json.Unmarshal(text, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, text)
		}
	}
}

// fault adds a fault: {"method", "path", "kind", "status", "times", "retry_after", "delay_ms"}.
func (e *emulator) fault(f map[string]any) { e.do("POST", "/__emulator/faults", f, nil) }

// steer sets a connection's state: {"sync_outcome", "sync_duration_ms", "paused", ...}.
func (e *emulator) steer(id string, c map[string]any) {
	e.do("POST", "/__emulator/connections/"+id, c, nil)
}

// count is the number of logged requests with this method and path.
func (e *emulator) count(method, path string) int {
	e.t.Helper()
	var log struct {
		Items []struct{ Method, Path string } `json:"items"`
	}
	e.do("GET", "/__emulator/log", nil, &log)
	n := 0
	for _, r := range log.Items {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// clearLog forgets the requests so far.
func (e *emulator) clearLog() { e.do("DELETE", "/__emulator/log", nil, nil) }

// ids lists the ids of a seeded list path (all on one page), straight from the emulator.
func (e *emulator) ids(path string) []string {
	e.t.Helper()
	var page struct {
		Data struct {
			Items []struct{ ID string } `json:"items"`
		} `json:"data"`
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	e.do("GET", path+sep+"limit=1000", nil, &page)
	ids := make([]string, len(page.Data.Items))
	for i, it := range page.Data.Items {
		ids[i] = it.ID
	}
	e.clearLog()
	return ids
}

func (e *emulator) groupIDs() []string { return e.ids("/v1/groups") }

func (e *emulator) connectionIDs(group string) []string {
	return e.ids("/v1/connections?group_id=" + group)
}
