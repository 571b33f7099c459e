package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govsearch/analyzer"
	"govsearch/ingest"
)

// rankingQueries are the queries whose top 10 on the seed corpus is kept
// in testdata/ranking/, one file per query.
var rankingQueries = []string{
	"一网通办", "放管服", "五违四必", "“两旧一村”", "PM2.5", "12345热线", "营商环境", "民政",
	"区长", "城市更新", "旧区改造", "人民政府", "一网通办 OR 一网统管", "改革 -开放",
}

// TestRankingGolden compares the top 10 of each ranking query with its
// golden file; `go test ./index -run TestRankingGolden -update` rewrites
// them, so that a ranking change is a reviewable diff.
func TestRankingGolden(t *testing.T) {
	c := openCorpus(t, seedDir)
	for i, q := range rankingQueries {
		res, err := c.ix.Search(context.Background(), Request{Query: q, Size: 10, Facets: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "query: %s\ntotal: %d\n", q, res.Total)
		for n, h := range res.Hits {
			text := []rune(strings.Join(strings.Fields(h.Text), " "))
			if len(text) > 40 {
				text = append(text[:40], '…')
			}
			fmt.Fprintf(&b, "%2d %8.4f %-24s %s\n", n+1, h.Score, h.ID, string(text))
		}
		path := filepath.Join("testdata", "ranking", fmt.Sprintf("%02d.txt", i+1))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got := b.String(); got != string(want) {
			t.Errorf("ranking of %q changed (run with -update if intended):\n--- got\n%s--- want\n%s", q, got, want)
		}
	}
}

// aligned reports whether some occurrence of q in text is a word of the
// word analyzer or begins one (民政 in 民政局, not in 人民政府).
func aligned(text, q string) bool {
	nq := analyzer.Normalize(q)
	for _, tk := range analyzer.Tokens(text) {
		if strings.HasPrefix(tk.Term, nq) {
			return true
		}
	}
	return false
}

// TestWholeWordsRankFirst checks that paragraphs where a term is a word or
// begins one come before paragraphs where it is buried inside a longer
// word: 民政 in 民政局 before 民政 in 人民政府.
func TestWholeWordsRankFirst(t *testing.T) {
	analyzer.WaitReady()
	ix := newScratchIndex(t)
	filler := "，全年工作稳步推进，各项任务圆满完成，人民群众获得感明显增强，为全面建设社会主义现代化国家作出新贡献"
	var texts []string
	for i := 0; i < 6; i++ {
		// Buried matches in short paragraphs: BM25 alone would rank them first.
		texts = append(texts, fmt.Sprintf("区人民政府第%d次常务会议", i+1))
	}
	texts = append(texts,
		"区民政局"+filler+filler,
		"加强民政工作"+filler+filler+filler,
		"民政"+filler,
		"中国人民政治协商会议"+filler,
	)
	mustAdd(t, ix, testReport("words", "测试区", 2021, texts...))
	res, err := ix.Search(context.Background(), Request{Query: "民政 region:测试区", Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(texts) {
		t.Fatalf("%d hits, want %d", res.Total, len(texts))
	}
	seenBuried := false
	for i, h := range res.Hits {
		a := aligned(h.Text, "民政")
		if a && seenBuried {
			t.Errorf("hit %d %q (whole word) ranks below a buried match", i+1, h.Text)
		}
		seenBuried = seenBuried || !a
	}
	if !aligned(res.Hits[0].Text, "民政") {
		t.Errorf("top hit %q is a buried match", res.Hits[0].Text)
	}
}

// TestWholeWordsRankFirstNational checks the same order on the national
// reports for terms common inside longer words.
func TestWholeWordsRankFirstNational(t *testing.T) {
	c := openCorpus(t, nationalDir)
	for _, q := range []string{"民政", "开放", "国民", "政协", "产业"} {
		t.Run(q, func(t *testing.T) {
			res, err := c.ix.Search(context.Background(), Request{Query: q, Size: 10, Facets: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			alignedTotal := 0
			for _, id := range c.expected([][]string{{q}}, nil) {
				if aligned(c.byID[id].Text, q) {
					alignedTotal++
				}
			}
			want := min(alignedTotal, 10)
			got := 0
			for _, h := range res.Hits[:want] {
				if aligned(h.Text, q) {
					got++
				}
			}
			if got != want {
				t.Errorf("%q: %d of the top %d are whole-word matches; %d paragraphs have one", q, got, want, alignedTotal)
			}
		})
	}
}

// TestHeadingsRankHigh checks that a heading naming the term outranks body
// paragraphs that mention it once.
func TestHeadingsRankHigh(t *testing.T) {
	ix := newScratchIndex(t)
	r := testReport("heads", "黄浦区", 2022,
		"我们继续推进城市更新工作，同时做好其他各项工作，确保全年目标任务顺利完成",
		"城市更新",
		"在城市更新方面，我们也取得了一定成绩，同时做好其他各项工作")
	r.Paragraphs[1].Kind = ingest.KindHeading
	mustAdd(t, ix, r)
	res, err := ix.Search(context.Background(), Request{Query: "城市更新 region:黄浦区"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.Hits[0].Kind != ingest.KindHeading {
		t.Errorf("top hit %+v, want the heading", res.Hits[0].Paragraph)
	}
}
