package ui

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

// kwicPageSize is the number of concordance rows on one page.
const kwicPageSize = 50

// kwicWidths are the context widths the page offers.
var kwicWidths = []int{10, 20, 30, 50}

type kwicPage struct {
	base
	researchHead
	Sort   string
	Width  int
	Sorts  []sortOpt
	Widths []option
	Total  int
	Rows   []kwicRow
	// MatchWidth is the longest match of the page in characters, 1 to
	// 12: the match column's width class.
	MatchWidth int
	Pager      pager
}

// kwicRow is one line of the concordance as the page shows it.
type kwicRow struct {
	index.KWICRow
	Left, Right template.HTML
	ReaderURL   string
	Source      string // region · year · 第N段
}

// kwicSortLabels names the orders of the concordance.
var kwicSortLabels = []struct{ Value, Label string }{
	{index.KWICByPosition, "按出处"},
	{index.KWICByLeft, "按左侧语境"},
	{index.KWICByRight, "按右侧语境"},
}

func (h *handler) kwic(c *gin.Context) {
	v := c.Request.URL.Query()
	st, err := parseResearch(v)
	var order string
	var width, from int
	if err == nil {
		order, width, from, err = kwicParams(v)
	}
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	p := kwicPage{base: h.base("kwic", "语境", st.Q), researchHead: researchHead{State: st}, Sort: order, Width: width}
	extra := url.Values{}
	if order != index.KWICByPosition {
		extra.Set("sort", order)
	}
	if width != index.DefaultKWICWidth {
		extra.Set("width", strconv.Itoa(width))
	}
	ctx, cancel := h.ctx(c)
	defer cancel()
	for _, w := range kwicWidths {
		p.Widths = append(p.Widths, option{Value: strconv.Itoa(w), Label: strconv.Itoa(w) + " 字", Selected: w == width})
	}
	if h.openResearch(c, ctx, "kwic", &p.researchHead, &p, extra, "/kwic", extra) {
		return
	}
	p.Title = st.Q + " - 语境 - " + h.opts.SiteName
	for _, o := range kwicSortLabels {
		e := url.Values{"sort": {o.Value}, "width": extra["width"]}
		if o.Value == index.KWICByPosition {
			e.Del("sort")
		}
		p.Sorts = append(p.Sorts, sortOpt{Value: o.Value, Label: o.Label, Selected: o.Value == order, URL: pageURL("/kwic", st, e)})
	}
	err = h.s.KWIC(ctx, index.Request{Query: st.Q, Filters: st.Filters.Clone()}, index.KWICOptions{Sort: order, Width: width}, func(r index.KWICRow) error {
		if p.Total >= from && p.Total < from+kwicPageSize {
			p.Rows = append(p.Rows, kwicRow{
				KWICRow: r, Left: template.HTML(template.HTMLEscapeString(r.Left)), Right: template.HTML(template.HTMLEscapeString(r.Right)),
				ReaderURL: readerURL(r.ReportID, r.Ordinal, st.Q),
				Source:    r.Region + " · " + strconv.Itoa(r.Year) + "年 · 第" + strconv.Itoa(r.Ordinal) + "段",
			})
		}
		p.Total++
		return nil
	})
	var ve *index.ValidationError
	if errors.As(err, &ve) && ve.Param == "sort" && ve.Rule == index.RuleLimit {
		err = badParam("sort", order, "出现次数超过 "+groupDigits(index.MaxKWICSorted)+" 处，无法按语境排序；请缩小检索范围，或按出处排序")
	}
	if err != nil {
		h.renderFailed(c, "kwic", &p, &p.Err, err)
		return
	}
	if p.Total == 0 {
		p.Examples = h.examples(c, "/kwic")
	}
	p.MatchWidth = 1
	for _, r := range p.Rows {
		p.MatchWidth = min(12, max(p.MatchWidth, utf8.RuneCountInString(r.Match)))
	}
	p.Pager = pagerFor(p.Total, p.Total, from, kwicPageSize, func(from int) string {
		e := url.Values{"sort": extra["sort"], "width": extra["width"]}
		if from > 0 {
			e.Set("from", strconv.Itoa(from))
		}
		return pageURL("/kwic", st, e)
	})
	h.render(c, http.StatusOK, "kwic", p)
}

// kwicParams reads the concordance's order, width and offset with the
// index's rules.
func kwicParams(v url.Values) (order string, width, from int, err error) {
	if order, err = index.KWICSortParam(v.Get("sort")); err != nil {
		return "", 0, 0, badParam("sort", v.Get("sort"), "未知的排序方式 "+strconv.Quote(index.Clip(v.Get("sort")))+"，可用 position、left、right")
	}
	if width, err = index.KWICWidthParam(v.Get("width")); err != nil {
		return "", 0, 0, badParam("width", v.Get("width"), "语境宽度应为 1 到 "+strconv.Itoa(index.MaxKWICWidth)+" 个字")
	}
	if f := v.Get("from"); f != "" {
		if from, err = strconv.Atoi(f); err != nil || from < 0 {
			return "", 0, 0, badParam("from", f, strconv.Quote(index.Clip(f))+" 不是非负整数")
		}
	}
	return order, width, from, nil
}
