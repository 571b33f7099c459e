// Package testcorpus locates the shared corpora (the national reports and
// the scraped national pages) that some tests read on top of the seeds.
// They live outside the repository, so a fresh clone has none: the tests
// that need them skip, the others check what they can on the seeds.
//
// The shared folder is $GOVSEARCH_SHARED when set, else ../shared beside
// the module root. Pointing GOVSEARCH_SHARED at an empty folder runs the
// suite as a fresh clone does.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Env names the environment variable that overrides the shared folder.
const Env = "GOVSEARCH_SHARED"

// Dir returns the shared folder, whether or not it exists. A relative
// $GOVSEARCH_SHARED is taken from the module root, where go test is
// usually started, not from the package directory the test runs in.
func Dir() string {
	root := moduleRoot()
	if d := os.Getenv(Env); d != "" {
		if filepath.IsAbs(d) || root == "" {
			return d
		}
		return filepath.Join(root, d)
	}
	if root == "" {
		return filepath.Join("..", "..", "shared")
	}
	return filepath.Join(filepath.Dir(root), "shared")
}

// moduleRoot returns the nearest directory holding go.mod at or above the
// working directory (tests run in their package's directory, at any depth),
// or "" when there is none.
func moduleRoot() string {
	d, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Corpus returns the folder of the shared corpus name (such as "national"
// or "national-noisy"), or "" when it is absent.
func Corpus(name string) string {
	dir := filepath.Join(Dir(), "corpus", name)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

// Need returns the folder of the shared corpus name, skipping t with a
// one-line message naming the missing folder when it is absent.
func Need(t testing.TB, name string) string {
	t.Helper()
	dir := Corpus(name)
	if dir == "" {
		t.Skip(Missing(name))
	}
	return dir
}

// Missing is the message of a test that skips or narrows its check because
// the shared corpus name is absent.
func Missing(name string) string {
	return "shared corpus " + name + " absent: no folder " + filepath.Join(Dir(), "corpus", name) +
		" (" + Env + " names the shared folder, default ../shared beside the module)"
}
