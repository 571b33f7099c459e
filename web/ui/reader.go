package ui

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
)

// paraView is one paragraph of the reader.
type paraView struct {
	Ordinal int
	Anchor  string
	HTML    template.HTML
	Heading bool
	Level   int // 1 for a part heading, 2 below
	Kind    string
	Match   bool   // the index counts this paragraph as a hit of the query
	Marks   int    // occurrences marked in it
	Prev    string // anchor of the previous matching paragraph
	Next    string // anchor of the next matching paragraph
	Cite    string // the paragraph's GB/T 7714 citation
	URL     string // its permanent link
}

type tocItem struct {
	Anchor  string
	Text    string
	Level   int
	Matches int // matching paragraphs under this heading
	at      int // index of the heading in readerPage.Paras
}

type readerPage struct {
	base
	Report    *ingest.Report
	Heading   string
	Meta      []metaItem
	Paras     []paraView
	TOC       []tocItem
	Matches   int    // matching paragraphs
	Marks     int    // marked occurrences
	First     string // anchor of the first matching paragraph
	Last      string // anchor of the last one
	SearchURL string
	TrendURL  string
	Partial   bool   // matches come from text marking only (the index lookup failed)
	Best      bool   // the query is matched best-match (its words), not verbatim
	Reference string // the report's GB/T 7714 reference
}

type metaItem struct{ Label, Value string }

func (h *handler) reader(c *gin.Context) {
	id := c.Param("id")
	st, err := ParseState(c.Request.URL.Query())
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	q := st.Q
	// A query the search page refuses is refused here too, not shown
	// with no marks.
	var marker *index.Marker
	if q != "" {
		if marker, err = index.NewMarker(q, st.Match); err != nil {
			h.renderError(c, h.classify(err))
			return
		}
	}
	ctx, cancel := h.ctx(c)
	defer cancel()
	rep, err := h.s.Report(ctx, id)
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	p := readerPage{base: h.base("reader", index.ReportTitle(rep.Meta), q), Report: rep, Heading: index.ReportTitle(rep.Meta)}
	p.Meta = reportMeta(rep.Meta)
	p.Reference = index.ReportReference(rep.Meta)
	if q != "" {
		back := WithQuery(q)
		back.Match = st.Match
		p.SearchURL = "/?" + back.Encode()
		p.Best = st.Match == index.MatchBest
		if !p.Best {
			p.TrendURL = trendURL(WithQuery(q)) // the trend counts exact matches
		}
	}
	var matched map[int]bool
	if q != "" {
		matched, err = h.matchingOrdinals(ctx, rep, st)
		if err != nil {
			h.opts.Logger.Warn("ui: reader match lookup failed; marking text only", "report", id, "err", err)
			p.Partial = true
		}
	}
	p.addParagraphs(rep.Paragraphs, marker, matched)
	for i, para := range rep.Paragraphs {
		p.Paras[i].Cite = index.Citation(rep.Meta, para.Part, para.Ordinal)
		p.Paras[i].URL = index.ParagraphURL(rep.ID, para.Ordinal)
	}
	p.linkMatches()
	h.render(c, http.StatusOK, "reader", p)
}

// addParagraphs adds the views of paras with the occurrences of the
// query marked (as the index marks them: marker, nil without a query) and
// the headings to the table of contents. matched holds the ordinals the
// index says match the query; without it (the lookup failed) a paragraph
// matches when occurrences are found in it.
func (p *readerPage) addParagraphs(paras []ingest.Paragraph, marker *index.Marker, matched map[int]bool) {
	for _, para := range paras {
		v := paraView{Ordinal: para.Ordinal, Anchor: paraAnchor(para.Ordinal), Kind: para.Kind}
		var spans [][2]int
		if marker != nil {
			spans = marker.Spans(para.Text)
		}
		switch {
		case matched != nil:
			v.Match = matched[para.Ordinal]
			if !v.Match {
				// Marks outside matching paragraphs would contradict the
				// search (an excluded term, say): show those as plain text.
				spans = nil
			}
		case marker != nil:
			v.Match = len(spans) > 0
		}
		v.Marks = len(spans)
		v.HTML = MarkSpans(para.Text, spans)
		if para.Kind == ingest.KindHeading {
			v.Heading = true
			v.Level = 2
			if strings.TrimSpace(para.Text) == strings.TrimSpace(para.Part) || para.Section == "" {
				v.Level = 1
			}
			p.TOC = append(p.TOC, tocItem{Anchor: v.Anchor, Text: truncate(strings.TrimSpace(para.Text), 40), Level: v.Level, at: len(p.Paras)})
		}
		if v.Match {
			p.Matches++
			p.Marks += v.Marks
		}
		p.Paras = append(p.Paras, v)
	}
}

// linkMatches links each matching paragraph to the previous and the next
// one, the page to the first and the last, and counts the matches under
// each heading of the table of contents.
func (p *readerPage) linkMatches() {
	prev := -1
	for i := range p.Paras {
		if !p.Paras[i].Match {
			continue
		}
		if prev < 0 {
			p.First = p.Paras[i].Anchor
		} else {
			p.Paras[i].Prev = p.Paras[prev].Anchor
			p.Paras[prev].Next = p.Paras[i].Anchor
		}
		p.Last = p.Paras[i].Anchor
		prev = i
	}
	countTOC(p.TOC, p.Paras)
}

// matchingOrdinals asks the index which paragraphs of rep match the query
// of st (in its match mode), so the reader agrees with the search page
// (exclusions, OR, phrases, NEAR). The index filters by region and year;
// hits from other reports of that region and year are skipped.
func (h *handler) matchingOrdinals(ctx context.Context, rep *ingest.Report, st State) (map[int]bool, error) {
	out := map[int]bool{}
	req := index.Request{
		Query:  st.Q,
		Match:  st.Match,
		Size:   index.MaxSize,
		Facets: []string{},
	}
	if rep.Region != "" {
		req.Filters.Add(index.FacetRegion, rep.Region)
	}
	if rep.Year > 0 {
		req.Filters.Add(index.FacetYear, index.YearValue(rep.Year))
	}
	for req.From+req.Size <= index.MaxWindow {
		resp, err := h.s.Search(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, hit := range resp.Hits {
			if hit.ReportID == rep.ID {
				out[hit.Ordinal] = true
			}
		}
		req.From += len(resp.Hits)
		if len(resp.Hits) == 0 || req.From >= resp.Total {
			break
		}
	}
	return out, nil
}

func reportMeta(m ingest.Meta) []metaItem {
	var out []metaItem
	add := func(l, v string) {
		if strings.TrimSpace(v) != "" {
			out = append(out, metaItem{l, v})
		}
	}
	add("地区", m.Region)
	if m.Parent != "" {
		add("上级", m.Parent)
	}
	add("层级", LevelLabel(m.Level))
	if m.Year > 0 {
		add("年份", itoa(m.Year)+"年")
	}
	add("日期", m.Date)
	add("报告人", strings.TrimSpace(m.SpeakerTitle+" "+m.Speaker))
	add("会议", m.Session)
	add("来源", m.Source)
	return out
}

// countTOC sets, for each heading, how many matching paragraphs lie between
// it and the next heading of the same or a higher level, so the table of
// contents shows where the query occurs.
func countTOC(toc []tocItem, paras []paraView) {
	for i := range toc {
		end := len(paras)
		for j := i + 1; j < len(toc); j++ {
			if toc[j].Level <= toc[i].Level {
				end = toc[j].at
				break
			}
		}
		for k := toc[i].at; k < end; k++ {
			if paras[k].Match {
				toc[i].Matches++
			}
		}
	}
}
