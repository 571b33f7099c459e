package index

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"govsearch/internal/knownitem"
)

// Best-match tuning: the share rule and the weights of defaultTuning were
// chosen by these benchmarks on one corpus and reported on the other
// (docs/relevance.md):
//
//	go test ./index -run '^$' -bench 'BestMatchTuning/national/sweep' -benchtime 1x
//
// Each candidate answers the same simulated known-item queries
// (internal/knownitem, seed tuneSeed) and reports MRR@10, success@10 and
// the mean number of hits per query (the size of the hit set a share rule
// lets through), and the median and 99th percentile time of a query (one
// at a time, no facets or highlights).

const (
	tuneSeed    = 13
	tuneQueries = 500
)

// shareRules are the candidate share rules, by name.
var shareRules = []struct {
	name string
	min  func(n int) int
}{
	{"all", func(n int) int { return n }},
	{"all-but-one", func(n int) int { return max(1, n-1) }},
	{"all-but-one,then-2/3", func(n int) int {
		if n <= 4 {
			return max(1, n-1)
		}
		return (2*n + 2) / 3
	}},
	{"2/3", func(n int) int { return (2*n + 2) / 3 }},
	{"1/2-up", func(n int) int { return (n + 1) / 2 }},
	{"1/2-down", shareHalf},
	{"two,then-1/3", func(n int) int { return max(min(n, 2), (n+2)/3) }},
	{"1/3", func(n int) int { return (n + 2) / 3 }},
	{"one", func(int) int { return 1 }},
}

// tuningCandidate is a named tuning.
type tuningCandidate struct {
	name string
	t    bestTuning
}

// tuningCandidates returns the candidates. "sweep" changes one setting of
// defaultTuning at a time: every share rule, the one-character words,
// each weight. "grid" is the last grid searched, around the weights chosen.
func tuningCandidates() []tuningCandidate {
	var out []tuningCandidate
	add := func(name string, change func(t *bestTuning)) {
		t := defaultTuning
		change(&t)
		out = append(out, tuningCandidate{name, t})
	}
	add("sweep/default", func(*bestTuning) {})
	for _, r := range shareRules {
		add("sweep/share="+r.name, func(t *bestTuning) { t.share = r.min })
	}
	add(fmt.Sprintf("sweep/dropSingle=%v", !defaultTuning.dropSingle), func(t *bestTuning) { t.dropSingle = !t.dropSingle })
	add(fmt.Sprintf("sweep/scoreSingle=%v", !defaultTuning.scoreSingle), func(t *bestTuning) { t.scoreSingle = !t.scoreSingle })
	for _, w := range []float64{0, 6, 24} {
		add(fmt.Sprintf("sweep/word=%g", w), func(t *bestTuning) { t.weights.word = w })
	}
	for _, w := range []float64{0, 1, 10} {
		add(fmt.Sprintf("sweep/exact=%g", w), func(t *bestTuning) { t.weights.exact = w })
	}
	for _, w := range []float64{0, 6, 20} {
		add(fmt.Sprintf("sweep/head=%g", w), func(t *bestTuning) { t.weights.head = w })
	}
	for _, w := range []float64{0, 10, 100} {
		add(fmt.Sprintf("sweep/pair=%g", w), func(t *bestTuning) { t.pair = w })
	}
	for _, w := range []float64{0, 3, 30} {
		add(fmt.Sprintf("sweep/bigrams=%g", w), func(t *bestTuning) { t.bigrams = w })
	}
	for _, pair := range []float64{10, 30, 50} {
		for _, bg := range []float64{3, 10, 30} {
			for _, word := range []float64{12, 24} {
				add(fmt.Sprintf("grid/pair=%g,bigrams=%g,word=%g", pair, bg, word), func(t *bestTuning) {
					t.pair, t.bigrams, t.weights.word = pair, bg, word
				})
			}
		}
	}
	return out
}

func BenchmarkBestMatchTuning(b *testing.B) {
	for _, corp := range []struct{ name, path string }{{"national", nationalDir}, {"provinces-2025", provincesDir}} {
		b.Run(corp.name, func(b *testing.B) {
			c := openCorpus(b, corp.path)
			paras := make([]knownitem.Paragraph, len(c.records))
			for i, r := range c.records {
				paras[i] = knownitem.Paragraph{ID: r.ID, Kind: r.Kind, Text: r.Text}
			}
			queries := knownitem.Generate(paras, knownitem.Config{Seed: tuneSeed, N: tuneQueries})
			targets := knownitem.Targets(paras)
			for _, cand := range tuningCandidates() {
				b.Run(cand.name, func(b *testing.B) {
					var s knownitem.Scores
					hits := 0
					var took []time.Duration
					for b.Loop() {
						ranks := make([]int, len(queries))
						hits, took = 0, took[:0]
						for i, q := range queries {
							t0 := time.Now()
							res, err := c.ix.Search(context.Background(), Request{
								Query: q.Text, Match: MatchBest, Size: 10, Facets: []string{}, tuning: &cand.t,
							})
							took = append(took, time.Since(t0))
							if err != nil {
								b.Fatalf("%q: %v", q.Text, err)
							}
							ids := make([]string, len(res.Hits))
							for j, h := range res.Hits {
								ids[j] = h.ID
							}
							ranks[i] = knownitem.Rank(ids, targets[q.Target])
							hits += res.Total
						}
						s = knownitem.Score(ranks, 10)
					}
					b.ReportMetric(s.MRR, "MRR@10")
					b.ReportMetric(s.Success, "success@10")
					b.ReportMetric(float64(hits)/float64(len(queries)), "hits/query")
					b.ReportMetric(float64(len(queries)), "queries")
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
