// Package index owns the bleve index of report paragraphs: its mapping, the
// query language, ranking, facets, highlighting, trends and export. It exposes
// plain Go types; callers (web, cmd) never see bleve types.
//
// The types and interfaces in this file, the facet registry (facets.go)
// and the request rules (validate.go) are what web/ and cmd/ code against;
// *Index implements Reader and Writer. Open opens an index directory,
// Build writes a new generation of one, and README.md describes the query
// language, ranking and the layout on disk.
package index

import (
	"context"
	"errors"

	"govsearch/ingest"
)

// YearRange is an inclusive range of years; From == To for a single year.
type YearRange struct{ From, To int }

// Request is one search. Search validates it with the rules of
// validate.go: a syntax error in the query is a *QueryError; size outside
// 0..MaxSize (0 is DefaultSize), a negative from, from+size over
// MaxWindow, an unknown sort or facet, bad filter values and search_after
// with from or not fitting the sort are a *ValidationError naming the
// argument.
type Request struct {
	Query   string // query language, see ParseQuery
	Filters Filters
	Sort    string // SortRelevance (default), SortYearAsc, SortYearDesc
	From    int
	Size    int // 0 means DefaultSize
	// Facets to compute; nil means all, an empty non-nil slice means none.
	Facets    []string
	Highlight bool
	// SearchAfter continues after the last hit of a previous page (its Sort values).
	// It needs From == 0 and the same Sort and Match as that page.
	SearchAfter []string
	// Match is MatchAll (the default; "" too): every term occurs verbatim,
	// or MatchBest: ranked retrieval for natural-language text (best.go).
	// Trend and Export count exact matches and refuse MatchBest.
	Match string

	// tuning overrides the best-match tuning, for the tests that choose it.
	tuning *bestTuning
}

// FacetValue is one bucket of a facet. Buckets come in the facet's Order:
// by count, descending (ties by value), or for the year facet newest year
// first. A year is four digits ("0000" when the report's year is unknown).
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one matching paragraph with its report's metadata. Occurrences
// counts the query's positive terms in the paragraph, left to right without
// overlap (of a NEAR or SENT pair only the occurrences that belong to a
// pair; under MatchBest the query's words). Highlights is empty unless Request.Highlight is set; then it
// holds up to five fragments of about 120 characters in which each
// occurrence is wrapped whole in <mark>…</mark> and all other text is
// HTML-escaped (a query of filters only highlights the paragraph's opening).
type Hit struct {
	ingest.Record
	URL         string   `json:"url"`      // ParagraphURL
	Citation    string   `json:"citation"` // Citation
	Score       float64  `json:"score"`
	Occurrences int      `json:"occurrences"`
	Highlights  []string `json:"highlights"`     // HTML; only <mark> tags
	Sort        []string `json:"sort,omitempty"` // pass as SearchAfter for the next page
}

// Response is the result of a search; its JSON (written by WriteJSON) is the
// HTTP API's body. Hits and Facets are never nil.
type Response struct {
	Query  string                  `json:"query"`
	Total  int                     `json:"total"`
	TookMS float64                 `json:"took_ms"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets"`
}

// TrendCell counts matches for one year and region among the reports the
// request covers (see Index.Trend): Reports is the number of those reports,
// MentioningReports how many of them match, Paragraphs and Occurrences the
// matching paragraphs and the occurrences in them, Chars the characters of
// the reports' paragraphs (those passing the paragraph filters), and
// Per10k the occurrences per 10,000 of those characters.
type TrendCell struct {
	Year              int     `json:"year"`
	Region            string  `json:"region"`
	Level             string  `json:"level"`
	Reports           int     `json:"reports"`
	MentioningReports int     `json:"mentioning_reports"`
	Paragraphs        int     `json:"paragraphs"`
	Occurrences       int     `json:"occurrences"`
	Chars             int     `json:"chars"`
	Per10k            float64 `json:"per_10k"`
}

// Trend is the answer of Index.Trend.
type Trend struct {
	Query string      `json:"query"`
	Cells []TrendCell `json:"cells"`
}

// ExportRow is one key-word-in-context row of an export: where the
// occurrence is, the occurrence with its context, the whole paragraph, and
// the paragraph's permanent link and citation (ParagraphURL, Citation).
// Fields added later come last, so that a column keeps its place in the CSV.
type ExportRow struct {
	ID       string `json:"id"`
	ReportID string `json:"report_id"`
	Title    string `json:"title"`
	Region   string `json:"region"`
	Year     int    `json:"year"`
	Date     string `json:"date"`
	Part     string `json:"part"`
	Section  string `json:"section"`
	Ordinal  int    `json:"ordinal"`
	Left     string `json:"left"`
	Match    string `json:"match"`
	Right    string `json:"right"`
	Text     string `json:"text"`
	Level    string `json:"level"`
	Speaker  string `json:"speaker"`
	Source   string `json:"source"`
	URL      string `json:"url"`
	Citation string `json:"citation"`
}

// ReportSummary is a report's metadata, its paragraph count and the
// length of its paragraph text in characters (Summarize).
type ReportSummary struct {
	ID string `json:"id"`
	ingest.Meta
	Paragraphs int `json:"paragraphs"`
	Chars      int `json:"chars"`
}

// LexiconEntry is a policy term with how many paragraphs and reports contain it.
type LexiconEntry struct {
	Term       string `json:"term"`
	Paragraphs int    `json:"paragraphs"`
	Reports    int    `json:"reports"`
}

// ErrNotFound is returned for an unknown paragraph or report id.
var ErrNotFound = errors.New("not found")

// Reader is the read side of an index; *Index implements it. Trend,
// Diffusion, KWIC and Export walk every match, uncapped.
type Reader interface {
	Search(ctx context.Context, req Request) (*Response, error)
	Trend(ctx context.Context, req Request) (*Trend, error)
	Diffusion(ctx context.Context, req Request) (*Diffusion, error)
	KWIC(ctx context.Context, req Request, opts KWICOptions, emit func(KWICRow) error) error
	Export(ctx context.Context, req Request, emit func(ExportRow) error) error
	Paragraph(ctx context.Context, id string) (*ingest.Record, error)
	Reports(ctx context.Context) ([]ReportSummary, error)
	Report(ctx context.Context, id string) (*ingest.Report, error)
	Lexicon(ctx context.Context) ([]LexiconEntry, error)
	Stats() Stats
}

// Writer changes an open index in place; *Index implements it. A full
// rebuild is Build, which writes a new generation.
type Writer interface {
	AddReports(ctx context.Context, reports []ingest.Report) error
	DeleteReport(ctx context.Context, id string) error
}

// ReadWriter is an index that is read and written, as the HTTP API does.
type ReadWriter interface {
	Reader
	Writer
}

// Stats describes the open index for health and metrics.
type Stats struct {
	Documents uint64 `json:"documents"`
	Reports   int    `json:"reports"`
	SizeBytes int64  `json:"size_bytes"`
	Version   string `json:"version"`
}
