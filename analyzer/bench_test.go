package analyzer

import (
	"runtime"
	"testing"
)

// benchParagraphs returns the seed paragraphs as the index analyzes them,
// one call per paragraph, and their total size.
func benchParagraphs(b *testing.B) ([][]byte, int64) {
	var out [][]byte
	var n int64
	for _, p := range seedParagraphs(b) {
		out = append(out, []byte(p))
		n += int64(len(p))
	}
	return out, n
}

// BenchmarkGseSegment is the baseline: gse's own Segment on the raw
// paragraphs, with the same dictionary.
func BenchmarkGseSegment(b *testing.B) {
	paras, n := benchParagraphs(b)
	seg := gseSegmenter()
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paras {
			seg.Segment(p)
		}
	}
}

// BenchmarkWordTokenizer measures folding, segmentation, mixed-token merging
// and token construction.
func BenchmarkWordTokenizer(b *testing.B) {
	paras, n := benchParagraphs(b)
	WaitReady()
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paras {
			WordTokenizer{}.Tokenize(p)
		}
	}
}

// BenchmarkWordAnalyzer adds the fold filter: what indexing costs.
func BenchmarkWordAnalyzer(b *testing.B) {
	paras, n := benchParagraphs(b)
	WaitReady()
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paras {
			wordAnalyzer.Analyze(p)
		}
	}
}

func BenchmarkNgramAnalyzer(b *testing.B) {
	paras, n := benchParagraphs(b)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paras {
			ngramAnalyzer.Analyze(p)
		}
	}
}

// BenchmarkDictLoad builds a fresh word dictionary (gse's embedded
// simplified dictionary text, the lexicon, the costs) per iteration and
// reports the heap it keeps alive.
func BenchmarkDictLoad(b *testing.B) {
	benchLoad(b, func() any {
		d, err := buildDict(lexiconFreq, false)
		if err != nil {
			b.Fatal(err)
		}
		return d.wordDict(false)
	})
}

// BenchmarkGseDictLoad is the load the word dictionary replaces: gse's own
// Dictionary over the same text and lexicon.
func BenchmarkGseDictLoad(b *testing.B) {
	benchLoad(b, func() any { return newSegmenterFreq(lexiconFreq) })
}

func benchLoad(b *testing.B, load func() any) {
	var before, after runtime.MemStats
	var heap uint64
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		d := load()
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(d)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heapMB")
}
