package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"govsearch/index"
	"govsearch/internal/knownitem"
)

// The relevance benchmark: simulated known-item queries
// (internal/knownitem) drawn from a corpus with a fixed seed, answered by
// govsearch's best-match retrieval and by plain bleve — the cjk analyzer's
// bigrams, a match query (an OR of the query's bigrams) and BM25 — over the
// same paragraphs in the same run, and scored by MRR@10 and success@10.
// docs/relevance.md holds a run's tables.

// RelevanceConfig is one relevance run.
type RelevanceConfig struct {
	Corpora []string // corpus names (CorpusSpec), in order
	Shared  string   // the shared folder
	Seed    int64
	N       int // queries per corpus
	// WorkDir holds the indexes; "" means a temporary directory, removed
	// at the end.
	WorkDir string
	Log     io.Writer
}

// RelevanceResult is what a relevance run measured on one corpus.
type RelevanceResult struct {
	Corpus     string
	Skipped    string // why the corpus was skipped; empty when it ran
	Paragraphs int
	Queries    int
	Scores     map[string]knownitem.Scores // engine → scores
	Hits       map[string]float64          // engine → mean hits per query
	Latency    map[string]time.Duration    // engine → median time per query
	// Better and Worse count the queries where ours ranks the item
	// higher, or lower, than the baseline (not returned in the top 10
	// counts as lowest).
	Better, Worse int
}

// relevanceCutoff is the depth of MRR and success.
const relevanceCutoff = 10

// Relevance runs the relevance benchmark on every corpus of cfg. A corpus
// that needs the shared folder when it is absent is skipped with a
// message, not an error.
func Relevance(ctx context.Context, cfg RelevanceConfig) ([]*RelevanceResult, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	work := cfg.WorkDir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "govsearch-relevance-*"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	}
	var out []*RelevanceResult
	for _, name := range cfg.Corpora {
		r, err := relevanceCorpus(ctx, cfg, name, work)
		if err != nil {
			return out, fmt.Errorf("corpus %s: %w", name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func relevanceCorpus(ctx context.Context, cfg RelevanceConfig, name, work string) (*RelevanceResult, error) {
	res := &RelevanceResult{Corpus: name, Scores: map[string]knownitem.Scores{}, Hits: map[string]float64{}, Latency: map[string]time.Duration{}}
	inputs, err := CorpusSpec{Name: name, Shared: cfg.Shared}.Inputs()
	if errors.Is(err, ErrNoShared) {
		res.Skipped = err.Error()
		fmt.Fprintf(cfg.Log, "relevance: skipping corpus %s: %v\n", name, err)
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	var paras []knownitem.Paragraph
	for _, in := range inputs {
		f, err := in.Parse()
		if err != nil {
			continue // both engines skip it
		}
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				paras = append(paras, knownitem.Paragraph{ID: p.ID, Kind: p.Kind, Text: p.Text})
			}
		}
	}
	res.Paragraphs = len(paras)
	fmt.Fprintf(cfg.Log, "relevance: %s: building both indexes\n", name)
	oursDir, baseDir := filepath.Join(work, name+"-ours"), filepath.Join(work, name+"-bm25")
	for _, d := range []string{oursDir, baseDir} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
	}
	if _, err := index.Build(ctx, oursDir, inputs, index.BuildOptions{}); err != nil {
		return nil, err
	}
	im := baselineMapping()
	im.ScoringModel = bindex.BM25Scoring
	if _, err := buildBaselineWith(ctx, baseDir, inputs, im); err != nil {
		return nil, err
	}
	ix, err := index.Open(oursDir)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	bi, err := bleve.Open(baselinePath(baseDir))
	if err != nil {
		return nil, fmt.Errorf("baseline index: %w", err)
	}
	defer bi.Close()

	fmt.Fprintf(cfg.Log, "relevance: %s: drawing %d queries (seed %d)\n", name, cfg.N, cfg.Seed)
	queries := knownitem.Generate(paras, knownitem.Config{Seed: cfg.Seed, N: cfg.N})
	targets := knownitem.Targets(paras)
	res.Queries = len(queries)
	engines := map[string]func(q string) ([]string, int, error){
		EngineOurs: func(q string) ([]string, int, error) {
			resp, err := ix.Search(ctx, index.Request{Query: q, Match: index.MatchBest, Size: relevanceCutoff, Facets: []string{}})
			if err != nil {
				return nil, 0, err
			}
			ids := make([]string, len(resp.Hits))
			for i, h := range resp.Hits {
				ids[i] = h.ID
			}
			return ids, resp.Total, nil
		},
		EngineBaseline: func(q string) ([]string, int, error) {
			m := query.NewMatchQuery(q)
			m.SetField(baseText)
			sr, err := bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(m, relevanceCutoff, 0, false))
			if err != nil {
				return nil, 0, err
			}
			ids := make([]string, len(sr.Hits))
			for i, h := range sr.Hits {
				ids[i] = h.ID
			}
			return ids, int(sr.Total), nil
		},
	}
	ranks := map[string][]int{}
	for _, engine := range Engines {
		fmt.Fprintf(cfg.Log, "relevance: %s: querying %s\n", name, engine)
		var took []time.Duration
		hits := 0
		for _, q := range queries {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			t0 := time.Now()
			ids, total, err := engines[engine](q.Text)
			if err != nil {
				return nil, fmt.Errorf("%s: query %q: %w", engine, q.Text, err)
			}
			took = append(took, time.Since(t0))
			hits += total
			ranks[engine] = append(ranks[engine], knownitem.Rank(ids, targets[q.Target]))
		}
		res.Scores[engine] = knownitem.Score(ranks[engine], relevanceCutoff)
		if len(queries) > 0 {
			res.Hits[engine] = float64(hits) / float64(len(queries))
			res.Latency[engine] = median(took)
		}
	}
	for i := range queries {
		o, b := rankOrLast(ranks[EngineOurs][i]), rankOrLast(ranks[EngineBaseline][i])
		switch {
		case o < b:
			res.Better++
		case o > b:
			res.Worse++
		}
	}
	return res, nil
}

// rankOrLast orders "not in the top 10" after every rank.
func rankOrLast(r int) int {
	if r == 0 || r > relevanceCutoff {
		return relevanceCutoff + 1
	}
	return r
}

// RelevanceMarkdown writes the results as markdown tables.
func RelevanceMarkdown(w io.Writer, cfg RelevanceConfig, results []*RelevanceResult) error {
	p := &printer{w: w}
	p.f("Known-item queries: %d per corpus, seed %d (internal/knownitem). Ours: `match=best`; "+
		"baseline: bleve %s, cjk analyzer, match query, BM25.\n\n", cfg.N, cfg.Seed, bleveVersion())
	p.f("| corpus | paragraphs | queries | engine | MRR@10 | success@10 | hits per query | median ms per query |\n")
	p.f("|---|---:|---:|---|---:|---:|---:|---:|\n")
	for _, r := range results {
		if r.Skipped != "" {
			p.f("| %s | – | – | skipped: %s | | | | |\n", r.Corpus, r.Skipped)
			continue
		}
		for _, e := range Engines {
			s := r.Scores[e]
			p.f("| %s | %d | %d | %s | %.3f | %.3f | %.1f | %s |\n", r.Corpus, r.Paragraphs, r.Queries, engineLabel(e),
				s.MRR, s.Success, r.Hits[e], ms(r.Latency[e]))
		}
	}
	p.f("\n| corpus | MRR@10 ours ÷ baseline | success@10 ours − baseline | queries ours ranks higher / lower |\n|---|---:|---:|---:|\n")
	for _, r := range results {
		if r.Skipped != "" {
			continue
		}
		o, b := r.Scores[EngineOurs], r.Scores[EngineBaseline]
		p.f("| %s | %s | %+.3f | %d / %d |\n", r.Corpus, ratio(o.MRR, b.MRR), o.Success-b.Success, r.Better, r.Worse)
	}
	p.f("\n")
	return p.err
}

func engineLabel(e string) string {
	if e == EngineBaseline {
		return "bleve cjk + BM25"
	}
	return "govsearch match=best"
}

// bleveVersion is the bleve module's version in this binary's build
// information.
func bleveVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/blevesearch/bleve/v2" {
				return d.Version
			}
		}
	}
	return "v2"
}
