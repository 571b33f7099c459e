package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/web/errcode"
)

// Keys of values handlers leave in the gin context for the access log.
const (
	ctxErrorCode = "govsearch.error_code"
)

// accessLog writes one structured line per request and records its metrics.
// It logs no request header at all, so keys can never appear in the log.
func (s *server) accessLog(c *gin.Context) {
	start := time.Now()
	id := requestID()
	c.Header("X-Request-Id", id)
	// Deferred so that a request whose connection is deliberately dropped
	// (http.ErrAbortHandler) is logged too.
	defer s.logRequest(c, id, start)
	c.Next()
}

func (s *server) logRequest(c *gin.Context, id string, start time.Time) {
	d := time.Since(start)
	route := routeOf(c)
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, d)
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", index.Clip(c.Request.URL.Path)),
		slog.Int("status", status),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("client", c.ClientIP()),
		slog.String("request_id", id),
	}
	if code, ok := c.Get(ctxErrorCode); ok {
		attrs = append(attrs, slog.Any("error", code))
	}
	level := slog.LevelInfo
	switch {
	case status == http.StatusInternalServerError:
		level = slog.LevelError
	case status >= 500:
		level = slog.LevelWarn
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// requestID returns a short random id that ties a response to its log line.
func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recovery turns a panic in a handler into a JSON internal error. The stack
// goes to the server log, never to the client.
func (s *server) recovery(c *gin.Context) {
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if rec == http.ErrAbortHandler {
			panic(rec) // net/http's own signal to drop the connection
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic",
			slog.String("route", routeOf(c)),
			slog.String("panic", fmt.Sprint(rec)),
			slog.String("stack", string(debug.Stack())))
		s.fail(c, fmt.Errorf("panic: %v", rec))
	}()
	c.Next()
}

// API responses are data, never documents: nothing may load or frame them.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// pageCSP is the default for the HTML pages: same-origin assets only and no
// inline script. Page handlers may tighten it.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if isAPIPath(c.Request.URL.Path) {
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Content-Security-Policy", pageCSP)
	}
	c.Next()
}

func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// limitHeaders refuses a request whose line and headers exceed the limit,
// counted as they travel (name, ": ", value, CRLF).
func (s *server) limitHeaders(c *gin.Context) {
	n := len(c.Request.Method) + len(c.Request.RequestURI) + len("  HTTP/1.1\r\n")
	for k, vs := range c.Request.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if n > s.opts.MaxHeaderBytes {
		s.fail(c, &Error{Code: errcode.HeadersTooLarge, Param: "headers",
			Message: fmt.Sprintf("the request line and headers have %d bytes; the limit is %d (send long text to POST /api/analyze in the body)", n, s.opts.MaxHeaderBytes)})
		return
	}
	c.Next()
}

// limitBody refuses bodies above the limit: at once when Content-Length
// says so, and while reading otherwise.
func (s *server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.opts.MaxBodyBytes {
		s.fail(c, &Error{Code: errcode.PayloadTooLarge, Param: "body",
			Message: fmt.Sprintf("the body has %d bytes; the limit is %d", c.Request.ContentLength, s.opts.MaxBodyBytes)})
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
	}
	c.Next()
}

// presentedKey returns the key of an "Authorization: Bearer <key>" header,
// or the password of HTTP Basic credentials (any user name), which is how a
// browser can send the search key to the pages. Only read routes take it:
// write routes take bearerKey.
func presentedKey(r *http.Request) (string, bool) {
	if _, password, ok := r.BasicAuth(); ok {
		return password, password != ""
	}
	return bearerKey(r)
}

// bearerKey returns the key of an "Authorization: Bearer <key>" header. A
// browser replays Basic credentials to any request of a site, cross-site
// form posts included, but never invents a Bearer header, so write routes
// accept only this.
func bearerKey(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// keyEqual compares a presented key with a configured one in constant time;
// hashing first also hides the configured key's length.
func keyEqual(presented, configured string) bool {
	if configured == "" {
		return false
	}
	a := sha256.Sum256([]byte(presented))
	b := sha256.Sum256([]byte(configured))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// requireRead guards the read routes of the API when a search key is
// configured.
func (s *server) requireRead(c *gin.Context) {
	if err := s.checkRead(c.Request); err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

// checkRead accepts a request to a read route: any request when no search
// key is configured, else one presenting the search key or the admin key.
func (s *server) checkRead(r *http.Request) *Error {
	if s.opts.SearchKey == "" {
		return nil
	}
	token, ok := presentedKey(r)
	if !ok {
		return &Error{Code: errcode.Unauthorized, Message: "this server requires a key: send Authorization: Bearer <key>", Param: "Authorization"}
	}
	// Evaluate both comparisons so the time taken does not say which key matched.
	isSearch := keyEqual(token, s.opts.SearchKey)
	isAdmin := keyEqual(token, s.opts.AdminKey)
	if !isSearch && !isAdmin {
		return &Error{Code: errcode.Unauthorized, Message: "the key is not valid", Param: "Authorization"}
	}
	return nil
}

// crossSite names the header that shows r comes from another site, and why;
// both are "" when it does not.
// Sec-Fetch-Site, which browsers set and pages cannot forge, decides when
// present; otherwise Origin must name the host the request was sent to.
// Clients that are not browsers (curl, scripts) send neither and pass.
func crossSite(r *http.Request) (header, why string) {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		if site != "same-origin" {
			return "Sec-Fetch-Site", "Sec-Fetch-Site is " + index.Clip(site)
		}
		return "", ""
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return "", ""
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return "Origin", "Origin " + index.Clip(origin) + " is not this server"
	}
	return "", ""
}

// requireAdmin guards the write routes: only same-origin requests carrying
// the admin key as a Bearer token open them, and with no admin key
// configured they are off.
func (s *server) requireAdmin(c *gin.Context) {
	if header, why := crossSite(c.Request); why != "" {
		s.fail(c, &Error{Code: errcode.Forbidden, Message: "cross-site requests cannot change the index: " + why, Param: header})
		return
	}
	if s.opts.AdminKey == "" {
		s.fail(c, &Error{Code: errcode.Forbidden, Message: "write routes are disabled: the server has no admin key (GOVSEARCH_ADMIN_KEY)"})
		return
	}
	token, ok := bearerKey(c.Request)
	if !ok {
		msg := "this route requires the admin key: send Authorization: Bearer <key>"
		if _, _, basic := c.Request.BasicAuth(); basic {
			msg = "write routes do not accept Basic credentials: send Authorization: Bearer <key>"
		}
		s.fail(c, &Error{Code: errcode.Unauthorized, Message: msg, Param: "Authorization"})
		return
	}
	isAdmin := keyEqual(token, s.opts.AdminKey)
	isSearch := keyEqual(token, s.opts.SearchKey)
	switch {
	case isAdmin:
		c.Next()
	case isSearch:
		s.fail(c, &Error{Code: errcode.Forbidden, Message: "the search key cannot change the index", Param: "Authorization"})
	default:
		s.fail(c, &Error{Code: errcode.Unauthorized, Message: "the key is not valid", Param: "Authorization"})
	}
}
