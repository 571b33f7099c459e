package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// The research views: trend, diffusion, concordance (kwic) and matrix,
// each as JSON or as a table to download (CSV, and JSON lines for the
// concordance), and the report list with filters and sorts.

// Parameters of the research routes.
var (
	trendParams     = append([]string{"q", "match", "format", "bom"}, filterParams...)
	diffusionParams = append([]string{"q", "match", "format", "bom"}, filterParams...)
	kwicParams      = append([]string{"q", "match", "sort", "width", "from", "size", "format", "bom"}, filterParams...)
	matrixParams    = append([]string{"q", "match", "format", "bom"}, filterParams...)
	reportsParams   = []string{"region", "level", "year", "sort"}
)

// Concordance pages and matrix size.
const (
	DefaultKWICSize = 100
	MaxKWICSize     = 1000
	// MaxMatrixQueries bounds the queries of one matrix: each walks every
	// match, as a trend does.
	MaxMatrixQueries = 20
)

// panelHeader is the CSV header of trend and matrix cells: the long
// format a researcher merges with other panels by region and year.
var panelHeader = []string{"query", "region", "level", "year", "reports", "mentioning_reports", "paragraphs", "occurrences", "chars", "per_10k"}

// panelRow is one cell of a trend of query as CSV cells.
func panelRow(query string, c index.TrendCell) []string {
	return []string{query, c.Region, c.Level, strconv.Itoa(c.Year), strconv.Itoa(c.Reports), strconv.Itoa(c.MentioningReports),
		strconv.Itoa(c.Paragraphs), strconv.Itoa(c.Occurrences), strconv.Itoa(c.Chars), strconv.FormatFloat(c.Per10k, 'f', -1, 64)}
}

// tableFormat reads format: json (default) or one of the download formats
// a route offers.
func tableFormat(v url.Values, downloads ...string) (string, error) {
	f := v.Get("format")
	switch {
	case f == "" || f == "json":
		return "json", nil
	case f == "ndjson" && slices.Contains(downloads, "jsonl"):
		return "jsonl", nil
	case slices.Contains(downloads, f):
		return f, nil
	}
	return "", paramError("format", fmt.Sprintf("%q is not json or %s", index.Clip(f), strings.Join(downloads, " or ")))
}

// researchRequest reads q (required), the filters, format and bom of a
// research route, and resolves short region names. The research routes
// count matches, so match=best is refused (index.CheckCounting).
func (s *server) researchRequest(c *gin.Context, downloads ...string) (req index.Request, typed, format string, bom bool, err error) {
	v := c.Request.URL.Query()
	if format, err = tableFormat(v, downloads...); err != nil {
		return
	}
	if bom, err = boolParam(v, "bom", false); err != nil {
		return
	}
	if req.Query, err = parseQuery(v, true); err != nil {
		return
	}
	if req.Filters, err = index.FilterParams(v); err != nil {
		return
	}
	if req.Match, err = index.MatchParam(v.Get("match")); err != nil {
		return
	}
	if err = index.CheckCounting(req.Match); err != nil {
		return
	}
	typed, err = s.resolveRegions(c, &req)
	return
}

// table starts a download of kind named after query.
func table(c *gin.Context, kind, query, format string, bom bool, header []string) *exportWriter {
	return &exportWriter{c: c, kind: kind, query: query, format: format, bom: bom, header: header}
}

func (s *server) trend(c *gin.Context) error {
	req, typed, format, bom, err := s.researchRequest(c, "csv")
	if err != nil {
		return err
	}
	t, err := ask(s, c, func(ctx context.Context, ix index.Reader) (*index.Trend, error) {
		return ix.Trend(ctx, req)
	})
	if err != nil {
		return err
	}
	t.Query = typed
	if t.Cells == nil {
		t.Cells = []index.TrendCell{}
	}
	if format == "json" {
		writeJSON(c, http.StatusOK, t)
		return nil
	}
	w := table(c, "trend", typed, format, bom, panelHeader)
	for _, cell := range t.Cells {
		if err := w.writeRow(panelRow(typed, cell), nil); err != nil {
			return err
		}
	}
	return w.finish()
}

// finish sends the header of an empty table and flushes.
func (w *exportWriter) finish() error {
	if !w.started {
		w.start()
	}
	return w.flush()
}

// diffusionHeader is the CSV header of a diffusion: one row per region,
// those that mention the query first, by first mention, then the others
// with the first_ columns empty.
var diffusionHeader = []string{"region", "level", "first_year", "first_date", "first_paragraph", "years", "report_years",
	"reports", "mentioning_reports", "left", "match", "right", "url", "citation"}

func (s *server) diffusion(c *gin.Context) error {
	req, typed, format, bom, err := s.researchRequest(c, "csv")
	if err != nil {
		return err
	}
	d, err := ask(s, c, func(ctx context.Context, ix index.Reader) (*index.Diffusion, error) {
		return ix.Diffusion(ctx, req)
	})
	if err != nil {
		return err
	}
	d.Query = typed
	for i := range d.Regions {
		d.Regions[i].URL = s.link(d.Regions[i].URL)
	}
	if format == "json" {
		writeJSON(c, http.StatusOK, d)
		return nil
	}
	w := table(c, "diffusion", typed, format, bom, diffusionHeader)
	for _, r := range d.Regions {
		if err := w.writeRow([]string{r.Region, r.Level, strconv.Itoa(r.FirstYear), r.FirstDate, r.FirstParagraph, joinYears(r.Years),
			joinYears(r.ReportYears), strconv.Itoa(r.Reports), strconv.Itoa(r.MentioningReports), r.Left, r.Match, r.Right, r.URL, r.Citation}, nil); err != nil {
			return err
		}
	}
	for _, r := range d.Never {
		if err := w.writeRow([]string{r.Region, r.Level, "", "", "", "", joinYears(r.ReportYears), strconv.Itoa(r.Reports), "0", "", "", "", "", ""}, nil); err != nil {
			return err
		}
	}
	return w.finish()
}

// joinYears writes years as 2018;2020 for one CSV cell.
func joinYears(ys []int) string {
	out := make([]string, len(ys))
	for i, y := range ys {
		out[i] = strconv.Itoa(y)
	}
	return strings.Join(out, ";")
}

// kwicBody is the JSON answer of /api/kwic: one page of the concordance.
type kwicBody struct {
	Query string          `json:"query"`
	Sort  string          `json:"sort"`
	Width int             `json:"width"`
	Total int             `json:"total"`
	From  int             `json:"from"`
	Size  int             `json:"size"`
	Rows  []index.KWICRow `json:"rows"`
}

// kwicHeader is the CSV header of a concordance: the JSON names of
// index.KWICRow.
var kwicHeader = []string{"id", "report_id", "region", "level", "year", "ordinal", "offset", "left", "match", "right", "url"}

func kwicRecord(r index.KWICRow) []string {
	return []string{r.ID, r.ReportID, r.Region, r.Level, strconv.Itoa(r.Year), strconv.Itoa(r.Ordinal), strconv.Itoa(r.Offset),
		r.Left, r.Match, r.Right, r.URL}
}

func (s *server) kwic(c *gin.Context) error {
	v := c.Request.URL.Query()
	req, typed, format, bom, err := s.researchRequest(c, "csv", "jsonl")
	if err != nil {
		return err
	}
	var opts index.KWICOptions
	if opts.Sort, err = index.KWICSortParam(v.Get("sort")); err != nil {
		return err
	}
	if opts.Width, err = index.KWICWidthParam(v.Get("width")); err != nil {
		return err
	}
	from, err := intParam(v, "from", 0)
	if err != nil {
		return err
	}
	size, err := intParam(v, "size", DefaultKWICSize)
	if err != nil {
		return err
	}
	if size < 1 || size > MaxKWICSize {
		return paramError("size", fmt.Sprintf("%d is outside 1 to %d", size, MaxKWICSize))
	}
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	if format != "json" {
		return s.streamKWIC(c, ix, req, opts, table(c, "kwic", typed, format, bom, kwicHeader))
	}
	body, err := within(c.Request.Context(), s.opts.SearchTimeout, func(ctx context.Context) (*kwicBody, error) {
		b := &kwicBody{Query: typed, Sort: opts.Sort, Width: opts.Width, From: from, Size: size, Rows: []index.KWICRow{}}
		err := ix.KWIC(ctx, req, opts, func(r index.KWICRow) error {
			if b.Total >= from && b.Total < from+size {
				r.URL = s.link(r.URL)
				b.Rows = append(b.Rows, r)
			}
			b.Total++
			return nil
		})
		return b, err
	})
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, body)
	return nil
}

// streamKWIC sends a whole concordance as a download, as the export does.
func (s *server) streamKWIC(c *gin.Context, ix index.Reader, req index.Request, opts index.KWICOptions, w *exportWriter) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), exportTimeout)
	defer cancel()
	err := ix.KWIC(ctx, req, opts, func(r index.KWICRow) error {
		r.URL = s.link(r.URL)
		return w.writeRow(kwicRecord(r), r)
	})
	if err != nil {
		if !w.started {
			return err
		}
		s.fail(c, err)
		panic(http.ErrAbortHandler)
	}
	return w.finish()
}

// matrixBody is the JSON answer of /api/matrix: the trend of each query.
type matrixBody struct {
	Series []index.Trend `json:"series"`
}

func (s *server) matrix(c *gin.Context) error {
	v := c.Request.URL.Query()
	format, err := tableFormat(v, "csv")
	if err != nil {
		return err
	}
	bom, err := boolParam(v, "bom", false)
	if err != nil {
		return err
	}
	filters, err := index.FilterParams(v)
	if err != nil {
		return err
	}
	var reqs []index.Request
	var typed []string
	for _, raw := range v["q"] {
		q, err := index.QueryParam(raw)
		if err != nil {
			return err
		}
		if strings.TrimSpace(q) == "" {
			continue
		}
		req := index.Request{Query: q, Filters: filters.Clone()}
		t, err := s.resolveRegions(c, &req)
		if err != nil {
			return err
		}
		reqs = append(reqs, req)
		typed = append(typed, t)
	}
	switch {
	case len(reqs) == 0:
		return &Error{Code: errcode.InvalidQuery, Message: "the matrix needs at least one q", Param: "q"}
	case len(reqs) > MaxMatrixQueries:
		return paramError("q", fmt.Sprintf("%d queries; the limit is %d", len(reqs), MaxMatrixQueries))
	}
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	// Each query gets the time a trend gets.
	body, err := within(c.Request.Context(), s.opts.SearchTimeout*time.Duration(len(reqs)), func(ctx context.Context) (*matrixBody, error) {
		b := &matrixBody{Series: make([]index.Trend, len(reqs))}
		for i, req := range reqs {
			t, err := ix.Trend(ctx, req)
			if err != nil {
				return nil, err
			}
			t.Query = typed[i]
			if t.Cells == nil {
				t.Cells = []index.TrendCell{}
			}
			b.Series[i] = *t
		}
		return b, nil
	})
	if err != nil {
		return err
	}
	if format == "json" {
		writeJSON(c, http.StatusOK, body)
		return nil
	}
	w := table(c, "matrix", strings.Join(typed, " "), format, bom, panelHeader)
	for _, t := range body.Series {
		for _, cell := range t.Cells {
			if err := w.writeRow(panelRow(t.Query, cell), nil); err != nil {
				return err
			}
		}
	}
	return w.finish()
}

// reports answers GET /api/reports: the reports that pass the region,
// level and year filters, in the order sort names.
func (s *server) reports(c *gin.Context) error {
	v := c.Request.URL.Query()
	order, err := index.ReportSortParam(v.Get("sort"))
	if err != nil {
		return err
	}
	var req index.Request
	if req.Filters, err = index.FilterParams(v); err != nil {
		return err
	}
	if _, err := s.resolveRegions(c, &req); err != nil {
		return err
	}
	list, err := ask(s, c, func(ctx context.Context, ix index.Reader) ([]index.ReportSummary, error) {
		return ix.Reports(ctx)
	})
	if err != nil {
		return err
	}
	list = index.SelectReports(list, req.Filters, order)
	if list == nil {
		list = []index.ReportSummary{}
	}
	writeJSON(c, http.StatusOK, reportsBody{Reports: list})
	return nil
}

// citedRecord is a paragraph with its report's metadata, its permanent
// link and its citation: the answer of /api/paragraphs/{id}.
type citedRecord struct {
	ingest.Record
	URL      string `json:"url"`
	Citation string `json:"citation"`
}

// citedReport is a report with its reference and every paragraph with its
// link and citation: the answer of /api/reports/{id}.
type citedReport struct {
	ID string `json:"id"`
	ingest.Meta
	Reference  string           `json:"reference"`
	Paragraphs []citedParagraph `json:"paragraphs"`
}

type citedParagraph struct {
	ingest.Paragraph
	URL      string `json:"url"`
	Citation string `json:"citation"`
}

func (s *server) citeRecord(rec *ingest.Record) citedRecord {
	return citedRecord{Record: *rec, URL: s.link(index.ParagraphURL(rec.ReportID, rec.Ordinal)), Citation: index.Citation(rec.Meta, rec.Part, rec.Ordinal)}
}

func (s *server) citeReport(r *ingest.Report) citedReport {
	out := citedReport{ID: r.ID, Meta: r.Meta, Reference: index.ReportReference(r.Meta), Paragraphs: make([]citedParagraph, len(r.Paragraphs))}
	for i, p := range r.Paragraphs {
		out.Paragraphs[i] = citedParagraph{Paragraph: p, URL: s.link(index.ParagraphURL(r.ID, p.Ordinal)), Citation: index.Citation(r.Meta, p.Part, p.Ordinal)}
	}
	return out
}

// link makes a permanent link absolute when the server knows its public
// address (Options.PublicURL).
func (s *server) link(u string) string {
	if s.opts.PublicURL == "" || u == "" {
		return u
	}
	return s.opts.PublicURL + u
}
