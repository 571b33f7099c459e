package knownitem

import (
	"reflect"
	"strings"
	"testing"

	"govsearch/analyzer"
	"govsearch/ingest"
)

// madeUp is a made-up collection: policy paragraphs, a heading and a
// duplicate.
var madeUp = []Paragraph{
	{"p1", ingest.KindBody, "全面推进政务服务一网通办改革，持续优化营商环境，企业开办时间压缩至一个工作日，群众办事满意度明显提升。"},
	{"p2", ingest.KindBody, "加快建设长三角生态绿色一体化发展示范区，推动跨区域公共服务共建共享，交通基础设施互联互通取得新进展。"},
	{"p3", ingest.KindList, "（一）深化城市更新行动，完成旧区改造任务，改善老旧小区居住条件，提升城市精细化管理水平和治理能力。"},
	{"p4", ingest.KindGlossary, "一网统管：以城市运行管理平台为依托，实现城市运行状态一屏观、一网管，提高应急处置和协同联动能力。"},
	{"p5", ingest.KindHeading, "一、过去五年工作回顾与今年主要目标任务和重点工作安排以及政府自身建设等方面的情况"},
	{"p6", ingest.KindBody, "全面推进政务服务一网通办改革，持续优化营商环境，企业开办时间压缩至一个工作日，群众办事满意度明显提升。"},
}

func TestGenerate(t *testing.T) {
	analyzer.WaitReady()
	qs := Generate(madeUp, Config{Seed: 1, N: 10, MinChars: 30})
	if len(qs) != 5 {
		t.Fatalf("%d queries, want one per body, list or glossary paragraph (5)", len(qs))
	}
	byID := map[string]Paragraph{}
	for _, p := range madeUp {
		byID[p.ID] = p
	}
	for _, q := range qs {
		t.Run(q.Target, func(t *testing.T) {
			target := byID[q.Target]
			if target.Kind == ingest.KindHeading {
				t.Fatalf("drawn from a heading")
			}
			norm := analyzer.Normalize(target.Text)
			if n := len(q.Pieces); n < 2 || n > 3 {
				t.Errorf("%d pieces, want 2 or 3", n)
			}
			if len(q.Lacking) != len(q.Pieces) {
				t.Errorf("%d lacking words for %d pieces, want one between pieces and one more", len(q.Lacking), len(q.Pieces))
			}
			at := 0
			for _, p := range q.Pieces {
				i := strings.Index(norm[at:], p)
				if i < 0 {
					t.Errorf("piece %q is not in the paragraph after byte %d", p, at)
					continue
				}
				at += i + len(p)
			}
			for _, w := range q.Lacking {
				if strings.Contains(norm, w) || !joining(w) {
					t.Errorf("lacking word %q: in the paragraph %v, joining %v", w, strings.Contains(norm, w), joining(w))
				}
			}
			if got := strings.Join(q.Pieces, ""); !strings.Contains(stripAll(q.Text, q.Lacking), got) {
				t.Errorf("query %q is not its pieces %q and lacking words %q", q.Text, q.Pieces, q.Lacking)
			}
		})
	}
	if again := Generate(madeUp, Config{Seed: 1, N: 10, MinChars: 30}); !reflect.DeepEqual(again, qs) {
		t.Errorf("the same seed drew other queries")
	}
	if other := Generate(madeUp, Config{Seed: 2, N: 10, MinChars: 30}); reflect.DeepEqual(other, qs) {
		t.Errorf("another seed drew the same queries")
	}
	if qs := Generate(madeUp, Config{Seed: 1, N: 2, MinChars: 30}); len(qs) != 2 {
		t.Errorf("N 2 gave %d queries", len(qs))
	}
	if qs := Generate(madeUp, Config{Seed: 1, N: 10, MinChars: 1000}); len(qs) != 0 {
		t.Errorf("no paragraph has 1000 characters, yet %d queries", len(qs))
	}
}

// stripAll removes each of words once from s.
func stripAll(s string, words []string) string {
	for _, w := range words {
		s = strings.Replace(s, w, "", 1)
	}
	return s
}

func TestTargets(t *testing.T) {
	got := Targets(madeUp)
	if want := []string{"p1", "p6"}; !reflect.DeepEqual(got["p6"], want) || !reflect.DeepEqual(got["p1"], want) {
		t.Errorf("duplicates p1 and p6: %v, %v", got["p1"], got["p6"])
	}
	if !reflect.DeepEqual(got["p2"], []string{"p2"}) {
		t.Errorf("p2: %v", got["p2"])
	}
}

func TestRankAndScore(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ids     []string
		targets []string
		want    int
	}{
		{"first", []string{"a", "b"}, []string{"a"}, 1},
		{"third", []string{"x", "y", "a"}, []string{"a"}, 3},
		{"a duplicate counts", []string{"x", "dup"}, []string{"a", "dup"}, 2},
		{"absent", []string{"x", "y"}, []string{"a"}, 0},
		{"no hits", nil, []string{"a"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.ids, tt.targets); got != tt.want {
				t.Errorf("Rank = %d, want %d", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name         string
		ranks        []int
		mrr, success float64
	}{
		{"all first", []int{1, 1}, 1, 1},
		{"second and missing", []int{2, 0}, 0.25, 0.5},
		{"past the cutoff counts as missing", []int{11, 10}, 0.05, 0.5},
		{"none", nil, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Score(tt.ranks, 10)
			if s.MRR != tt.mrr || s.Success != tt.success || s.Queries != len(tt.ranks) {
				t.Errorf("Score(%v) = %+v, want MRR %g, success %g", tt.ranks, s, tt.mrr, tt.success)
			}
		})
	}
}
