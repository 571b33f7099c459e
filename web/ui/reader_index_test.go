package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"govsearch/index"
)

// TestReaderAgreesWithIndex opens, over a real index of the seed corpus,
// every report that matches a query and checks that the reader marks
// exactly the paragraphs the index returns, with as many <mark>s in each as
// the index counts occurrences: for NEAR and SENT only the paired
// occurrences, under match=best the words.
func TestReaderAgreesWithIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a seed index")
	}
	r, ix := benchEngine(t)
	para := regexp.MustCompile(`(?s)<(?:p|h2|h3) id="p(\d+)" class="para[^"]*?( match)?"[^>]*>(.*?)</(?:p|h2|h3)>`)
	queries := []struct{ q, match string }{
		{"一网通办", ""}, {"放管服", ""}, {"营商环境 OR 一网通办", ""}, {"一网通办 -放管服", ""}, {"PM2.5", ""},
		{"垃圾分类", ""}, {"“两旧一村”", ""}, {"一网通办 NEAR/20 改革", ""}, {"营商环境 SENT 企业", ""},
		{"改革 NEAR/2 改革 OR 放管服", ""}, {"静安区如何推进一网通办改革", index.MatchBest},
	}
	for _, tc := range queries {
		q := tc.q
		t.Run(q, func(t *testing.T) {
			// The index's answer, grouped by report.
			want := map[string]map[int]int{} // report → ordinal → occurrences
			req := index.Request{Query: q, Size: index.MaxSize, Facets: []string{}, Match: tc.match}
			for {
				resp, err := ix.Search(context.Background(), req)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				for _, h := range resp.Hits {
					if want[h.ReportID] == nil {
						want[h.ReportID] = map[int]int{}
					}
					want[h.ReportID][h.Ordinal] = h.Occurrences
				}
				req.From += len(resp.Hits)
				if len(resp.Hits) == 0 || req.From >= resp.Total {
					break
				}
			}
			if len(want) == 0 {
				t.Errorf("%s: no matches in the seed corpus", q)
				return
			}
			for id, paras := range want {
				w := httptest.NewRecorder()
				target := "/reports/" + url.PathEscape(id) + "?q=" + url.QueryEscape(q)
				if tc.match != "" {
					target += "&match=" + tc.match
				}
				r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
				if w.Code != 200 {
					t.Fatalf("%s %s: %d", q, id, w.Code)
				}
				got := map[int]int{}
				for _, m := range para.FindAllStringSubmatch(w.Body.String(), -1) {
					n, _ := strconv.Atoi(m[1])
					marks := strings.Count(m[3], "<mark>")
					if m[2] != "" {
						got[n] = marks
					} else if marks > 0 {
						t.Errorf("%s %s ¶%d: %d marks outside a matching paragraph", q, id, n, marks)
					}
				}
				if len(got) != len(paras) {
					t.Errorf("%s %s: reader marks %d paragraphs, index matches %d", q, id, len(got), len(paras))
				}
				for n, occ := range paras {
					if g, ok := got[n]; !ok {
						t.Errorf("%s %s ¶%d: matched by the index, not marked in the reader", q, id, n)
					} else if g != occ {
						t.Errorf("%s %s ¶%d: %d marks, index counts %d occurrences", q, id, n, g, occ)
					}
				}
			}
		})
	}
}
