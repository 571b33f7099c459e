package index

import (
	"context"
	"html"
	"sort"
	"strings"
	"testing"

	"govsearch/analyzer"
)

// Made-up report paragraphs that write year ranges with every kind of dash
// and tilde, and two that must not match a range.
var dashParagraphs = []string{
	"实施2021—2025年乡村振兴规划，主要目标全面完成。",
	"编制2025～2027年城市更新行动方案，分批推进。",
	"2021–2025年期间累计新增就业岗位十万个。",
	"落实2021-2025年产业发展规划，培育新兴产业。",
	"２０２１－２０２５年全面推进基层治理现代化。",
	"滚动实施2025〜2027年重大项目计划。",
	"制定2025~2027年三年行动计划。",
	"对照2021——2025年规划纲要逐项检查。",
	"2021年和2025年两次召开专题会议。",
	"第一阶段为2025年，第二阶段为2027年。",
}

func newDashIndex(t *testing.T) *Index {
	t.Helper()
	analyzer.WaitReady()
	dir := t.TempDir()
	if _, err := Build(context.Background(), dir, []Input{reportInput("dash.txt", dashParagraphs...)}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestDashVariantsFindTheSameHits: a year range typed with any dash (or
// tilde) finds the paragraphs that write it with any other, and each
// highlight marks the characters as the paragraph writes them.
func TestDashVariantsFindTheSameHits(t *testing.T) {
	ix := newDashIndex(t)
	tests := []struct {
		queries []string
		want    map[string]string // paragraph → the one marked occurrence
	}{{
		queries: []string{"2021-2025", "2021—2025", "2021–2025", "2021－2025", "２０２１—２０２５", "2021‐2025", "2021−2025", `"2021 — 2025"`},
		want: map[string]string{
			dashParagraphs[0]: "2021—2025",
			dashParagraphs[2]: "2021–2025",
			dashParagraphs[3]: "2021-2025",
			dashParagraphs[4]: "２０２１－２０２５",
		},
	}, {
		queries: []string{"2025~2027", "2025～2027", "2025〜2027", "2025∼2027", "２０２５～２０２７"},
		want: map[string]string{
			dashParagraphs[1]: "2025～2027",
			dashParagraphs[5]: "2025〜2027",
			dashParagraphs[6]: "2025~2027",
		},
	}, {
		// A doubled dash is two dashes: it matches a doubled dash only.
		queries: []string{"2021--2025", "2021——2025", "2021—–2025"},
		want:    map[string]string{dashParagraphs[7]: "2021——2025"},
	}}
	for _, tt := range tests {
		t.Run(strings.Join(tt.queries, "_"), func(t *testing.T) {
			for _, q := range tt.queries {
				res, err := ix.Search(context.Background(), Request{Query: q, Highlight: true, Size: MaxSize, Facets: []string{}})
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				var got, want []string
				for p := range tt.want {
					want = append(want, p)
				}
				pq, _ := ParseQuery(q)
				for _, h := range res.Hits {
					got = append(got, h.Text)
					occ, ok := tt.want[h.Text]
					if !ok {
						continue
					}
					var marks []string
					for _, f := range h.Highlights {
						checkFragment(t, f, h.Text, pq.Terms())
						for _, m := range markRE.FindAllStringSubmatch(f, -1) {
							marks = append(marks, html.UnescapeString(m[1]))
						}
					}
					if len(marks) != 1 || marks[0] != occ || h.Occurrences != 1 {
						t.Errorf("%q: %s marks %q (%d occurrences); want %q once", q, h.Text, marks, h.Occurrences, occ)
					}
				}
				sort.Strings(got)
				sort.Strings(want)
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%q: hits\n %q\nwant\n %q", q, got, want)
				}
			}
		})
	}
}

// TestDashExclusion: a leading ASCII minus still excludes, whatever dash
// the excluded term itself is written with; inside a term a dash is text.
func TestDashExclusion(t *testing.T) {
	ix := newDashIndex(t)
	all := total(t, ix, "年")
	ranges := total(t, ix, "2021-2025")
	if ranges != 4 {
		t.Fatalf("2021-2025: %d hits; want 4", ranges)
	}
	for _, q := range []string{"年 -2021-2025", "年 -2021—2025", "年 -２０２１－２０２５"} {
		t.Run(q, func(t *testing.T) {
			if got := total(t, ix, q); got != all-ranges {
				t.Errorf("%q: %d hits; want %d (%d with 年, %d with the range)", q, got, all-ranges, all, ranges)
			}
		})
	}
	// A leading em dash or full-width minus is text, not an exclusion: —2025
	// finds the five paragraphs where a dash precedes 2025 (2021——2025 too).
	for _, q := range []string{"—2025", "－2025", `"-2025"`} {
		t.Run(q, func(t *testing.T) {
			if got := total(t, ix, q); got != 5 {
				t.Errorf("%q: %d hits; want 5", q, got)
			}
		})
	}
}

// TestDashExport: the export's match column keeps the paragraph's own dash.
func TestDashExport(t *testing.T) {
	ix := newDashIndex(t)
	_, rows := exportIDs(t, ix, Request{Query: "2021-2025"})
	var got []string
	for _, r := range rows {
		got = append(got, r.Match)
	}
	sort.Strings(got)
	want := []string{"2021-2025", "2021–2025", "2021—2025", "２０２１－２０２５"}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("export matches %q; want %q", got, want)
	}
}
