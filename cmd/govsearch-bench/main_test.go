package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadArguments(t *testing.T) {
	queries := filepath.Join(t.TempDir(), "q.txt")
	if err := os.WriteFile(queries, []byte("term 民生\nfuzzy 放管服\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown corpus", []string{"--corpus", "galaxy"}, `--corpus: unknown corpus "galaxy"`},
		{"scale below one MiB", []string{"--scale-mb", "0"}, "--scale-mb must be at least 1"},
		{"concurrency not a number", []string{"--conc", "1,x"}, `--conc: concurrency "x" is not a number`},
		{"query file with an unknown class", []string{"--queries", queries}, `q.txt:2: unknown class "fuzzy"`},
		{"missing query file", []string{"--queries", filepath.Join(t.TempDir(), "none.txt")}, "--queries: open"},
		{"missing server binary", []string{"--govsearch", filepath.Join(t.TempDir(), "none")}, "--govsearch: "},
		{"extra argument", []string{"extra"}, `unexpected argument "extra"`},
		{"unknown child mode", []string{"_child", "dance"}, `unknown mode "dance"`},
		{"child without a mode", []string{"_child"}, "a mode is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), c.want) {
				t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, errb.String(), c.want)
			}
		})
	}
}
