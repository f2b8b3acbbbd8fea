package fivetrex_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportFromAnotherModule builds and runs a program of another module that imports this
// package by its module path through a replace line, as the README tells users to: the module
// path, the package name and the cgo paths must all hold from outside this directory.
func TestImportFromAnotherModule(t *testing.T) {
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/consumer\n\ngo 1.19\n\n" +
		"require github.com/fivetrex/fivetrex/ffi/go v0.0.0\n\n" +
		"replace github.com/fivetrex/fivetrex/ffi/go => " + here + "\n"
	// No credentials: the library refuses them with a message naming what to set.
	mainGo := `package main

import (
	"errors"
	"fmt"

	fivetrex "github.com/fivetrex/fivetrex/ffi/go"
)

func main() {
	_, err := fivetrex.New(fivetrex.Options{})
	var apiErr *fivetrex.APIError
	fmt.Println(errors.As(err, &apiErr), err)
}
`
	for name, text := range map[string]string{"go.mod": goMod, "main.go": mainGo} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "consumer")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of a module importing github.com/fivetrex/fivetrex/ffi/go: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("consumer: %v\n%s", err, out)
	}
	got := strings.TrimSpace(string(out))
	if !strings.HasPrefix(got, "true ") || !strings.Contains(got, "API key and secret are missing or empty") {
		t.Fatalf("consumer printed %q", got)
	}
}
