package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIngestCommandJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"ingest", "--json", filepath.Join("..", "..", "testdata", "reports")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	reports := map[string]bool{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		for _, k := range []string{"id", "report_id", "ordinal", "part", "part_kind", "section", "kind", "term", "definition", "text", "start", "end",
			"title", "region", "level", "parent", "year", "date", "speaker", "speaker_title", "session", "source"} {
			if _, ok := rec[k]; !ok {
				t.Fatalf("line %d lacks %q", lines, k)
			}
		}
		reports[rec["report_id"].(string)] = true
	}
	if len(reports) != 12 || lines < 400 {
		t.Errorf("%d records of %d reports, want 12 reports", lines, len(reports))
	}
}

func TestIngestCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join("..", "..", "testdata", "reports", "003_8b03acbbd24002e3.txt")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"ingest", empty, good}, &out, &errb)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	msg := strings.TrimSpace(errb.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, empty) || !strings.Contains(msg, "empty file") {
		t.Errorf("stderr %q: want one line naming %s", msg, empty)
	}
	if !strings.Contains(out.String(), "长宁区") {
		t.Errorf("the good file was not reported:\n%s", out.String())
	}
}
