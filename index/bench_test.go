package index

import (
	"context"
	"testing"

	"govsearch/analyzer"
)

// BenchmarkSearch measures a search with all facets and highlights, size
// 10, over the seed corpus (or the national corpus with -bench=National).
func BenchmarkSearch(b *testing.B) {
	benchSearch(b, seedDir)
}

func BenchmarkSearchNational(b *testing.B) {
	benchSearch(b, nationalDir)
}

func benchSearch(b *testing.B, path string) {
	c := openCorpus(b, path)
	queries := []string{"一网通办", "发展 经济", "改革 OR 开放 -社会", "营商环境 year:2018..2023", "的"}
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := c.ix.Search(ctx, Request{Query: queries[i%len(queries)], Highlight: true}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchFilteredFacets measures a search whose region filter
// makes the region facet a second search (multi-select facets).
func BenchmarkSearchFilteredFacets(b *testing.B) {
	c := openCorpus(b, seedDir)
	region := c.records[0].Region
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.ix.Search(ctx, Request{Query: "发展", Highlight: true, Filters: Filters{FacetRegion: {region}}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild measures a full build of the seed corpus; its MB/s is raw
// input bytes per second of wall time, MB/cpu-s per CPU second.
func BenchmarkBuild(b *testing.B) {
	benchBuild(b, seedDir)
}

// BenchmarkBuildNational measures a full build of the national corpus.
func BenchmarkBuildNational(b *testing.B) {
	benchBuild(b, nationalDir)
}

func benchBuild(b *testing.B, dir string) {
	needCorpus(b, dir)
	analyzer.WaitReady()
	inputs, err := reportInputs(dir)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, in := range inputs {
		n += in.Size
	}
	b.SetBytes(n)
	var size int64
	cpu0 := processCPU()
	for b.Loop() {
		st, err := Build(context.Background(), b.TempDir(), inputs, BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		size = dirSize(st.Generation)
	}
	// CPU seconds include the background merges; size/raw is the ratio of
	// the generation directory to the raw text.
	cpu := (processCPU() - cpu0).Seconds() / float64(b.N)
	b.ReportMetric(cpu, "cpu-s/op")
	b.ReportMetric(float64(n)/1e6/cpu, "MB/cpu-s")
	b.ReportMetric(float64(size)/float64(n), "size/raw")
}

// BenchmarkHighlight measures occurrence finding and fragment building for
// one long paragraph.
func BenchmarkHighlight(b *testing.B) {
	c := openCorpus(b, seedDir)
	text := ""
	for _, r := range c.records {
		if len(r.Text) > len(text) {
			text = r.Text
		}
	}
	m := newMatcher([]string{"发展", "经济"})
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		fragments(text, m.find(text), fragmentLength, maxFragments)
	}
}

// BenchmarkOpen measures opening an existing index (one seed report), the
// part of a server's start that waits for the index.
func BenchmarkOpen(b *testing.B) {
	analyzer.WaitReady()
	dir := b.TempDir()
	inputs, err := reportInputs(seedDir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Build(context.Background(), dir, inputs[:1], BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ix, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkSearchOneChar measures one-character queries with facets and
// highlights over the national corpus, the queries that walk the most
// postings.
func BenchmarkSearchOneChar(b *testing.B) {
	c := openCorpus(b, nationalDir)
	queries := []string{"的", "网", "霾", "民 year:2000.."}
	ctx := context.Background()
	for _, q := range queries {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ix.Search(ctx, Request{Query: q, Highlight: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKeyTable measures making the facet key table of one snapshot of
// the national corpus, which the first search of every snapshot waits for.
func BenchmarkKeyTable(b *testing.B) {
	c := openCorpus(b, nationalDir)
	r, done, err := c.ix.reader()
	if err != nil {
		b.Fatal(err)
	}
	defer done()
	for b.Loop() {
		c.ix.keyMu.Lock()
		c.ix.keys = nil
		c.ix.keyMu.Unlock()
		if _, err := c.ix.keyTableFor(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchClassesNational measures, one sub-benchmark per query,
// the slowest query classes of the benchmark set (bench/queries.txt):
// NEAR/SENT and match=best, with all facets and highlights as the API
// asks by default.
func BenchmarkSearchClassesNational(b *testing.B) {
	c := openCorpus(b, nationalDir)
	ctx := context.Background()
	for _, q := range []struct{ text, match string }{
		{"一网通办 NEAR 改革", ""},
		{"营商环境 SENT 民营企业", ""},
		{"就业 NEAR/5 稳定", ""},
		{"科技 NEAR/3 创新", ""},
		{"改革 SENT 开放", ""},
		{"发展 NEAR/0 经济", ""},
		{"生态 NEAR/10 保护 year:2010..", ""},
		{"乡村振兴 SENT 人才", ""},
		{"推动高质量发展的主要举措", MatchBest},
		{"加强生态环境保护和污染防治", MatchBest},
		{"如何稳定和扩大就业", MatchBest},
	} {
		b.Run(q.text, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ix.Search(ctx, Request{Query: q.text, Match: q.match, Highlight: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
