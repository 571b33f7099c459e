package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "經\t经\n阪\t阪 坂\n乾\t干 乾\n著名\t著名\n# comment\n\n"
	got, err := parse(strings.NewReader(in), "t")
	if err == nil || !strings.Contains(err.Error(), "only 2 mappings") {
		t.Fatalf("parse small table: %v, %v", got, err)
	}
	for _, tc := range []struct{ name, line string }{
		{"no tab", "經经\n"},
		{"no target", "經\t\n"},
		{"invalid UTF-8", "\xff\t经\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parse(strings.NewReader(tc.line), "bad.txt"); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
				t.Errorf("parse(%q) err = %v; want a line-numbered error", tc.line, err)
			}
		})
	}
}

func TestParseKeepsFirstSingleRuneCandidate(t *testing.T) {
	var b strings.Builder
	for r := rune(0x4E00); r < 0x4E00+1000; r++ {
		b.WriteString(string(r) + "\t" + string(r+0x1000) + " " + string(r+0x2000) + "\n")
	}
	b.WriteString("著名\t著名\n")
	got, err := parse(strings.NewReader(b.String()), "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 || got[0x4E00] != 0x5E00 {
		t.Fatalf("got %d entries, %c", len(got), got[0x4E00])
	}
}

// TestGeneratedTableUpToDate regenerates the table from the installed OpenCC
// data and compares it with the committed file.
func TestGeneratedTableUpToDate(t *testing.T) {
	const src = "/usr/share/opencc/TSCharacters.ocd2"
	if _, err := os.Stat(src); err != nil {
		t.Skip("OpenCC data not installed")
	}
	if _, err := exec.LookPath("opencc_dict"); err != nil {
		t.Skip("opencc_dict not installed")
	}
	out := filepath.Join(t.TempDir(), "table.go")
	if err := run(src, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../tradsimp_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("tradsimp_table.go differs from the installed OpenCC data; run go generate ./analyzer")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("經\t经\n阪\t阪 坂\n")
	f.Fuzz(func(t *testing.T, in string) {
		pairs, err := parse(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		for k, v := range pairs {
			if k == v {
				t.Errorf("identity mapping %c kept", k)
			}
		}
	})
}

func TestResolveChains(t *testing.T) {
	pairs := map[rune]rune{'薴': '苧', '苧': '苎', '經': '经', 'a': 'b', 'b': 'a'}
	resolveChains(pairs)
	if pairs['薴'] != '苎' || pairs['苧'] != '苎' || pairs['經'] != '经' {
		t.Errorf("chains not followed: %q", pairs)
	}
	if pairs['a'] != 'b' || pairs['b'] != 'a' {
		t.Errorf("cycle changed: %q", pairs)
	}
}
