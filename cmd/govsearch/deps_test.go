package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLeavesOutTheBenchmark checks that the production binary links
// neither the benchmark nor its baseline engine's cjk analyzer; they live
// in cmd/govsearch-bench.
func TestBinaryLeavesOutTheBenchmark(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "govsearch/bench" || strings.HasPrefix(pkg, "github.com/blevesearch/bleve/v2/analysis/lang/cjk") {
			t.Errorf("govsearch links %s", pkg)
		}
	}
}
