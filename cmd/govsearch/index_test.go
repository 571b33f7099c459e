package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"govsearch/index"
)

// TestIndexAndSearchCommands builds an index of the seeds with `govsearch
// index`, re-indexes a file, and checks `govsearch search` in both output
// forms against the index itself.
func TestIndexAndSearchCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seeds := filepath.Join("..", "..", "testdata", "reports")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"index", "--index", dir, seeds}, &out, &errb); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errb.String())
	}
	summary := regexp.MustCompile(`^built \S+gen-1: 5 files, (\d+) reports, (\d+) paragraphs in [0-9.]+ s \([0-9.]+ MB/s; dictionary [0-9.]+ s before\)\n$`)
	first := summary.FindStringSubmatch(out.String())
	if first == nil {
		t.Fatalf("index summary %q", out.String())
	}
	// Re-indexing a file replaces its reports: the totals do not change.
	out.Reset()
	one := filepath.Join(seeds, "000_fb16f82d61c4a2eb.txt")
	if code := run(ctx, []string{"index", "--index", dir, one}, &out, &errb); code != 0 {
		t.Fatalf("re-index: exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "updated ") || !strings.Contains(out.String(), ": 1 files, ") {
		t.Errorf("re-index summary %q", out.String())
	}

	out.Reset()
	if code := run(ctx, []string{"search", "--index", dir, "--json", "--size", "3", "一网通办"}, &out, &errb); code != 0 {
		t.Fatalf("search --json: exit %d: %s", code, errb.String())
	}
	var got index.Response
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("search --json output: %v", err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ix.Search(ctx, index.Request{Query: "一网通办", Size: 3, Highlight: true, Sort: index.SortRelevance})
	ix.Close()
	if err != nil {
		t.Fatal(err)
	}
	got.TookMS, want.TookMS = 0, 0
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("search --json differs from Index.Search:\n got %+v\nwant %+v", got, *want)
	}
	if got.Total == 0 || len(got.Hits) != 3 {
		t.Errorf("search --json: %d hits of %d", len(got.Hits), got.Total)
	}

	out.Reset()
	if code := run(ctx, []string{"search", "--index", dir, "--size", "2", "一网通办"}, &out, &errb); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errb.String())
	}
	text := out.String()
	if !strings.Contains(text, "【一网通办】") || !strings.Contains(text, "第") || !strings.Contains(text, "\n1. ") || strings.Contains(text, "<mark>") {
		t.Errorf("search output:\n%s", text)
	}

	out.Reset()
	nl := "静安区如何推进一网通办改革"
	if code := run(ctx, []string{"search", "--index", dir, "--json", "--match", "best", nl}, &out, &errb); code != 0 {
		t.Fatalf("search --match best: exit %d: %s", code, errb.String())
	}
	var best index.Response
	if err := json.Unmarshal(out.Bytes(), &best); err != nil {
		t.Fatalf("search --match best output: %v", err)
	}
	if ix, err = index.Open(dir); err != nil {
		t.Fatal(err)
	}
	wantBest, err := ix.Search(ctx, index.Request{Query: nl, Size: index.DefaultSize, Highlight: true, Match: index.MatchBest})
	ix.Close()
	if err != nil {
		t.Fatal(err)
	}
	best.TookMS, wantBest.TookMS = 0, 0
	if !reflect.DeepEqual(&best, wantBest) || best.Total == 0 {
		t.Errorf("search --match best differs from Index.Search or finds nothing:\n got %+v\nwant %+v", best, *wantBest)
	}
	errb.Reset()
	if code := run(ctx, []string{"search", "--index", dir, "--match", "bset", "x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--match") {
		t.Errorf("bad --match: exit %d, %q", code, errb.String())
	}

	errb.Reset()
	if code := run(ctx, []string{"search", "--index", dir, "a", "OR"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "bad q: OR must stand between two terms") {
		t.Errorf("bad query: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := run(ctx, []string{"search", "--index", t.TempDir(), "x"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no index") {
		t.Errorf("missing index: exit %d, %q", code, errb.String())
	}
	if code := run(ctx, []string{"index", "--index", dir}, &out, &errb); code != 2 {
		t.Errorf("index without paths: exit %d", code)
	}
}

func TestTerminalFragment(t *testing.T) {
	frag := "前&lt;b&gt;<mark>一网\n通办</mark>后 &amp;"
	if got := terminalFragment(frag, false); got != "前<b>【一网 通办】后 &" {
		t.Errorf("plain = %q", got)
	}
	if got := terminalFragment(frag, true); got != "前<b>\x1b[1;31m一网 通办\x1b[0m后 &" {
		t.Errorf("colour = %q", got)
	}
}

func TestParseMemoryLimit(t *testing.T) {
	good := map[string]int64{"": 0, "none": -1, "NONE": -1, "800MiB": 800 << 20, "2GiB": 2 << 30, "1.5GiB": 1536 << 20, "900 MB": 900e6, "1e9": 1e9, "1gb": 1e9}
	for in, want := range good {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			if got, err := parseMemoryLimit(in); err != nil || got != want {
				t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
			}
		})
	}
	for _, in := range []string{"lots", "-1GiB", "0", "10MiB", "1TB", "GiB", "1e400", "NaN"} {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			if got, err := parseMemoryLimit(in); err == nil {
				t.Errorf("parseMemoryLimit(%q) = %d, want an error", in, got)
			}
		})
	}
}
