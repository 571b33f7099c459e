package replica

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"govsearch/index"
)

// madeUpGeneration is a sealed generation of two files.
func madeUpGeneration(t testing.TB, change func(*Generation)) []byte {
	t.Helper()
	g := Generation{
		Name: "gen-7", Seq: 7,
		Manifest: index.Manifest{Format: "9", Analyzer: "a1", Reports: 2, Paragraphs: 30, Updated: "2031-01-10T00:00:00Z"},
		Files: []File{
			{Path: "index_meta.json", Size: 40, SHA256: strings.Repeat("ab", 32)},
			{Path: "store/00000000000a.zap", Size: 4096, SHA256: strings.Repeat("0f", 32)},
		},
		Writer: "writer-1", Published: time.Date(2031, 1, 10, 0, 0, 0, 0, time.UTC),
	}
	if change != nil {
		change(&g)
	}
	if err := g.Seal(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeGeneration(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		err  string // "" accepts
	}{
		{"a sealed generation", madeUpGeneration(t, nil), ""},
		{"not JSON", []byte("gen-7"), "not valid JSON"},
		{"content changed after sealing", []byte(strings.Replace(string(madeUpGeneration(t, nil)), `"paragraphs":30`, `"paragraphs":31`, 1)), "does not match its content"},
		{"no checksum", []byte(strings.Replace(string(madeUpGeneration(t, nil)), `"checksum":"sha256:`, `"checksum":"x`, 1)), "does not match its content"},
		{"a name that is not its number", madeUpGeneration(t, func(g *Generation) { g.Name = "gen-8" }), "does not match its number"},
		{"no files", madeUpGeneration(t, func(g *Generation) { g.Files = nil }), "lists no files"},
		{"a path upwards", madeUpGeneration(t, func(g *Generation) { g.Files[0].Path = "../CURRENT" }), "not a plain relative path"},
		{"a path inside upwards", madeUpGeneration(t, func(g *Generation) { g.Files[0].Path = "store/../../x" }), "not a plain relative path"},
		{"an absolute path", madeUpGeneration(t, func(g *Generation) { g.Files[0].Path = "/etc/passwd" }), "not a plain relative path"},
		{"a backslash", madeUpGeneration(t, func(g *Generation) { g.Files[0].Path = `store\x.zap` }), "not a plain relative path"},
		{"an empty path", madeUpGeneration(t, func(g *Generation) { g.Files[0].Path = "" }), "not a plain relative path"},
		{"a path twice", madeUpGeneration(t, func(g *Generation) { g.Files[1].Path = g.Files[0].Path }), "twice"},
		{"a short checksum", madeUpGeneration(t, func(g *Generation) { g.Files[0].SHA256 = "abc" }), "not a hex SHA-256"},
		{"an upper-case checksum", madeUpGeneration(t, func(g *Generation) { g.Files[0].SHA256 = strings.Repeat("AB", 32) }), "not a hex SHA-256"},
		{"a negative size", madeUpGeneration(t, func(g *Generation) { g.Files[0].Size = -1 }), "negative size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := DecodeGeneration(tc.raw)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "" && (g.Name != "gen-7" || len(g.Files) != 2):
				t.Fatalf("decoded %+v", g)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestVerifyFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index_meta.json", `{"storage":"scorch"}`)
	write("store/a.zap", "segment")
	files, err := listFiles(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := &Generation{Name: "gen-1", Files: files}
	if err := verifyFiles(dir, g, nil); err != nil {
		t.Fatalf("the listed directory does not verify: %v", err)
	}
	for _, tc := range []struct {
		name   string
		damage func()
		undo   func()
		err    string
	}{
		{"a changed byte", func() { write("store/a.zap", "segmenT") }, func() { write("store/a.zap", "segment") }, "the generation lists"},
		{"an extra file", func() { write("store/b.zap", "x") }, func() { os.Remove(filepath.Join(dir, "store", "b.zap")) }, "not part of generation"},
		{"a missing file", func() { os.Remove(filepath.Join(dir, "store", "a.zap")) }, func() { write("store/a.zap", "segment") }, "is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.damage()
			defer tc.undo()
			if err := verifyFiles(dir, g, nil); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func FuzzDecodeGeneration(f *testing.F) {
	f.Add(madeUpGeneration(f, nil))
	f.Add(madeUpGeneration(f, func(g *Generation) { g.Files[0].Path = "../x" }))
	f.Add([]byte(`{"name":"gen-1","seq":1,"files":[{"path":"a","size":1,"sha256":""}],"checksum":""}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, err := DecodeGeneration(raw)
		if err != nil {
			return
		}
		// What is accepted is sealed and stays inside its directory.
		if sum, _ := g.sum(); sum != g.Checksum {
			t.Fatalf("accepted a generation whose checksum is not its content's: %q", raw)
		}
		for _, f := range g.Files {
			p := filepath.Join("/gen", filepath.FromSlash(f.Path))
			if !strings.HasPrefix(p, "/gen/") {
				t.Fatalf("accepted path %q leaves the generation", f.Path)
			}
		}
	})
}
