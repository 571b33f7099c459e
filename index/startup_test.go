package index

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"govsearch/analyzer"
)

// TestOpenDoesNotLoadDictionary opens an index and searches it in a fresh
// process and checks that the segmentation dictionary was never loaded:
// a server can answer as soon as the index is open.
func TestOpenDoesNotLoadDictionary(t *testing.T) {
	if dir := os.Getenv("GOVSEARCH_TEST_OPEN_DIR"); dir != "" {
		start := time.Now()
		ix, err := Open(dir)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		res, err := ix.Search(context.Background(), Request{Query: "营商环境 OR 改革", Highlight: true})
		if err != nil {
			fmt.Println("search:", err)
			os.Exit(1)
		}
		fmt.Printf("hits=%d open+search=%s dictionary=%s\n", res.Total, time.Since(start), analyzer.LoadTime())
		ix.Close()
		return
	}
	ix := newScratchIndex(t)
	dir := ix.root
	ix.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenDoesNotLoadDictionary$")
	cmd.Env = append(os.Environ(), "GOVSEARCH_TEST_OPEN_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "hits=2 ") || !strings.Contains(string(out), "dictionary=0s") {
		t.Errorf("child output: %s", out)
	}
	t.Logf("%s", strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]))
}
