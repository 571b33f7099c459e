// Package web is the HTTP layer of govsearch: the JSON API, health and
// metrics endpoints, and the middleware every request passes (recovery,
// access log, limits, keys, security headers). It reaches the index only
// through index.ReadWriter.
package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"govsearch/index"
	"govsearch/web/errcode"
	"govsearch/web/ui"
)

// Defaults of Options.
const (
	DefaultSearchTimeout = 2 * time.Second
	DefaultIngestTimeout = 5 * time.Minute
	DefaultMaxBodyBytes  = 20 << 20
	// DefaultMaxHeaderBytes bounds the request line and headers. The
	// http.Server's own MaxHeaderBytes must be larger (MaxHeaderReadBytes):
	// its refusal is plain text, this one is the API's JSON error.
	DefaultMaxHeaderBytes = 64 << 10
	MaxHeaderReadBytes    = 1 << 20
)

// Options configures the handler returned by New.
type Options struct {
	// AdminKey opens the write routes. Empty means write routes answer 403.
	AdminKey string
	// SearchKey, when set, is required on the read routes of /api/.
	// It never opens a write route. Health, readiness and metrics stay open.
	SearchKey string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed when
	// logging the client address; nil trusts none.
	TrustedProxies []string
	// Logger receives the access log and server errors; nil discards them.
	Logger *slog.Logger
	// Registry receives the metrics served at /metrics; nil creates one.
	Registry *prometheus.Registry
	// SearchTimeout bounds search, trend and lookups; 0 means DefaultSearchTimeout.
	SearchTimeout time.Duration
	// IngestTimeout bounds POST /api/reports; 0 means DefaultIngestTimeout.
	IngestTimeout time.Duration
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxHeaderBytes limits the request line and headers; 0 means
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxSearches bounds concurrent searches and lookups; 0 means
	// DefaultMaxSearches().
	MaxSearches int
	// MaxHeavy bounds concurrent trend, diffusion, concordance, matrix and
	// export requests; 0 means DefaultMaxHeavy().
	MaxHeavy int
	// QueueWait is how long a request waits for a slot before its 503;
	// 0 means DefaultQueueWait, negative means not at all.
	QueueWait time.Duration
	// PublicURL, when set, is the address readers reach this server at
	// (https://reports.example.org, without a trailing slash): every url
	// the API answers, in JSON and in downloads, is then absolute, so that
	// an exported table's links work outside the browser. Empty keeps the
	// links relative to the server.
	PublicURL string
	// Replication, when set, reports the server's replication state in
	// /readyz and /metrics (see Replication).
	Replication func() Replication
}

// server holds what the handlers share.
type server struct {
	ix       index.ReadWriter
	opts     Options
	log      *slog.Logger
	metrics  *metrics
	searches *gate // admission of searches and lookups
	heavy    *gate // admission of the research views and export
}

var releaseMode sync.Once

// ginRelease puts gin in release mode once, before any engine exists, so it
// prints no debug banner.
func ginRelease() { releaseMode.Do(func() { gin.SetMode(gin.ReleaseMode) }) }

// New returns the HTTP handler of govsearch serving ix. A nil ix is
// allowed: the API then answers 503 index_unavailable and /readyz reports
// not ready.
func New(ix index.ReadWriter, opts Options) *gin.Engine {
	ginRelease()
	opts = opts.withDefaults()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	srv := &server{ix: ix, opts: opts, log: logger, metrics: newMetrics(reg, ix)}
	if opts.Replication != nil {
		registerReplication(reg, opts.Replication)
	}
	am := newAdmissionMetrics(reg)
	srv.searches = newGate(classSearch, opts.MaxSearches, opts.QueueWait, am)
	srv.heavy = newGate(classHeavy, opts.MaxHeavy, opts.QueueWait, am)

	r := srv.engine()
	srv.routes(r, reg)
	if ix != nil {
		srv.pages(r)
	}
	return r
}

// withDefaults fills in the zero fields of o that have defaults.
func (o Options) withDefaults() Options {
	if o.SearchTimeout <= 0 {
		o.SearchTimeout = DefaultSearchTimeout
	}
	if o.IngestTimeout <= 0 {
		o.IngestTimeout = DefaultIngestTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxSearches <= 0 {
		o.MaxSearches = DefaultMaxSearches()
	}
	if o.MaxHeavy <= 0 {
		o.MaxHeavy = DefaultMaxHeavy()
	}
	if o.QueueWait == 0 {
		o.QueueWait = DefaultQueueWait
	}
	return o
}

// engine returns a gin engine with the middleware every request passes and
// the answers to unknown routes and methods.
func (s *server) engine() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// SetTrustedProxies only fails on malformed addresses, which callers
	// check first with CheckProxies; should one slip through, trust none.
	if err := r.SetTrustedProxies(s.opts.TrustedProxies); err != nil {
		s.log.Warn("trusting no proxy: bad trusted proxy list", "error", err.Error())
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.accessLog, s.recovery, securityHeaders, s.limitHeaders, s.limitBody)
	r.NoRoute(s.wrap(func(c *gin.Context) error {
		if s.ix == nil {
			return errIndexUnavailable // the pages are not registered yet
		}
		if !isAPIPath(c.Request.URL.Path) && wantsHTML(c.Request) {
			ui.NotFound(c)
			return nil
		}
		return &Error{Code: errcode.NotFound, Message: "no such route: " + index.Clip(c.Request.URL.Path)}
	}))
	r.NoMethod(s.wrap(func(c *gin.Context) error {
		return &Error{Code: errcode.MethodNotAllowed, Message: "method " + c.Request.Method + " is not allowed here; allowed: " + c.Writer.Header().Get("Allow")}
	}))
	return r
}

// routes registers health, metrics and the API. Every GET route answers
// HEAD too: the same handlers, whose body net/http discards for HEAD.
func (s *server) routes(r *gin.Engine, reg *prometheus.Registry) {
	get := func(g gin.IRoutes, path string, h ...gin.HandlerFunc) {
		g.GET(path, h...)
		g.HEAD(path, h...)
	}
	light, heavy := s.admit(s.searches), s.admit(s.heavy)
	get(r, "/healthz", s.wrap(s.healthz))
	get(r, "/readyz", s.wrap(s.readyz))
	get(r, "/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	api := r.Group("/api")
	get(api, "/openapi.json", serveOpenAPI)
	read := api.Group("", s.requireRead)
	get(read, "/search", s.onlyParams(searchParams...), light, s.wrap(s.search))
	get(read, "/paragraphs/:id", s.onlyParams(), light, s.wrap(s.paragraph))
	get(read, "/reports", s.onlyParams(reportsParams...), light, s.wrap(s.reports))
	get(read, "/reports/:id", s.onlyParams(), light, s.wrap(s.report))
	get(read, "/trend", s.onlyParams(trendParams...), heavy, s.wrap(s.trend))
	get(read, "/export", s.onlyParams(exportParams...), heavy, s.wrap(s.export))
	get(read, "/diffusion", s.onlyParams(diffusionParams...), heavy, s.wrap(s.diffusion))
	get(read, "/kwic", s.onlyParams(kwicParams...), heavy, s.wrap(s.kwic))
	get(read, "/matrix", s.onlyParams(matrixParams...), heavy, s.wrap(s.matrix))
	get(read, "/lexicon", s.onlyParams(), light, s.wrap(s.lexicon))
	get(read, "/analyze", s.onlyParams("text"), light, s.wrap(s.analyze))
	// POST carries text beyond what fits in a URL.
	read.POST("/analyze", s.onlyParams(), light, s.wrap(s.analyze))
	write := api.Group("", s.requireAdmin)
	write.POST("/reports", s.onlyParams("source"), s.wrap(s.addReports))
	write.DELETE("/reports/:id", s.onlyParams(), s.wrap(s.deleteReport))
}

// pages registers the browser pages (web/ui) over the open index.
func (s *server) pages(r *gin.Engine) {
	ui.Register(r, s.ix, ui.Options{
		Logger: s.log,
		// With a search key the pages are read routes like the API's; a
		// browser sends the key as the password of a Basic login prompt.
		Authorize: func(c *gin.Context) error {
			if err := s.checkRead(c.Request); err != nil {
				c.Header("WWW-Authenticate", `Basic realm="govsearch", charset="UTF-8"`)
				return errors.New("此服务器需要检索密钥：请在登录框的密码处输入检索密钥。")
			}
			return nil
		},
	})
}

// CheckProxies reports whether every entry of proxies is an IP address or
// CIDR range that gin accepts as a trusted proxy.
func CheckProxies(proxies []string) error {
	ginRelease()
	return gin.New().SetTrustedProxies(proxies)
}

// CheckPublicURL checks a server's public address (Options.PublicURL) and
// returns it without its trailing slash. It must be an absolute http or
// https URL with a host and nothing after the path: links are the address
// followed by a path such as /read/….
func CheckPublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q must begin with http:// or https://", raw)
	case u.Host == "":
		return "", fmt.Errorf("%q names no host", raw)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("%q must be a scheme, host and optional path only (no user, query or fragment)", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// writeJSON writes v as the body with the API's one JSON encoding,
// index.WriteJSON, which `govsearch search --json` shares.
func writeJSON(c *gin.Context, status int, v any) {
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(status)
	if err := index.WriteJSON(c.Writer, v); err != nil {
		// The status is already sent; the log shows the broken response.
		c.Set(ctxErrorCode, errcode.Internal)
		_ = c.Error(err)
	}
}

// wantsHTML reports whether the client asked for a page rather than JSON.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// routeOf names the matched route for logs and metrics without letting
// arbitrary paths create new label values.
func routeOf(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return p
	}
	return "unmatched"
}
