package bench

// Go benchmarks of the hot paths on the seed corpus: analysis (raw gse, the
// word analyzer, the n-gram analyzer), query parsing, builds, and searches
// of every query class on both engines. Run them with
//
//	go test -run '^$' -bench . -benchtime 2s ./bench
//
// govsearch-bench measures the same things on larger corpora, in fresh
// processes, with latency percentiles.

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/registry"
	"github.com/go-ego/gse"

	"govsearch"
	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
)

// seedParagraphs returns the paragraph texts of the seeds and their total
// size in bytes.
var seedParagraphs = sync.OnceValues(func() ([]string, int64) {
	ins, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		panic(err)
	}
	var texts []string
	var n int64
	for _, in := range ins {
		f, err := in.Parse()
		if err != nil {
			panic(err)
		}
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				texts = append(texts, p.Text)
				n += int64(len(p.Text))
			}
		}
	}
	return texts, n
})

var rawGse = sync.OnceValue(func() *gse.Segmenter {
	seg := &gse.Segmenter{NotLoadHMM: true, SkipLog: true}
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		panic(err)
	}
	return seg
})

// benchTexts runs fn over every seed paragraph per iteration, on all
// cores, reporting MB/s of paragraph text.
func benchTexts(b *testing.B, fn func(string)) {
	texts, n := seedParagraphs()
	b.SetBytes(n)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, t := range texts {
				fn(t)
			}
		}
	})
}

func BenchmarkAnalyzeGse(b *testing.B) {
	seg := rawGse()
	benchTexts(b, func(t string) { seg.Segment([]byte(t)) })
}

func BenchmarkAnalyzeWord(b *testing.B) {
	analyzer.WaitReady()
	benchTexts(b, func(t string) { analyzer.Tokens(t) })
}

func BenchmarkAnalyzeNgram(b *testing.B) {
	// The n-gram analyzer under its registered name (analyzer/README.md).
	an, err := registry.NewCache().AnalyzerNamed("govsearch_ngram")
	if err != nil {
		b.Fatal(err)
	}
	benchTexts(b, func(t string) { an.Analyze([]byte(t)) })
}

func BenchmarkParseQuerySet(b *testing.B) {
	qs, err := ParseQueries("queries.txt", DefaultQueries)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, q := range qs {
			if _, err := index.ParseQuery(q.Text); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkBuildSeeds(b *testing.B) {
	ins, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		b.Fatal(err)
	}
	var raw int64
	for _, in := range ins {
		raw += in.Size
	}
	analyzer.WaitReady() // a build pays for the dictionary once per process
	for _, engine := range Engines {
		b.Run(engine, func(b *testing.B) {
			b.SetBytes(raw)
			for b.Loop() {
				dir := b.TempDir()
				if _, err := build(context.Background(), engine, dir, ins); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.RemoveAll(dir)
				b.StartTimer()
			}
		})
	}
}

// seedIndexRoot holds the indexes of seedIndexes; TestMain removes it.
var seedIndexRoot string

// seedIndexes builds both engines' seed indexes once per test binary.
var seedIndexes = sync.OnceValues(func() (map[string]string, error) {
	root, err := os.MkdirTemp("", "govsearch-bench-seeds-*")
	if err != nil {
		return nil, err
	}
	seedIndexRoot = root
	ins, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		return nil, err
	}
	dirs := map[string]string{}
	for _, e := range Engines {
		dirs[e] = root + "/" + e
		if _, err := build(context.Background(), e, dirs[e], ins); err != nil {
			return nil, err
		}
	}
	return dirs, nil
})

func BenchmarkSearch(b *testing.B) {
	dirs, err := seedIndexes()
	if err != nil {
		b.Fatal(err)
	}
	qs, err := ParseQueries("queries.txt", DefaultQueries)
	if err != nil {
		b.Fatal(err)
	}
	groups := byClass(qs)
	for _, engine := range Engines {
		s, err := open(engine, dirs[engine])
		if err != nil {
			b.Fatal(err)
		}
		for _, class := range Classes {
			cq := groups[class]
			b.Run(engine+"/"+class, func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := s.search(context.Background(), cq[i%len(cq)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
		s.Close()
	}
}
