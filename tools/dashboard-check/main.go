// pulse-dashboard-check checks Grafana dashboard JSON files against Grafana's own dashboard
// schema, as published in Go by grafana-foundation-sdk (strict decoding: unknown fields and
// wrong types are errors), plus that every query panel has a datasource and queries. Grafana
// itself is AGPL and cannot run here; this is the structural half of the dashboard checks (the
// other half runs every panel's PromQL against a real Prometheus).
//
//	pulse-dashboard-check FILE_OR_DIR...
//
// A directory contributes every *.json file below it. Each problem is printed to stderr as
// "FILE: PATH: MESSAGE". Exit status: 0 all dashboards pass, 1 a dashboard has a problem (or
// could not be read), 2 usage error or nothing to check.
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: pulse-dashboard-check FILE_OR_DIR...  (directories: every *.json below)")
		return 2
	}
	files, err := collect(args)
	if err != nil {
		fmt.Fprintln(stderr, "pulse-dashboard-check:", err)
		return 2
	}
	failed := 0
	for _, file := range files {
		problems := checkFile(file)
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s\n", file, p)
		}
		if len(problems) > 0 {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "pulse-dashboard-check: %d of %d dashboard(s) fail Grafana's schema\n", failed, len(files))
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d dashboard(s) pass Grafana's schema\n", len(files))
	return 0
}

// collect expands the arguments into a sorted list of files. Naming a directory that holds no
// dashboards is an error: a check that silently checked nothing would pass for the wrong reason.
func collect(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		before := len(files)
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(files) == before {
			return nil, fmt.Errorf("%s: no *.json files in this directory", arg)
		}
		sort.Strings(files[before:])
	}
	return files, nil
}

func checkFile(file string) []Problem {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []Problem{{"", err.Error()}}
	}
	return CheckDashboard(raw)
}
