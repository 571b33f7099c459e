package ui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
)

// fakeSearcher is an in-memory Index for page tests: substring
// matching on normalised text, AND of terms, -exclusions, filters ORed
// within a field, and facets that ignore their own field's selection, as
// the real index specifies.
type fakeSearcher struct {
	reports []ingest.Report
	err     error // returned by every call when set
	badHTML bool  // return highlights with raw markup, as a broken index would
	calls   []index.Request
}

func (f *fakeSearcher) records() []ingest.Record {
	var out []ingest.Record
	for i := range f.reports {
		out = append(out, f.reports[i].Records()...)
	}
	return out
}

// parse splits a query into positive and negative normalised terms.
func fakeParse(q string) (pos, neg []string, err error) {
	if strings.Contains(q, "((") {
		return nil, nil, &index.QueryError{Message: "unbalanced parenthesis at 1"}
	}
	for _, w := range strings.Fields(q) {
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			neg = append(neg, analyzer.Normalize(w[1:]))
			continue
		}
		pos = append(pos, analyzer.Normalize(strings.Trim(w, "\"“”")))
	}
	return pos, neg, nil
}

func fakeMatch(r ingest.Record, pos, neg []string) (bool, int) {
	text := analyzer.Normalize(r.Text)
	occ := 0
	for _, t := range pos {
		n := strings.Count(text, t)
		if n == 0 {
			return false, 0
		}
		occ += n
	}
	for _, t := range neg {
		if strings.Contains(text, t) {
			return false, 0
		}
	}
	return true, occ
}

// fakeBest is the fake's best-match: the terms cut into words of two or
// more characters, of which a paragraph must contain half (rounded down,
// at least one), as the index's share rule says; occurrences count the
// words.
func fakeBest(r ingest.Record, terms, neg []string) (bool, int) {
	var words []string
	for _, t := range terms {
		for _, tk := range analyzer.Tokens(t) {
			if len([]rune(tk.Term)) > 1 {
				words = append(words, tk.Term)
			}
		}
	}
	text := analyzer.Normalize(r.Text)
	found, occ := 0, 0
	for _, w := range words {
		if n := strings.Count(text, w); n > 0 {
			found++
			occ += n
		}
	}
	for _, t := range neg {
		if strings.Contains(text, t) {
			return false, 0
		}
	}
	return found > 0 && found >= len(words)/2, occ
}

// passes applies the filters, skipping the facet named skip; a value of
// the year facet may be a range.
func passes(r ingest.Record, f index.Filters, skip string) bool {
	for _, fc := range index.Facets() {
		vals := f[fc.Name]
		if fc.Name == skip || len(vals) == 0 {
			continue
		}
		if !slices.ContainsFunc(vals, func(v string) bool { return fakeAccepts(fc, v, r) }) {
			return false
		}
	}
	return true
}

func fakeAccepts(fc index.Facet, v string, r ingest.Record) bool {
	if fc.YearRanges {
		y, err := index.ParseYearRange(v)
		return err == nil && r.Year >= y.From && r.Year <= y.To
	}
	return fc.Value(&r) == v
}

func (f *fakeSearcher) Search(ctx context.Context, req index.Request) (*index.Response, error) {
	f.calls = append(f.calls, req)
	if f.err != nil {
		return nil, f.err
	}
	pos, neg, err := fakeParse(req.Query)
	if err != nil {
		return nil, err
	}
	resp := &index.Response{Query: req.Query, TookMS: 3.5, Facets: map[string][]index.FacetValue{}}
	type scored struct {
		r   ingest.Record
		occ int
	}
	var hits []scored
	facets := req.Facets
	if facets == nil {
		facets = index.AllFacets
	}
	counts := map[string]map[string]int{}
	match := fakeMatch
	if req.Match == index.MatchBest {
		match = fakeBest
	}
	for _, r := range f.records() {
		ok, occ := match(r, pos, neg)
		if !ok {
			continue
		}
		if passes(r, req.Filters, "") {
			hits = append(hits, scored{r, occ})
		}
		for _, fc := range facets {
			if passes(r, req.Filters, fc) {
				if counts[fc] == nil {
					counts[fc] = map[string]int{}
				}
				f, _ := index.FacetNamed(fc)
				counts[fc][f.Value(&r)]++
			}
		}
	}
	for _, fc := range facets {
		var vals []index.FacetValue
		for v, n := range counts[fc] {
			vals = append(vals, index.FacetValue{Value: v, Count: n})
		}
		sort.Slice(vals, func(a, b int) bool {
			if vals[a].Count != vals[b].Count {
				return vals[a].Count > vals[b].Count
			}
			return vals[a].Value < vals[b].Value
		})
		resp.Facets[fc] = vals
	}
	sort.SliceStable(hits, func(a, b int) bool {
		switch req.Sort {
		case index.SortYearAsc:
			return hits[a].r.Year < hits[b].r.Year
		case index.SortYearDesc:
			return hits[a].r.Year > hits[b].r.Year
		}
		return hits[a].occ > hits[b].occ
	})
	resp.Total = len(hits)
	size := req.Size
	if size == 0 {
		size = index.DefaultSize
	}
	for i := req.From; i < len(hits) && i < req.From+size; i++ {
		r := hits[i].r
		h := index.Hit{Record: r, Score: float64(hits[i].occ), Occurrences: hits[i].occ,
			URL: index.ParagraphURL(r.ReportID, r.Ordinal), Citation: index.Citation(r.Meta, r.Part, r.Ordinal)}
		if req.Highlight {
			frag, _ := MarkText(hits[i].r.Text, pos)
			h.Highlights = []string{string(frag)}
			if f.badHTML {
				h.Highlights = []string{`<img src=x onerror=alert(1)>` + hits[i].r.Text}
			}
		}
		resp.Hits = append(resp.Hits, h)
	}
	return resp, nil
}

func (f *fakeSearcher) Reports(ctx context.Context) ([]index.ReportSummary, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []index.ReportSummary
	for _, r := range f.reports {
		out = append(out, index.ReportSummary{ID: r.ID, Meta: r.Meta, Paragraphs: len(r.Paragraphs)})
	}
	return out, nil
}

func (f *fakeSearcher) Report(ctx context.Context, id string) (*ingest.Report, error) {
	if f.err != nil {
		return nil, f.err
	}
	for i := range f.reports {
		if f.reports[i].ID == id {
			return &f.reports[i], nil
		}
	}
	return nil, index.ErrNotFound
}

// fixtureReports are small hand-written reports for golden pages: stable
// whatever the real parser does, and hostile where it matters (markup and
// quotes in the text).
func fixtureReports() []ingest.Report {
	mk := func(id, region string, year int, paras ...[3]string) ingest.Report {
		r := ingest.Report{ID: id, Meta: ingest.Meta{
			Title: "政府工作报告", Region: region, Level: ingest.LevelDistrict, Parent: "上海市", Year: year,
			Date: strconv.Itoa(year) + "-01-16", Speaker: "张三", SpeakerTitle: region + "区长",
			Session: "第一届人民代表大会第五次会议", Source: id + ".txt",
		}}
		part := ""
		section := ""
		for i, p := range paras {
			kind, partKind, text := p[0], p[1], p[2]
			if kind == ingest.KindHeading && strings.ContainsAny(text[:3], "一二三四五六") {
				part, section = text, ""
			} else if kind == ingest.KindHeading {
				section = text
			}
			para := ingest.Paragraph{
				ID: fmt.Sprintf("%s-%d", id, i+1), ReportID: id, Ordinal: i + 1,
				Part: part, PartKind: partKind, Section: section, Kind: kind, Text: text,
			}
			if kind == ingest.KindGlossary {
				para.Term, para.Definition, _ = strings.Cut(text, "：")
			}
			r.Paragraphs = append(r.Paragraphs, para)
		}
		return r
	}
	h, b, l, g := ingest.KindHeading, ingest.KindBody, ingest.KindList, ingest.KindGlossary
	rv, pl, gl := ingest.PartReview, ingest.PartPlan, ingest.PartGlossary
	return []ingest.Report{
		mk("ja2018", "静安区", 2018,
			[3]string{h, rv, "一、2017年工作回顾"},
			[3]string{b, rv, "深化“放管服”改革，推进“一网通办”，企业开办时间压缩至5个工作日。"},
			[3]string{b, rv, "完成五违四必整治，拆除违法建筑12万平方米。"},
			[3]string{h, pl, "二、2018年主要任务"},
			[3]string{h, pl, "（一）优化营商环境"},
			[3]string{b, pl, "全面推行一网通办，政务服务事项100%可网上办理；12345热线办结率达到98%。"},
			[3]string{l, pl, "1. 一网 通办 线上线下融合。"},
			[3]string{b, pl, "示例文本 <script>alert(\"x\")</script> 与 \"引号\" & 实体 &amp; 一网通办。"},
			[3]string{h, gl, "三、名词解释"},
			[3]string{g, gl, "一网通办：依托全市统一的网上政务服务平台，实现政务服务事项一次登录、全网通办。"},
		),
		mk("ja2020", "静安区", 2020,
			[3]string{h, rv, "一、2019年工作回顾"},
			[3]string{b, rv, "一网通办接入事项达到1200项，PM2.5年均浓度下降到35微克/立方米。"},
			[3]string{b, pl, "推进“两旧一村”改造，加快旧区改造。"},
		),
		mk("cn2018", "长宁区", 2018,
			[3]string{h, rv, "一、2017年工作回顾"},
			[3]string{b, rv, "推进一网通办和“放管服”改革，营商环境持续优化。"},
			[3]string{b, pl, "深化一网通办，完善12345热线。"},
		),
		mk("hp2023", "黄浦区", 2023,
			[3]string{h, rv, "一、2022年工作回顾"},
			[3]string{b, rv, "一网通办、一网统管两张网建设取得新进展。"},
		),
	}
}
