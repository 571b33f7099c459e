//go:build !ne

package analyzer

import (
	"strings"
	"testing"
)

// TestGseTextLinked checks that the go:linkname reaches gse's embedded
// simplified dictionary: a build without it would fall back to loading
// gse's own Dictionary, silently costing seconds and 130 MB.
func TestGseTextLinked(t *testing.T) {
	if n := strings.Count(gseSimplified, "\n"); n < 300000 {
		t.Fatalf("gse's simplified dictionary text has %d lines", n)
	}
}
