package index

import (
	"context"
	"testing"
)

// The research views over the national corpus (skipped when it is absent):
// each walks every match of its query. A rare term, an OR group and a
// common term with 31,000 occurrences.
var researchBenchQueries = []string{"新质生产力", "扶贫 OR 脱贫攻坚", "改革", "的"}

func benchResearch(b *testing.B, run func(ctx context.Context, ix *Index, q string) error) {
	c := openCorpus(b, nationalDir)
	ctx := context.Background()
	for _, q := range researchBenchQueries {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if err := run(ctx, c.ix, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTrendNational(b *testing.B) {
	benchResearch(b, func(ctx context.Context, ix *Index, q string) error {
		_, err := ix.Trend(ctx, Request{Query: q})
		return err
	})
}

func BenchmarkDiffusionNational(b *testing.B) {
	benchResearch(b, func(ctx context.Context, ix *Index, q string) error {
		_, err := ix.Diffusion(ctx, Request{Query: q})
		return err
	})
}

// BenchmarkKWICLeftNational sorts every occurrence by its left context.
func BenchmarkKWICLeftNational(b *testing.B) {
	benchResearch(b, func(ctx context.Context, ix *Index, q string) error {
		return ix.KWIC(ctx, Request{Query: q}, KWICOptions{Sort: KWICByLeft}, func(KWICRow) error { return nil })
	})
}
