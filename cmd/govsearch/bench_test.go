package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchCommandBadFlags(t *testing.T) {
	queries := filepath.Join(t.TempDir(), "q.txt")
	if err := os.WriteFile(queries, []byte("term 民生\nfuzzy 放管服\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--corpus", "galaxy"}, `--corpus: unknown corpus "galaxy"`},
		{[]string{"bench", "--scale-mb", "0"}, "--scale-mb must be at least 1"},
		{[]string{"bench", "--conc", "1,x"}, `--conc: concurrency "x" is not a number`},
		{[]string{"bench", "--queries", queries}, `q.txt:2: unknown class "fuzzy"`},
		{[]string{"bench", "--queries", filepath.Join(t.TempDir(), "none.txt")}, "--queries: open"},
		{[]string{"bench", "extra"}, `unexpected argument "extra"`},
		{[]string{"bench", "_child", "dance"}, `unknown mode "dance"`},
		{[]string{"bench", "_child"}, "a mode is required"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, errb.String(), c.want)
		}
	}
}
