package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

// Export streaming: rows are flushed in batches, and each flush extends the
// connection's write deadline so a long export is not cut by the server's
// WriteTimeout while a stalled client still is.
const (
	exportFlushRows  = 256
	exportWriteGrace = time.Minute
	exportTimeout    = 10 * time.Minute
)

// exportHeader is the CSV header row: the JSON names of index.ExportRow.
var exportHeader = []string{"id", "report_id", "title", "region", "year", "date", "part", "section", "ordinal", "left", "match", "right",
	"text", "level", "speaker", "source", "url", "citation"}

// exportWriter writes rows in one format; headers go out with the first
// write so that an error before any row can still be answered as JSON.
// It writes the export's rows (write), or any table's (writeRow) when
// header and kind are set.
type exportWriter struct {
	c       *gin.Context
	format  string
	kind    string   // names the downloaded file: govsearch-KIND-query; "" is export
	header  []string // the CSV header row; nil is exportHeader
	query   string   // names the downloaded file
	bom     bool     // start a CSV with a UTF-8 byte order mark
	started bool
	buf     *bufio.Writer
	csv     *csv.Writer
	json    *json.Encoder
	rows    int
}

func (w *exportWriter) start() {
	w.started = true
	h := w.c.Writer.Header()
	if w.format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	}
	h.Set("Content-Disposition", attachment(w.kind, w.query, w.format))
	w.c.Status(http.StatusOK)
	w.buf = bufio.NewWriterSize(w.c.Writer, 64<<10)
	if w.format == "csv" {
		if w.bom {
			_, _ = w.buf.WriteString("\uFEFF")
		}
		w.csv = csv.NewWriter(w.buf)
		header := w.header
		if header == nil {
			header = exportHeader
		}
		_ = w.csv.Write(header)
	} else {
		w.json = json.NewEncoder(w.buf)
		w.json.SetEscapeHTML(false)
	}
}

func (w *exportWriter) write(r index.ExportRow) error { return w.writeRow(csvRecord(r), r) }

// writeRow writes one row: cells (each defused by csvCell) as CSV, or v
// as a JSON line.
func (w *exportWriter) writeRow(cells []string, v any) error {
	if !w.started {
		w.start()
	}
	var err error
	if w.csv != nil {
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		err = w.csv.Write(cells)
	} else {
		err = w.json.Encode(v)
	}
	if err != nil {
		return err
	}
	w.rows++
	if w.rows%exportFlushRows == 0 {
		return w.flush()
	}
	return nil
}

func (w *exportWriter) flush() error {
	_ = http.NewResponseController(w.c.Writer).SetWriteDeadline(time.Now().Add(exportWriteGrace))
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	}
	if err := w.buf.Flush(); err != nil {
		return err
	}
	w.c.Writer.Flush()
	return nil
}

func (s *server) export(c *gin.Context) error {
	v := c.Request.URL.Query()
	format, err := exportFormat(v)
	if err != nil {
		return err
	}
	req, err := parseCounting(v)
	if err != nil {
		return err
	}
	bom, err := boolParam(v, "bom", false)
	if err != nil {
		return err
	}
	query := req.Query // names the file as typed
	if _, err := s.resolveRegions(c, &req); err != nil {
		return err
	}
	ix, err := s.searcher()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), exportTimeout)
	defer cancel()
	w := &exportWriter{c: c, format: format, query: query, bom: bom}
	write := func(r index.ExportRow) error {
		r.URL = s.link(r.URL)
		return w.write(r)
	}
	if err := ix.Export(ctx, req, write); err != nil {
		if !w.started {
			return err // nothing sent yet: an ordinary JSON error
		}
		// The 200 is already out. Dropping the connection without the final
		// chunk lets the client see the export is incomplete, rather than
		// take a truncated file for a whole one.
		s.fail(c, err)
		panic(http.ErrAbortHandler)
	}
	if !w.started {
		w.start() // no match: the CSV header row alone, or an empty JSONL body
	}
	return w.flush()
}

// csvRecord returns r as the cells of a CSV row, in exportHeader's order,
// each passed through csvCell.
func csvRecord(r index.ExportRow) []string {
	rec := []string{r.ID, r.ReportID, r.Title, r.Region, strconv.Itoa(r.Year), r.Date, r.Part, r.Section,
		strconv.Itoa(r.Ordinal), r.Left, r.Match, r.Right, r.Text, r.Level, r.Speaker, r.Source, r.URL, r.Citation}
	for i, c := range rec {
		rec[i] = csvCell(c)
	}
	return rec
}

// csvCell defuses a cell that a spreadsheet would run as a formula (OWASP
// "CSV injection"): one beginning with =, +, -, @, tab or carriage return
// gets a leading apostrophe, which spreadsheets show as text. The seed
// corpus alone yields cells such as "+" (互联网+), and an uploaded
// paragraph can start a kwic cell with =HYPERLINK(…). JSON lines stay exact.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// exportFormat reads format: csv (default) or jsonl.
func exportFormat(v url.Values) (string, error) {
	switch f := v.Get("format"); f {
	case "", "csv":
		return "csv", nil
	case "jsonl", "ndjson":
		return "jsonl", nil
	default:
		return "", paramError("format", "\""+index.Clip(f)+"\" is not csv or jsonl")
	}
}

// contentDisposition names the download of an export after the query.
func contentDisposition(query, format string) string { return attachment("", query, format) }

// attachment names a download of kind (export when empty) after the
// query: an ASCII name for every client, and the query itself (RFC 6266
// filename*) for those that read it. Characters that are not letters or
// digits become "_".
func attachment(kind, query, format string) string {
	if kind == "" {
		kind = "export"
	}
	var b strings.Builder
	for _, r := range query {
		if b.Len() >= 120 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else if !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	name := "govsearch-" + kind
	if q := strings.Trim(b.String(), "_"); q != "" {
		name += "-" + q
	}
	return `attachment; filename="govsearch-` + kind + "." + format + `"; filename*=UTF-8''` + url.PathEscape(name+"."+format)
}
