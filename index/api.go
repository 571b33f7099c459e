// Package index owns the bleve index of report paragraphs: its mapping, the
// query language, ranking, facets, highlighting, trends and export. It exposes
// plain Go types; callers (web, cmd) never see bleve types.
//
// The types and method set in this file are what web/ and cmd/ code
// against; *Index implements Searcher. Open opens an index directory, Build
// writes a new generation of one, and README.md describes the query
// language, ranking and the layout on disk.
package index

import (
	"context"
	"errors"

	"govsearch/ingest"
)

// Facet field names, also the keys of Response.Facets.
const (
	FacetRegion   = "region"
	FacetYear     = "year"
	FacetLevel    = "level"
	FacetPartKind = "part_kind"
	FacetKind     = "kind"
)

// AllFacets lists every facet in display order.
var AllFacets = []string{FacetRegion, FacetYear, FacetLevel, FacetPartKind, FacetKind}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortYearAsc   = "year"
	SortYearDesc  = "-year"
)

// Paging limits.
const (
	MaxSize        = 100
	MaxWindow      = 10000 // from + size
	DefaultSize    = 10
	MaxQueryLength = 256 // characters
	MaxQueryTerms  = 16
)

// YearRange is an inclusive range of years; From == To for a single year.
type YearRange struct{ From, To int }

// Filters restrict a search. Values within a field are ORed, fields are ANDed.
// Request.Filters and the filters written in the query are both applied
// (ANDed); a facet ignores both kinds of filter on its own field.
type Filters struct {
	Region []string
	Level  []string
	Part   []string // part_kind values
	Kind   []string
	Year   []YearRange
}

// Request is one search. Search validates it and answers a *QueryError
// naming the bad parameter: size outside 1..MaxSize (0 is DefaultSize),
// negative from, from+size over MaxWindow, an unknown sort or facet, bad
// filter values, search_after with from or with the wrong number of
// values, and query syntax errors (Param "q").
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
	// It needs From == 0 and the same Sort as that page.
	SearchAfter []string
}

// FacetValue is one bucket of a facet. Buckets come by count, descending
// (ties by value), except the year facet, newest year first. A year is
// four digits ("0000" when the report's year is unknown).
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one matching paragraph with its report's metadata. Occurrences
// counts the query's positive terms in the paragraph, left to right without
// overlap. Highlights is empty unless Request.Highlight is set; then it
// holds up to five fragments of about 120 characters in which each
// occurrence is wrapped whole in <mark>…</mark> and all other text is
// HTML-escaped (a query of filters only highlights the paragraph's opening).
type Hit struct {
	ingest.Record
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

// TrendCell counts matches for one year and region.
type TrendCell struct {
	Year        int    `json:"year"`
	Region      string `json:"region"`
	Paragraphs  int    `json:"paragraphs"`
	Occurrences int    `json:"occurrences"`
}

// Trend is the answer of Index.Trend.
type Trend struct {
	Query string      `json:"query"`
	Cells []TrendCell `json:"cells"`
}

// ExportRow is one key-word-in-context row of an export: a citation and one
// occurrence with its context.
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
}

// ReportSummary is a report's metadata and paragraph count.
type ReportSummary struct {
	ID string `json:"id"`
	ingest.Meta
	Paragraphs int `json:"paragraphs"`
}

// LexiconEntry is a policy term with how many paragraphs and reports contain it.
type LexiconEntry struct {
	Term       string `json:"term"`
	Paragraphs int    `json:"paragraphs"`
	Reports    int    `json:"reports"`
}

// QueryError is a syntax error in a query or a bad request parameter.
type QueryError struct {
	Param   string // "q", "size", "from", "year", "sort", "facets", …
	Message string
}

func (e *QueryError) Error() string { return e.Param + ": " + e.Message }

// ErrNotFound is returned for an unknown paragraph or report id.
var ErrNotFound = errors.New("not found")

// Searcher is what web/ needs of an index; *Index implements it.
type Searcher interface {
	Search(ctx context.Context, req Request) (*Response, error)
	Trend(ctx context.Context, req Request) (*Trend, error)
	Export(ctx context.Context, req Request, emit func(ExportRow) error) error
	Paragraph(ctx context.Context, id string) (*ingest.Record, error)
	Reports(ctx context.Context) ([]ReportSummary, error)
	Report(ctx context.Context, id string) (*ingest.Report, error)
	Lexicon(ctx context.Context) ([]LexiconEntry, error)
	AddReports(ctx context.Context, reports []ingest.Report) error
	DeleteReport(ctx context.Context, id string) error
	Stats() Stats
}

// Stats describes the open index for health and metrics.
type Stats struct {
	Documents uint64 `json:"documents"`
	Reports   int    `json:"reports"`
	SizeBytes int64  `json:"size_bytes"`
	Version   string `json:"version"`
}
