package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fidelity is the account of one file: every non-blank source line is
// either found in the paragraphs, left out piece by piece with a reason, or
// lost.
type fidelity struct {
	lines, kept, dropped int
	droppedBy            map[string]int
	lost                 []string // source lines (or the parts of them) found nowhere
	lostChars            int
}

// auditFile checks f against the raw bytes it was parsed from.
func auditFile(t testing.TB, data []byte, f *File) fidelity {
	t.Helper()
	dec, _, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", f.Source, err)
	}
	c := clean(dec)
	var kept strings.Builder
	for _, r := range f.Reports {
		for _, q := range r.Paragraphs {
			kept.WriteString(dedupeKey(q.Text))
		}
	}
	all := kept.String()
	// Repeats (line 0) need no place: their text is in the paragraphs.
	dropsOn := map[int][]Drop{}
	for _, d := range f.Drops {
		dropsOn[d.Line] = append(dropsOn[d.Line], d)
	}
	fd := fidelity{droppedBy: map[string]int{}}
	for i, line := range strings.Split(c.text, "\n") {
		l := dedupeKey(line)
		if l == "" {
			continue
		}
		fd.lines++
		if strings.Contains(all, l) {
			fd.kept++
			continue
		}
		// Cut the dropped pieces out; what is left must be in the text.
		rest := l
		var rules []string
		for _, d := range dropsOn[i+1] {
			dt := dedupeKey(d.Text)
			if dt != "" && strings.Contains(rest, dt) {
				rest = strings.Replace(rest, dt, "\x00", 1)
				rules = append(rules, d.Rule)
			}
		}
		var lost []string
		for _, frag := range strings.Split(rest, "\x00") {
			lost = append(lost, unmatched(all, frag)...)
		}
		if len(lost) > 0 {
			for _, frag := range lost {
				fd.lostChars += len([]rune(frag))
			}
			fd.lost = append(fd.lost, fmt.Sprintf("line %d: %q", i+1, strings.Join(lost, " … ")))
			continue
		}
		fd.dropped++
		for _, r := range rules {
			fd.droppedBy[r]++
		}
	}
	return fd
}

// minRun is the shortest run of a source line that counts as found in the
// paragraphs: shorter runs match somewhere by chance.
const minRun = 8

// unmatched returns the parts of frag that are not in all. frag is covered
// greedily by the longest runs found in all, since a repeated copy of a
// report may be kept with other paragraph breaks than the line shows.
func unmatched(all, frag string) []string {
	if frag == "" || strings.Contains(all, frag) {
		return nil
	}
	rs := []rune(frag)
	var lost []string
	lostFrom := -1
	for i := 0; i < len(rs); {
		// The longest rs[i:j] in all: containment is monotone in j.
		lo, hi := i, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if strings.Contains(all, string(rs[i:mid])) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if lo-i >= min(minRun, len(rs)-i) {
			if lostFrom >= 0 {
				lost = append(lost, string(rs[lostFrom:i]))
				lostFrom = -1
			}
			i = lo
			continue
		}
		if lostFrom < 0 {
			lostFrom = i
		}
		i++
	}
	if lostFrom >= 0 {
		lost = append(lost, string(rs[lostFrom:]))
	}
	return lost
}

// corpusDirs lists the seed corpus and every folder under the shared
// corpora, by name.
func corpusDirs(t testing.TB) map[string]string {
	dirs := map[string]string{"seeds": filepath.Join("..", "testdata", "reports")}
	root := sharedRoot()
	entries, err := os.ReadDir(filepath.Join(root, "corpus"))
	if err != nil {
		t.Logf("shared corpora absent (%s): only the seeds are audited", filepath.Join(root, "corpus"))
		return dirs
	}
	for _, e := range entries {
		if e.IsDir() {
			dirs[e.Name()] = filepath.Join(root, "corpus", e.Name())
		}
	}
	return dirs
}

// TestSourceFidelity audits every corpus: every source line holding report
// text is in the paragraphs, every left-out piece has a reason, and no text
// is lost.
func TestSourceFidelity(t *testing.T) {
	dirs := corpusDirs(t)
	names := make([]string, 0, len(dirs))
	for n := range dirs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			ins, err := InputsFromPaths([]string{dirs[name]})
			if err != nil {
				t.Fatal(err)
			}
			if len(ins) == 0 {
				t.Skipf("no .txt files in %s", dirs[name])
			}
			total := fidelity{droppedBy: map[string]int{}}
			for _, in := range ins {
				path := in.Name
				data, err := in.Read()
				if err != nil {
					t.Fatal(err)
				}
				f, err := Parse(path, data)
				if err != nil {
					t.Errorf("%s: %v", path, err)
					continue
				}
				fd := auditFile(t, data, f)
				total.lines += fd.lines
				total.kept += fd.kept
				total.dropped += fd.dropped
				total.lostChars += fd.lostChars
				for r, n := range fd.droppedBy {
					total.droppedBy[r] += n
				}
				for _, l := range fd.lost {
					t.Errorf("%s: lost %s", filepath.Base(path), l)
				}
			}
			t.Logf("%s: %d files, %d lines: %d kept, %d dropped %v, %d text characters lost",
				name, len(ins), total.lines, total.kept, total.dropped, total.droppedBy, total.lostChars)
		})
	}
}
