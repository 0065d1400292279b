// Package gosuite is a small Go package whose tests do what Go test suites do with the
// filesystem: t.TempDir, os.Chdir, relative paths, exec of programs they build, FIFOs.
// rwshim's tests build it with `go test -c` (a static binary) and run the suite natively and
// under `rwshim run` with every write redirected.
package gosuite

import (
	"os"
	"path/filepath"
	"sort"
)

// Names lists dir sorted.
func Names(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	sort.Strings(n)
	return n, err
}

// Tree lists every path under root, relative, in walk order.
func Tree(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	return out, err
}
