package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRelevanceSeeds runs the relevance benchmark on the seed reports,
// which no tuning looked at: best-match finds the known item at least as
// well as plain bleve by both measures, and the tables say so.
func TestRelevanceSeeds(t *testing.T) {
	cfg := RelevanceConfig{Corpora: []string{CorpusSeeds, CorpusProvinces}, Shared: t.TempDir(), Seed: 13, N: 200}
	results, err := Relevance(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[1].Skipped == "" {
		t.Fatalf("results %+v: want the seeds and a skipped provinces corpus (the shared folder is empty)", results)
	}
	r := results[0]
	if r.Queries != cfg.N || r.Paragraphs == 0 {
		t.Fatalf("%d queries over %d paragraphs, want %d", r.Queries, r.Paragraphs, cfg.N)
	}
	ours, base := r.Scores[EngineOurs], r.Scores[EngineBaseline]
	t.Logf("seeds, %d queries: ours MRR@10 %.3f success@10 %.3f; baseline %.3f %.3f", r.Queries, ours.MRR, ours.Success, base.MRR, base.Success)
	if ours.MRR < base.MRR || ours.Success < base.Success {
		t.Errorf("best-match MRR@10 %.3f, success@10 %.3f; plain bleve %.3f, %.3f", ours.MRR, ours.Success, base.MRR, base.Success)
	}
	if base.MRR == 0 || r.Hits[EngineOurs] == 0 || r.Hits[EngineOurs] >= r.Hits[EngineBaseline] {
		t.Errorf("hits per query: ours %.1f, baseline %.1f; the share rule should leave fewer", r.Hits[EngineOurs], r.Hits[EngineBaseline])
	}
	var b bytes.Buffer
	if err := RelevanceMarkdown(&b, cfg, results); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| seeds | ", "govsearch match=best", "bleve cjk + BM25", "| provinces | – | – | skipped: ", "seed 13"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the tables lack %q:\n%s", want, b.String())
		}
	}
}
