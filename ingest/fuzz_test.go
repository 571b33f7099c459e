package ingest

import (
	"io/fs"
	"testing"
	"unicode/utf8"

	"govsearch"
)

func FuzzParse(f *testing.F) {
	_ = fs.WalkDir(govsearch.SeedReports(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(govsearch.SeedReports(), path)
			// Seed with a slice of each file: whole files make slow inputs.
			if len(data) > 6000 {
				data = data[:6000]
			}
			f.Add(data)
		}
		return nil
	})
	f.Add([]byte(sampleReport))
	f.Add([]byte("各位代表：\n现在，我代表国务院向大会作报告。\n一、二、三、（一）（二）\n<U+00A0>\r\n"))
	f.Add([]byte(provincialPage))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.txt", data)
		if err != nil {
			return
		}
		// Nothing vanishes: every line is in the paragraphs or dropped
		// with a rule.
		if fd := auditFile(t, data, file); fd.lostChars > 0 {
			t.Fatalf("text lost: %v", fd.lost)
		}
		dec, _, err := Decode(data)
		if err != nil {
			t.Fatalf("Parse succeeded but Decode fails: %v", err)
		}
		for _, r := range file.Reports {
			last := -1
			for _, p := range r.Paragraphs {
				if p.Start < 0 || p.End > len(dec) || p.Start >= p.End {
					t.Fatalf("paragraph %s: span [%d,%d) outside source of %d bytes", p.ID, p.Start, p.End, len(dec))
				}
				if !utf8.ValidString(dec[p.Start:p.End]) {
					t.Fatalf("paragraph %s: span cuts a character", p.ID)
				}
				if p.Start < last {
					t.Fatalf("paragraph %s starts at %d before the previous paragraph's start %d", p.ID, p.Start, last)
				}
				last = p.Start
				if utf8.RuneCountInString(p.Text) > MaxParagraphRunes {
					t.Fatalf("paragraph %s too long", p.ID)
				}
			}
		}
	})
}

// BenchmarkParseSeeds measures parse throughput on the seed corpus.
func BenchmarkParseSeeds(b *testing.B) {
	var inputs [][]byte
	var names []string
	total := 0
	_ = fs.WalkDir(govsearch.SeedReports(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(govsearch.SeedReports(), path)
			inputs = append(inputs, data)
			names = append(names, path)
			total += len(data)
		}
		return nil
	})
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for i, data := range inputs {
			if _, err := Parse(names[i], data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
