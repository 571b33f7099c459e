package index

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddGeneration(t *testing.T) {
	src := newScratchIndex(t)
	mustAdd(t, src, testReport("r1", "静安区", 2021, "琥珀计划第一条。"))
	man := src.Manifest()
	copyFiles := func(dst string) error {
		got, err := src.CopyCommitted(CopyDir(dst))
		if err == nil && got != man {
			t.Errorf("the copy's manifest %+v is not the index's %+v", got, man)
		}
		return err
	}
	for _, tc := range []struct {
		name   string
		number int
		taken  bool // a directory gen-number exists already
		fill   func(string) error
		accept func(*Index) error
		gen    string // the generation made current; "" none
		err    string
	}{
		{"a copy becomes current under its number", 5, false, copyFiles, nil, "gen-5", ""},
		{"a taken number gives the next free one", 2, true, copyFiles, nil, "gen-3", ""},
		{"no number gives the next free one", 0, false, copyFiles, nil, "gen-2", ""},
		{"a failed fill", 5, false, func(string) error { return errors.New("download cut") }, nil, "", "download cut"},
		{"a refusal of the caller's", 5, false, copyFiles, func(*Index) error { return errors.New("manifest differs") }, "", "manifest differs"},
		{"files that are not an index", 5, false, func(dst string) error {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, "index_meta.json"), []byte("{"), 0o644)
		}, nil, "", "index is stale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, err := AddGeneration(dir, 1, copyFiles, nil)
			if err != nil {
				t.Fatal(err)
			}
			first.Close()
			if tc.taken {
				if err := os.Mkdir(filepath.Join(dir, "gen-2"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			ix, err := AddGeneration(dir, tc.number, tc.fill, tc.accept)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if cur, _ := currentGeneration(dir); filepath.Base(cur) != "gen-1" {
					t.Errorf("after a refused generation CURRENT names %s, want gen-1", cur)
				}
				if _, err := os.Stat(filepath.Join(dir, "gen-5")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the refused generation's directory is left: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if got := filepath.Base(ix.Dir()); got != tc.gen {
				t.Errorf("added %s, want %s", got, tc.gen)
			}
			if cur, _ := currentGeneration(dir); cur != ix.Dir() {
				t.Errorf("CURRENT names %s, want %s", cur, ix.Dir())
			}
			if ix.Manifest() != man || total(t, ix, "琥珀计划") != 1 {
				t.Errorf("the added generation holds %+v, want the copy's %+v", ix.Manifest(), man)
			}
			RemoveGenerationsExcept(dir, "")
			if gens := generations(dir); len(gens) != 1 {
				t.Errorf("after removing all but the current one, generations %v remain", gens)
			}
		})
	}
}
