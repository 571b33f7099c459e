package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// within runs f under a timeout and returns when either f does or the
// timeout passes, so a slow index cannot hold a request beyond its limit.
// A panic in f becomes an error: it runs on its own goroutine, out of reach
// of the recovery middleware, where it would end the process.
func within[T any](ctx context.Context, d time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if rec := recover(); rec != nil {
				done <- result{err: fmt.Errorf("panic in index call: %v", rec)}
			}
		}()
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// searcher returns the index or the 503 error when none is open.
func (s *server) searcher() (index.ReadWriter, error) {
	if s.ix == nil {
		return nil, errIndexUnavailable
	}
	return s.ix, nil
}

// ask runs a read of the open index under the search timeout.
func ask[T any](s *server, c *gin.Context, read func(ctx context.Context, ix index.Reader) (T, error)) (T, error) {
	ix, err := s.searcher()
	if err != nil {
		var zero T
		return zero, err
	}
	return within(c.Request.Context(), s.opts.SearchTimeout, func(ctx context.Context) (T, error) {
		return read(ctx, ix)
	})
}

func (s *server) healthz(c *gin.Context) error {
	writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyBody is the answer of /readyz when the index is open.
type readyBody struct {
	Status string `json:"status"`
	index.Stats
	*Replication
}

func (s *server) readyz(c *gin.Context) error {
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	body := readyBody{Status: "ready", Stats: ix.Stats()}
	if s.opts.Replication != nil {
		r := s.opts.Replication()
		body.Replication = &r
	}
	writeJSON(c, http.StatusOK, body)
	return nil
}

func (s *server) search(c *gin.Context) error {
	req, err := parseSearch(c.Request.URL.Query())
	if err != nil {
		return err
	}
	typed, err := s.resolveRegions(c, &req)
	if err != nil {
		return err
	}
	countOnly := req.Size == 0
	if countOnly {
		// Totals and facets do not depend on the page: ask for the cheapest.
		req.Size, req.From, req.SearchAfter, req.Highlight = 1, 0, nil, false
	}
	resp, err := ask(s, c, func(ctx context.Context, ix index.Reader) (*index.Response, error) {
		return ix.Search(ctx, req)
	})
	if err != nil {
		return err
	}
	if countOnly {
		resp.Hits = []index.Hit{}
	}
	for i := range resp.Hits {
		resp.Hits[i].URL = s.link(resp.Hits[i].URL)
	}
	resp.Query = typed
	writeJSON(c, http.StatusOK, resp)
	return nil
}

// checkID validates a path id before it reaches the index.
func checkID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if id == "" || len(id) > 256 || !utf8.ValidString(id) {
		return "", paramError("id", "the id must be UTF-8 text of 1 to 256 bytes")
	}
	return id, nil
}

func (s *server) paragraph(c *gin.Context) error {
	id, err := checkID(c)
	if err != nil {
		return err
	}
	rec, err := ask(s, c, func(ctx context.Context, ix index.Reader) (*ingest.Record, error) {
		return ix.Paragraph(ctx, id)
	})
	if err != nil {
		return notFound(err, "paragraph", id)
	}
	writeJSON(c, http.StatusOK, s.citeRecord(rec))
	return nil
}

// notFound names the missing object in a not_found error.
func notFound(err error, what, id string) error {
	if errors.Is(err, index.ErrNotFound) {
		return &Error{Code: errcode.NotFound, Message: fmt.Sprintf("no %s with id %q", what, index.Clip(id)), Param: "id"}
	}
	return err
}

// reportsBody is the answer of GET /api/reports and POST /api/reports.
type reportsBody struct {
	Reports []index.ReportSummary `json:"reports"`
}

func (s *server) report(c *gin.Context) error {
	id, err := checkID(c)
	if err != nil {
		return err
	}
	rep, err := ask(s, c, func(ctx context.Context, ix index.Reader) (*ingest.Report, error) {
		return ix.Report(ctx, id)
	})
	if err != nil {
		return notFound(err, "report", id)
	}
	writeJSON(c, http.StatusOK, s.citeReport(rep))
	return nil
}

// lexiconBody is the answer of GET /api/lexicon.
type lexiconBody struct {
	Terms []index.LexiconEntry `json:"terms"`
}

func (s *server) lexicon(c *gin.Context) error {
	terms, err := ask(s, c, func(ctx context.Context, ix index.Reader) ([]index.LexiconEntry, error) {
		return ix.Lexicon(ctx)
	})
	if err != nil {
		return err
	}
	if terms == nil {
		terms = []index.LexiconEntry{}
	}
	writeJSON(c, http.StatusOK, lexiconBody{Terms: terms})
	return nil
}

// Upload limits beyond the body size.
const (
	maxUploadFiles = 100
	maxSourceName  = 200
)

func (s *server) addReports(c *gin.Context) error {
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	files, err := readUpload(c)
	if err != nil {
		return err
	}
	var reports []ingest.Report
	parsed := make([]uploadFile, 0, len(files))
	for _, u := range files {
		f, err := ingest.Parse(u.name, u.data)
		if err != nil {
			var fe *ingest.FileError
			msg := err.Error()
			if errors.As(err, &fe) {
				msg = fe.Err.Error()
			}
			return paramError(u.param, fmt.Sprintf("cannot parse %s: %s", u.name, msg))
		}
		reports = append(reports, f.Reports...)
		parsed = append(parsed, uploadFile{Source: u.name, Encoding: f.Encoding, Reports: len(f.Reports),
			Dropped: f.Dropped, DroppedBy: f.DroppedBy, Warnings: append([]string{}, f.Warnings...)})
	}
	if len(reports) == 0 {
		return paramError("body", "no report found in the upload")
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.IngestTimeout)
	defer cancel()
	// Indexing runs to completion or fails as a whole inside the index; it
	// is not abandoned half-way on a timer the way searches are.
	if err := ix.AddReports(ctx, reports); err != nil {
		return err
	}
	out := uploadBody{Reports: make([]index.ReportSummary, len(reports)), Files: parsed}
	for i, r := range reports {
		out.Reports[i] = index.Summarize(&r)
	}
	if len(reports) == 1 {
		c.Header("Location", "/api/reports/"+reports[0].ID)
	}
	writeJSON(c, http.StatusCreated, out)
	return nil
}

// uploadBody answers POST /api/reports: the reports indexed and, per file,
// what the parser left out and warned about.
type uploadBody struct {
	Reports []index.ReportSummary `json:"reports"`
	Files   []uploadFile          `json:"files"`
}

type uploadFile struct {
	Source    string         `json:"source"`
	Encoding  string         `json:"encoding"`
	Reports   int            `json:"reports"`
	Dropped   int            `json:"dropped"`
	DroppedBy map[string]int `json:"dropped_by"`
	Warnings  []string       `json:"warnings"`
}

// upload is one file of a POST /api/reports request.
type upload struct {
	name  string // source name given to the parser
	param string // request part it came from, for error messages
	data  []byte
}

// readUpload reads the report files of a POST: the raw body for text/plain
// (named by ?source=), or every "file" part of a multipart form.
func readUpload(c *gin.Context) ([]upload, error) {
	ct := c.GetHeader("Content-Type")
	if ct == "" {
		return nil, paramError("Content-Type", "send text/plain or multipart/form-data with a \"file\" field")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, paramError("Content-Type", "malformed Content-Type header")
	}
	switch mt {
	case "text/plain", "application/octet-stream":
		data, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return nil, bodyError(err)
		}
		if len(data) == 0 {
			return nil, paramError("body", "the body is empty")
		}
		name, err := sourceName("source", c.Query("source"), data)
		if err != nil {
			return nil, err
		}
		return []upload{{name: name, param: "body", data: data}}, nil
	case "multipart/form-data":
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return nil, paramError("body", "malformed multipart body: "+err.Error())
		}
		var out []upload
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, bodyError(err)
			}
			if part.FormName() != "file" {
				_ = part.Close()
				continue
			}
			if len(out) == maxUploadFiles {
				return nil, paramError("file", fmt.Sprintf("at most %d files per request", maxUploadFiles))
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, bodyError(err)
			}
			if len(data) == 0 {
				return nil, paramError("file", fmt.Sprintf("file %q is empty", index.Clip(part.FileName())))
			}
			name, err := sourceName("file", part.FileName(), data)
			if err != nil {
				return nil, err
			}
			out = append(out, upload{name: name, param: "file", data: data})
		}
		if len(out) == 0 {
			return nil, paramError("file", "the form has no \"file\" field")
		}
		return out, nil
	default:
		return nil, paramError("Content-Type", fmt.Sprintf("%q is not accepted; send text/plain or multipart/form-data", index.Clip(mt)))
	}
}

// bodyError keeps the 413 of an oversized body and reports other read
// failures as a malformed body.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Code: errcode.PayloadTooLarge, Param: "body", Message: fmt.Sprintf("the body is larger than the limit of %d bytes", mbe.Limit)}
	}
	return paramError("body", "cannot read the body: "+err.Error())
}

// sourceName picks the file name the parser sees. A client-supplied name is
// reduced to its base name; without one, a name derived from the content
// keeps re-uploads of the same text stable. A name with control, bidi or
// zero-width characters is refused: it would be stored and shown, and a
// right-to-left override makes "\u202Etxt.exe" read as "exe.txt".
func sourceName(param, given string, data []byte) (string, error) {
	given = strings.TrimSpace(given)
	if given != "" {
		if !utf8.ValidString(given) {
			return "", paramError(param, "the file name is not valid UTF-8")
		}
		if i := strings.IndexFunc(given, func(r rune) bool { return unicode.IsControl(r) || ingest.InvisibleRune(r) }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(given[i:])
			return "", paramError(param, fmt.Sprintf("the file name contains the invisible or control character %U; rename the file", r))
		}
		base := path.Base(strings.ReplaceAll(given, "\\", "/"))
		if base == "." || base == "/" || base == ".." || len(base) > maxSourceName {
			return "", paramError(param, "the file name must be a plain UTF-8 name of at most 200 bytes")
		}
		return base, nil
	}
	sum := sha256.Sum256(data)
	return "upload_" + hex.EncodeToString(sum[:8]) + ".txt", nil
}

func (s *server) deleteReport(c *gin.Context) error {
	id, err := checkID(c)
	if err != nil {
		return err
	}
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.IngestTimeout)
	defer cancel()
	if err := ix.DeleteReport(ctx, id); err != nil {
		return notFound(err, "report", id)
	}
	writeJSON(c, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}
