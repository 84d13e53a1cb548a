// Command alertmanager-ui writes the web UI that upstream Alertmanager compiles into its binary
// (index.html, the Elm-built script.js, favicon, lib/) into a directory.
//
// Debian's prometheus-alertmanager is built without that UI and serves a placeholder page
// instead; it does take --web.ui-path. Upstream's module ships the compiled UI as generated Go
// data (package asset), which needs no Elm toolchain, so dumping the same version's files gives
// Debian's binary exactly the UI upstream built for it. scripts/build-tools.sh runs this.
//
//	alertmanager-ui OUTDIR
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"

	"github.com/prometheus/alertmanager/asset"
)

// root is where package asset keeps the UI files; its other tree holds notification templates.
const root = "/static"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: alertmanager-ui OUTDIR")
		os.Exit(2)
	}
	n, err := dump(asset.Assets, root, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "alertmanager-ui:", err)
		os.Exit(1)
	}
	if n == 0 {
		fmt.Fprintf(os.Stderr, "alertmanager-ui: no files under %s in package asset\n", root)
		os.Exit(1)
	}
	fmt.Printf("alertmanager-ui: wrote %d files to %s\n", n, os.Args[1])
}

// dump copies the tree at dir in fsys to out and returns how many files it wrote.
func dump(fsys http.FileSystem, dir, out string) (int, error) {
	f, err := fsys.Open(dir)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	entries, err := f.Readdir(-1)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", dir, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	written := 0
	for _, e := range entries {
		src, dst := path.Join(dir, e.Name()), filepath.Join(out, e.Name())
		if e.IsDir() {
			n, err := dump(fsys, src, dst)
			written += n
			if err != nil {
				return written, err
			}
			continue
		}
		if err := copyFile(fsys, src, dst); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

func copyFile(fsys http.FileSystem, src, dst string) error {
	in, err := fsys.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	outFile, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(outFile, in); err != nil {
		outFile.Close()
		return fmt.Errorf("%s: %w", src, err)
	}
	return outFile.Close()
}
