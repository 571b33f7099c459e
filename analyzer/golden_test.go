package analyzer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenSegmentation keeps the word cuts of a sample of seed paragraphs
// in testdata/segmentation.golden, so that any change of segmentation shows
// up as a reviewable diff (and calls for a new Version). Refresh with
// go test -run TestGoldenSegmentation -update.
func TestGoldenSegmentation(t *testing.T) {
	files, err := filepath.Glob("../testdata/reports/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed reports: %v", err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			n++
			if n%15 != 1 {
				continue
			}
			if r := []rune(line); len(r) > 120 {
				line = string(r[:120])
			}
			fmt.Fprintf(&b, "%s:%d: %s\n", filepath.Base(f), i+1, terms(Tokens(line)))
		}
	}
	const path = "testdata/segmentation.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Errorf("segmentation changed; first difference:\n got %s\nwant %s", gl[i], wl[i])
				break
			}
		}
		if len(gl) != len(wl) {
			t.Errorf("golden has %d lines; now %d", len(wl), len(gl))
		}
	}
}
