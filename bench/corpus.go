package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"govsearch"
	"govsearch/index"
	"govsearch/ingest"
)

// Corpus names accepted by --corpus.
const (
	CorpusSeeds     = "seeds"
	CorpusNational  = "national"
	CorpusProvinces = "provinces"
	CorpusNoisy     = "noisy"
	CorpusScale     = "scale"
	CorpusAll       = "all"
)

// Corpora lists the corpora of --corpus all, in report order.
var Corpora = []string{CorpusSeeds, CorpusNational, CorpusProvinces, CorpusNoisy, CorpusScale}

// ErrNoShared means a corpus needs the shared corpus folder, which is
// absent on this machine.
var ErrNoShared = errors.New("shared corpus folder not found")

// CorpusSpec names a corpus and where its files come from; a child process
// rebuilds exactly the same inputs from it.
type CorpusSpec struct {
	Name    string // one of Corpora
	Shared  string // the shared folder holding corpus/national and corpus/national-noisy
	ScaleMB int    // target raw size of the scale corpus, in MiB
}

// Inputs returns the raw files of the corpus. The scale corpus replicates
// the seeds, the national and the noisy corpus (whichever exist) under
// distinct file names, which ingest turns into distinct report and
// paragraph ids, until it holds at least ScaleMB MiB; it lives in memory
// (each read returns a fresh copy, as reading a file would).
func (c CorpusSpec) Inputs() ([]index.Input, error) {
	switch c.Name {
	case CorpusSeeds:
		return ingest.InputsFromFS(govsearch.SeedReports())
	case CorpusNational:
		return c.sharedInputs("national")
	case CorpusProvinces:
		return c.sharedInputs("provinces-2025")
	case CorpusNoisy:
		return c.sharedInputs("national-noisy")
	case CorpusScale:
		return c.scaleInputs()
	}
	return nil, fmt.Errorf("unknown corpus %q (known: %s, %s)", c.Name, strings.Join(Corpora, ", "), CorpusAll)
}

func (c CorpusSpec) sharedInputs(sub string) ([]index.Input, error) {
	dir := filepath.Join(c.Shared, "corpus", sub)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoShared)
	}
	ins, err := ingest.InputsFromPaths([]string{dir})
	if err != nil {
		return nil, err
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("%s: no report files (%s)", dir, ingest.ReportFiles)
	}
	return ins, nil
}

// scaleInputs builds the scale corpus from every real corpus present.
func (c CorpusSpec) scaleInputs() ([]index.Input, error) {
	if c.ScaleMB <= 0 {
		return nil, fmt.Errorf("scale corpus: size must be positive, got %d MiB", c.ScaleMB)
	}
	type source struct {
		tag string
		ins []index.Input
	}
	var srcs []source
	seeds, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		return nil, err
	}
	srcs = append(srcs, source{"s", seeds})
	for _, s := range []struct{ tag, sub string }{{"n", "national"}, {"w", "national-noisy"}} {
		ins, err := c.sharedInputs(s.sub)
		if errors.Is(err, ErrNoShared) {
			continue // replicate what exists
		}
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, source{s.tag, ins})
	}
	type file struct {
		tag, name string
		data      []byte
	}
	var base []file
	var baseSize int64
	for _, s := range srcs {
		for _, in := range s.ins {
			data, err := in.Read()
			if err != nil {
				return nil, fmt.Errorf("scale corpus: %w", err)
			}
			base = append(base, file{s.tag, in.Name, data})
			baseSize += int64(len(data))
		}
	}
	want := int64(c.ScaleMB) << 20
	var out []index.Input
	var total int64
	for copyN := 0; total < want; copyN++ {
		for _, f := range base {
			data := f.data
			out = append(out, index.Input{
				Name: ScaleName(f.name, f.tag, copyN),
				Size: int64(len(data)),
				Read: func() ([]byte, error) { return append([]byte(nil), data...), nil },
			})
			total += int64(len(data))
			if total >= want {
				break
			}
		}
	}
	return out, nil
}

// ScaleName is the file name of copy n of a base file from the corpus
// tagged tag. The copy mark stands before the extension and holds no
// digits, so the year and region that ingest reads from a file name such
// as 2021_国务院_政府工作报告.txt stay what they were, while the base name —
// from which ingest derives report ids — differs for every copy and corpus.
func ScaleName(name, tag string, n int) string {
	base := filepath.Base(name)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	return stem + ".copy-" + tag + letters(n) + ext
}

// letters writes n in bijective base 26 with the letters a–z: 0 is "a",
// 25 is "z", 26 is "aa".
func letters(n int) string {
	var b []byte
	for n++; n > 0; n = (n - 1) / 26 {
		b = append(b, byte('a'+(n-1)%26))
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
