package index

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"govsearch/ingest"
)

// TestConcurrentSearchAndWrites runs searches, trends, exports and report
// listings while reports are added and deleted; run it with -race. Every
// answer must be consistent: a report's paragraphs appear all or none.
func TestConcurrentSearchAndWrites(t *testing.T) {
	ix := newScratchIndex(t)
	ctx := context.Background()
	const rounds = 15
	const paras = 4
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := ix.Search(ctx, Request{Query: "并发测试", Highlight: true, Size: MaxSize})
				if err != nil {
					errs <- err
					return
				}
				if res.Total%paras != 0 {
					errs <- fmt.Errorf("saw %d paragraphs: a report is half visible", res.Total)
					return
				}
				if _, err := ix.Trend(ctx, Request{Query: "并发测试"}); err != nil {
					errs <- err
					return
				}
				if _, err := ix.Reports(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < rounds; i++ {
		texts := make([]string, paras)
		for k := range texts {
			texts[k] = fmt.Sprintf("第%d轮第%d段并发测试", i, k)
		}
		if err := ix.AddReports(ctx, []ingest.Report{testReport(fmt.Sprintf("c%d", i%3), "并发区", 2020, texts...)}); err != nil {
			t.Fatal(err)
		}
		if i%4 == 3 {
			if err := ix.DeleteReport(ctx, fmt.Sprintf("c%d", i%3)); err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The counts settle on what is left.
	reports, err := ix.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	left := 0
	for _, r := range reports {
		if r.Region == "并发区" {
			left++
			if r.Paragraphs != paras {
				t.Errorf("report %s lists %d paragraphs", r.ID, r.Paragraphs)
			}
		}
	}
	if got := total(t, ix, "并发测试"); got != left*paras {
		t.Errorf("%d paragraphs for %d reports", got, left)
	}
}

func TestLexiconCounts(t *testing.T) {
	c := openCorpus(t, seedDir)
	lex, err := c.ix.Lexicon(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(lex) == 0 {
		t.Fatal("empty lexicon")
	}
	for i, e := range lex {
		if i%25 != 0 && e.Term != "一网通办" {
			continue // a sample keeps the test fast
		}
		want := c.expected([][]string{{e.Term}}, nil)
		reports := map[string]bool{}
		for _, id := range want {
			reports[c.byID[id].ReportID] = true
		}
		if e.Paragraphs != len(want) || e.Reports != len(reports) {
			t.Errorf("lexicon %q: %d paragraphs in %d reports, want %d in %d", e.Term, e.Paragraphs, e.Reports, len(want), len(reports))
		}
	}
	again, err := c.ix.Lexicon(context.Background())
	if err != nil || len(again) != len(lex) {
		t.Errorf("cached lexicon differs: %d entries, %v", len(again), err)
	}
}

func TestReportsAndReport(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	list, err := c.ix.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	perReport := map[string]int{}
	for _, r := range c.records {
		perReport[r.ReportID]++
	}
	if len(list) != len(perReport) {
		t.Fatalf("%d reports listed, %d indexed", len(list), len(perReport))
	}
	for i, s := range list {
		if s.Paragraphs != perReport[s.ID] {
			t.Errorf("report %s lists %d paragraphs, has %d", s.ID, s.Paragraphs, perReport[s.ID])
		}
		if i > 0 && s.Year > list[i-1].Year {
			t.Errorf("reports not newest first at %d", i)
		}
	}
	r, err := c.ix.Report(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range r.Paragraphs {
		if p.Ordinal != i+1 || p.ReportID != r.ID || *c.byID[p.ID] != (ingest.Record{Paragraph: p, Meta: r.Meta}) {
			t.Errorf("paragraph %d of %s: %+v", i, r.ID, p)
			break
		}
	}
	if _, err := c.ix.Report(ctx, "no-such-report"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown report: %v", err)
	}
	if _, err := c.ix.Paragraph(ctx, reportDocPrefix+r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a report document must not be served as a paragraph: %v", err)
	}
}
