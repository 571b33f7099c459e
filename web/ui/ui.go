// Package ui serves the browser pages of govsearch: the search page with
// facets and highlighted results (/), the report reader (/reports/:id), the
// research views — trend (/trend), first mentions and diffusion
// (/diffusion), concordance (/kwic) and comparison (/compare) — and their
// embedded assets (/static/*).
//
// Pages are rendered on the server with html/template, so searching,
// filtering, paging and reading all work with JavaScript off; the one
// external script only adds conveniences. Every asset is embedded, and pages
// carry a Content-Security-Policy that allows no inline script and nothing
// from another origin. The package talks to the index only through Index.
package ui

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// Options configures the pages. The zero value is usable.
type Options struct {
	// APIBase is the path prefix of the JSON API, used for the export links.
	// Default "/api".
	APIBase string
	// Authorize, when set, runs before every page (not the static assets). A
	// non-nil error answers 401 with an error page showing the message, e.g.
	// for a deployment that requires a search key.
	Authorize func(c *gin.Context) error
	// Timeout bounds the index calls of one page. Default 10 s.
	Timeout time.Duration
	// SiteName is shown in the header and page titles. Default 政府工作报告检索.
	SiteName string
	// Logger receives internal errors. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.APIBase == "" {
		o.APIBase = "/api"
	}
	o.APIBase = strings.TrimRight(o.APIBase, "/")
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.SiteName == "" {
		o.SiteName = "政府工作报告检索"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// ContentSecurityPolicy is sent with every page: no inline script or style,
// nothing from another origin, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Index is what the pages read of an index; *index.Index and every
// index.Reader implement it.
type Index interface {
	Search(ctx context.Context, req index.Request) (*index.Response, error)
	Trend(ctx context.Context, req index.Request) (*index.Trend, error)
	Diffusion(ctx context.Context, req index.Request) (*index.Diffusion, error)
	KWIC(ctx context.Context, req index.Request, opts index.KWICOptions, emit func(index.KWICRow) error) error
	Reports(ctx context.Context) ([]index.ReportSummary, error)
	Report(ctx context.Context, id string) (*ingest.Report, error)
	Lexicon(ctx context.Context) ([]index.LexiconEntry, error)
}

// handler serves the pages of one Register call.
type handler struct {
	s    Index
	opts Options
}

// Register adds the pages and assets to r: GET and HEAD / (search),
// /reports/:id (reader), /trend, /diffusion, /kwic, /compare and
// /static/*filepath. A nil s is allowed: pages then answer 503 until the
// server has an index.
func Register(r *gin.Engine, s Index, opts Options) {
	h := &handler{s: s, opts: opts.withDefaults()}
	for _, route := range []struct {
		path string
		f    gin.HandlerFunc
	}{
		{"/", h.page(h.search)},
		{"/reports/:id", h.page(h.reader)},
		{"/trend", h.page(h.trend)},
		{"/diffusion", h.page(h.diffusion)},
		{"/kwic", h.page(h.kwic)},
		{"/compare", h.page(h.compare)},
		{"/static/*filepath", serveStatic},
	} {
		// HEAD answers like GET without the body (net/http drops it), for
		// link checkers and monitors.
		r.GET(route.path, route.f)
		r.HEAD(route.path, route.f)
	}
}

// SetPageHeaders sets the security headers every page carries.
func SetPageHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
}

// page wraps a page handler with the security headers and the optional
// authorisation hook.
func (h *handler) page(f gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		SetPageHeaders(c)
		if h.opts.Authorize != nil {
			if err := h.opts.Authorize(c); err != nil {
				h.renderError(c, &pageError{
					Status:  http.StatusUnauthorized,
					Title:   "需要授权",
					Message: err.Error(),
					Tips:    []string{"请使用带有效检索密钥的链接访问，或联系管理员。"},
				})
				return
			}
		}
		if h.s == nil {
			h.renderError(c, &pageError{
				Status:  http.StatusServiceUnavailable,
				Title:   "索引尚未就绪",
				Message: "服务器还没有可用的索引，暂时无法检索。",
				Tips:    []string{"索引建好后刷新本页。", "管理员可用 govsearch index 建立索引。"},
			})
			return
		}
		f(c)
	}
}

// base is what every page template needs.
type base struct {
	Site  string
	Title string
	Page  string // "search", "reader", "trend", "diffusion", "kwic", "compare", "error": body class and active nav
	Q     string // query shown in the header search box
}

// pageError is an error page or an error panel on a page.
type pageError struct {
	Status  int
	Title   string
	Message string
	Tips    []string
}

type errorPage struct {
	base
	Err      *pageError
	Examples []example
}

// classify turns an index or state error into what the user should read,
// with the status of the one error table (errcode) the API answers by too.
func (h *handler) classify(err error) *pageError {
	code := errcode.Of(err)
	status := errcode.Status(code)
	var se *StateError
	var qe *index.QueryError
	var ve *index.ValidationError
	switch {
	case errors.As(err, &se):
		return &pageError{Status: status, Title: "链接参数有误", Message: se.Error(),
			Tips: []string{"请检查地址栏中的参数，或从首页重新检索。"}}
	case errors.As(err, &qe):
		return &pageError{Status: status, Title: "检索式有误", Message: qe.Message, Tips: syntaxTips}
	case errors.As(err, &ve):
		return &pageError{Status: status, Title: "检索式有误", Message: "参数 " + ve.Param + "：" + ve.Message, Tips: syntaxTips}
	case code == errcode.NotFound:
		return &pageError{Status: status, Title: "找不到该报告", Message: "该报告不存在或已被删除。",
			Tips: []string{"从检索结果重新打开报告。", "在首页的报告列表中查找。"}}
	case errors.Is(err, context.Canceled):
		return &pageError{Status: status, Title: "请求已取消", Message: "请求在完成前被取消。"}
	case code == errcode.Timeout:
		h.opts.Logger.Warn("ui: index call timed out", "err", err)
		return &pageError{Status: status, Title: "检索超时", Message: "这次检索用时过长，已经中止。",
			Tips: []string{"缩小范围：加上地区或年份筛选。", "使用更具体、更长的词语。", "稍后再试。"}}
	}
	h.opts.Logger.Error("ui: index call failed", "err", err)
	return &pageError{Status: status, Title: "检索服务出错", Message: "服务器处理这次请求时出错，错误已记录。",
		Tips: []string{"稍后刷新重试。", "如果问题持续，请联系管理员并附上当前页面地址。"}}
}

// syntaxTips explains the query language on error pages.
var syntaxTips = []string{
	"多个词用空格分隔，表示同时包含（AND）。",
	"每个词按原文连续匹配；含空格的内容用英文引号包住，例如 \"PM 2.5\"。",
	"用 OR 连接可选词，例如 放管服 OR 营商环境。",
	"NEAR/n：两个词相距不超过 n 个字，例如 一网通办 NEAR/5 改革（NEAR 即 NEAR/10）；SENT：同一句中，例如 营商环境 SENT 民营企业。",
	"在词前加减号排除，例如 一网通办 -疫情。",
	"字段筛选：region:静安区 year:2018 part:plan kind:body。",
}

func (h *handler) renderError(c *gin.Context, e *pageError) {
	h.render(c, e.Status, "error", errorPage{
		base:     h.base("error", e.Title, c.Query("q")),
		Err:      e,
		Examples: h.examples(c, "/"),
	})
}

func (h *handler) base(page, title, q string) base {
	t := h.opts.SiteName
	if title != "" {
		t = title + " - " + h.opts.SiteName
	}
	return base{Site: h.opts.SiteName, Title: t, Page: page, Q: q}
}

// renderFailed renders page name, whose data is page, with the error
// panel of err in the field *slot of page, and err's status.
func (h *handler) renderFailed(c *gin.Context, name string, page any, slot **pageError, err error) {
	*slot = h.classify(err)
	h.render(c, (*slot).Status, name, page)
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (h *handler) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.opts.Logger.Error("ui: template failed", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("页面渲染失败 (template error)\n"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (h *handler) ctx(c *gin.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), h.opts.Timeout)
}

// readerURL links a paragraph in the reader, carrying the query so its
// occurrences are highlighted there.
func readerURL(reportID string, ordinal int, q string) string {
	return readerMatchURL(reportID, ordinal, q, "")
}

// readerMatchURL is readerURL for a query in match mode match (State.Match).
func readerMatchURL(reportID string, ordinal int, q, match string) string {
	u := "/reports/" + url.PathEscape(reportID)
	if q != "" {
		v := url.Values{"q": {q}}
		if match != "" {
			v.Set("match", match)
		}
		u += "?" + v.Encode()
	}
	if ordinal > 0 {
		u += "#" + paraAnchor(ordinal)
	}
	return u
}

// trendURL links the trend view for a state; a year selection is dropped
// because a trend over one year says nothing.
func trendURL(s State) string {
	t := State{Q: s.Q}
	for _, in := range trendFilters(s) {
		f, _ := facetOfParam(in.Name)
		t.Filters.Add(f.Name, in.Value)
	}
	return "/trend?" + t.Encode()
}

func paraAnchor(ordinal int) string { return "p" + itoa(ordinal) }

// NotFound renders the 404 page; a server may use it as the NoRoute handler
// for paths outside its API.
func NotFound(c *gin.Context) {
	SetPageHeaders(c)
	h := &handler{opts: Options{}.withDefaults()}
	h.renderError(c, &pageError{Status: http.StatusNotFound, Title: "页面不存在", Message: "没有这个页面：" + c.Request.URL.Path,
		Tips: []string{"返回首页重新检索。"}})
}
