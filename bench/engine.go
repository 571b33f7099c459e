package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/analyzer"
	"govsearch/index"
)

// Engine names.
const (
	EngineOurs     = "ours"
	EngineBaseline = "cjk"
)

// Engines lists the engines in report order.
var Engines = []string{EngineOurs, EngineBaseline}

// searcher answers benchmark queries; total is the number of matching
// paragraphs.
type searcher interface {
	search(ctx context.Context, q Query) (total int, err error)
	Close() error
}

// buildResult is what a build reports besides what the parent measures.
type buildResult struct {
	Files      int   `json:"files"`
	Reports    int   `json:"reports"`
	Paragraphs int   `json:"paragraphs"`
	RawBytes   int64 `json:"raw_bytes"`
	// TextBytes is the paragraph text indexed, the measure of index size
	// in the targets.
	TextBytes int64 `json:"text_bytes"`
	// Elapsed is the wall time of the build proper, as Build measures it.
	Elapsed time.Duration `json:"elapsed"`
	// CPU is the CPU time of the build proper (all goroutines).
	CPU time.Duration `json:"cpu"`
	// DictLoad is the part of Elapsed spent loading the word dictionary.
	DictLoad time.Duration `json:"dict_load"`
	Skipped  int           `json:"skipped"`
}

// build indexes inputs into a new index at dir with the named engine.
func build(ctx context.Context, engine, dir string, inputs []index.Input) (*buildResult, error) {
	cpu0 := cpuTime()
	res, err := buildWith(ctx, engine, dir, inputs)
	if err != nil {
		return nil, err
	}
	res.CPU = cpuTime() - cpu0
	return res, nil
}

func buildWith(ctx context.Context, engine, dir string, inputs []index.Input) (*buildResult, error) {
	switch engine {
	case EngineOurs:
		st, err := index.Build(ctx, dir, inputs, index.BuildOptions{})
		if err != nil {
			return nil, err
		}
		return &buildResult{
			Files: st.Files, Reports: st.Reports, Paragraphs: st.Paragraphs, RawBytes: st.Bytes, TextBytes: st.TextBytes,
			Elapsed: st.Elapsed, DictLoad: analyzer.LoadTime(), Skipped: len(st.Errors),
		}, nil
	case EngineBaseline:
		return buildBaseline(ctx, dir, inputs)
	}
	return nil, fmt.Errorf("unknown engine %q", engine)
}

// open opens the index at dir with the named engine.
func open(engine, dir string) (searcher, error) {
	switch engine {
	case EngineOurs:
		ix, err := index.Open(dir)
		if err != nil {
			return nil, err
		}
		return ours{ix}, nil
	case EngineBaseline:
		bi, err := bleve.OpenUsing(baselinePath(dir), map[string]interface{}{"bolt_timeout": "3s"})
		if err != nil {
			return nil, fmt.Errorf("baseline index: %w", err)
		}
		return baseline{bi}, nil
	}
	return nil, fmt.Errorf("unknown engine %q", engine)
}

// ours is govsearch's index behind the searcher interface.
type ours struct{ ix *index.Index }

func (o ours) search(ctx context.Context, q Query) (int, error) {
	req := index.Request{Query: q.Text, Size: 10, Facets: []string{}, Highlight: q.Highlight()}
	if q.Best() {
		req.Match = index.MatchBest
	}
	if q.Facets() {
		req.Facets = nil // all
	}
	resp, err := o.ix.Search(ctx, req)
	if err != nil {
		return 0, err
	}
	return resp.Total, nil
}

func (o ours) Close() error { return o.ix.Close() }

// The baseline index: bleve with its built-in cjk analyzer and default
// settings on the paragraph text, plus the facet fields as keywords.
const (
	baseText = "text"
	// baseFacetSize is far above the number of buckets of any facet, so
	// the baseline counts every bucket, as the index package does.
	baseFacetSize = 100000
)

// baseFacets are the keyword fields of the baseline, named like the facets.
var baseFacets = index.AllFacets

func baselinePath(dir string) string { return filepath.Join(dir, "baseline.bleve") }

// baselineMapping maps the paragraph text with the cjk analyzer (a text
// field with bleve's defaults: stored, term vectors, doc values) and the
// facet fields as keywords.
func baselineMapping() *mapping.IndexMappingImpl {
	dm := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	dm.AddFieldMappingsAt(baseText, text)
	for _, f := range baseFacets {
		dm.AddFieldMappingsAt(f, bleve.NewKeywordFieldMapping())
	}
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	return im
}

// baselineDoc is one paragraph as the baseline indexes it.
type baselineDoc struct {
	Text     string `json:"text"`
	Region   string `json:"region"`
	Year     string `json:"year"`
	Level    string `json:"level"`
	PartKind string `json:"part_kind"`
	Kind     string `json:"kind"`
}

// Batching of the baseline build: the policy index.Build uses, so that
// both engines write the same number of segments — a batch is cut after a
// file once it holds baseBatchDocs paragraphs or baseBatchBytes of raw text.
const (
	baseBatchDocs  = 10000
	baseBatchBytes = 4 << 20
)

// buildBaseline parses inputs with ingest, as index.Build does, and
// indexes every paragraph, batched as index.Build batches.
func buildBaseline(ctx context.Context, dir string, inputs []index.Input) (*buildResult, error) {
	return buildBaselineWith(ctx, dir, inputs, baselineMapping())
}

// buildBaselineWith is buildBaseline with the mapping im.
func buildBaselineWith(ctx context.Context, dir string, inputs []index.Input, im mapping.IndexMapping) (*buildResult, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bi, err := bleve.New(baselinePath(dir), im)
	if err != nil {
		return nil, fmt.Errorf("baseline index: %w", err)
	}
	res := &buildResult{}
	batch := bi.NewBatch()
	var inBatch int64
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			bi.Close()
			return nil, err
		}
		f, err := in.Parse()
		if err != nil {
			res.Skipped++
			continue
		}
		for _, r := range f.Reports {
			res.Reports++
			for _, p := range r.Paragraphs {
				doc := baselineDoc{Text: p.Text, Region: r.Region, Year: yearKey(r.Year), Level: r.Level, PartKind: p.PartKind, Kind: p.Kind}
				if err := batch.Index(p.ID, doc); err != nil {
					bi.Close()
					return nil, err
				}
				res.Paragraphs++
				res.TextBytes += int64(len(p.Text))
			}
		}
		res.Files++
		res.RawBytes += in.Size
		inBatch += in.Size
		if batch.Size() >= baseBatchDocs || inBatch >= baseBatchBytes {
			if err := bi.Batch(batch); err != nil {
				bi.Close()
				return nil, err
			}
			batch, inBatch = bi.NewBatch(), 0
		}
	}
	if batch.Size() > 0 {
		if err := bi.Batch(batch); err != nil {
			bi.Close()
			return nil, err
		}
	}
	if err := bi.Close(); err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// yearKey writes a year as four digits, as the index package does.
func yearKey(y int) string {
	s := strconv.Itoa(y)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// baseline is the cjk baseline behind the searcher interface.
type baseline struct{ bi bleve.Index }

func (b baseline) search(ctx context.Context, q Query) (int, error) {
	sr := bleve.NewSearchRequestOptions(baselineQuery(q.Parsed, q.Best()), 10, 0, false)
	sr.Fields = []string{"*"}
	if q.Facets() {
		for _, f := range baseFacets {
			sr.AddFacet(f, bleve.NewFacetRequest(f, baseFacetSize))
		}
	}
	if q.Highlight() {
		sr.Highlight = bleve.NewHighlight()
		sr.Highlight.AddField(baseText)
	}
	res, err := b.bi.SearchInContext(ctx, sr)
	if err != nil {
		return 0, err
	}
	return int(res.Total), nil
}

func (b baseline) Close() error { return b.bi.Close() }

// baselineQuery translates a parsed query into its nearest bleve
// equivalent: each term a match query on the text (bleve's default OR of
// the analysed bigrams), OR a disjunction, NEAR and SENT the conjunction of
// their operands (bleve has no proximity for bigrams), all clauses and
// filters a conjunction, excluded terms a must-not clause. With best set,
// the unquoted terms that stand alone become one match query of their text,
// as plain bleve answers a natural-language query.
func baselineQuery(pq *index.Query, best bool) query.Query {
	match := func(t index.Term) query.Query {
		m := query.NewMatchQuery(t.Text)
		m.SetField(baseText)
		return m
	}
	term := func(field, v string) query.Query {
		t := query.NewTermQuery(v)
		t.SetField(field)
		return t
	}
	var node func(n index.Node) query.Query
	node = func(n index.Node) query.Query {
		switch n := n.(type) {
		case *index.Term:
			return match(*n)
		case *index.Phrase:
			return match(n.Term)
		case *index.Or:
			var alts []query.Query
			for _, x := range n.Nodes {
				alts = append(alts, node(x))
			}
			return query.NewDisjunctionQuery(alts)
		case *index.Near:
			return query.NewConjunctionQuery([]query.Query{node(n.A), node(n.B)})
		}
		panic(fmt.Sprintf("bench: no baseline for query node %T", n))
	}
	var must, not []query.Query
	var words []string
	for _, c := range pq.Clauses() {
		switch c := c.(type) {
		case *index.Filter:
			// Below, one clause per facet.
		case *index.Not:
			not = append(not, node(c.Node))
		case *index.Term:
			if best {
				words = append(words, c.Text)
				continue
			}
			must = append(must, node(c))
		default:
			must = append(must, node(c))
		}
	}
	if len(words) > 0 {
		must = append(must, match(index.Term{Text: strings.Join(words, " ")}))
	}
	anyOf := func(field string, vs []string) {
		if len(vs) == 0 {
			return
		}
		var alts []query.Query
		for _, v := range vs {
			alts = append(alts, term(field, v))
		}
		must = append(must, query.NewDisjunctionQuery(alts))
	}
	f := pq.Filters
	anyOf(index.FacetRegion, f[index.FacetRegion])
	anyOf(index.FacetLevel, f[index.FacetLevel])
	anyOf(index.FacetPartKind, f[index.FacetPartKind])
	anyOf(index.FacetKind, f[index.FacetKind])
	if len(f[index.FacetYear]) > 0 {
		var alts []query.Query
		incl := true
		for _, y := range f[index.FacetYear] {
			r, _ := index.ParseYearRange(y) // ParseQuery checked it
			tr := query.NewTermRangeInclusiveQuery(yearKey(r.From), yearKey(r.To), &incl, &incl)
			tr.SetField(index.FacetYear)
			alts = append(alts, tr)
		}
		must = append(must, query.NewDisjunctionQuery(alts))
	}
	var q query.Query = query.NewConjunctionQuery(must)
	if len(not) > 0 {
		q = query.NewBooleanQuery([]query.Query{q}, nil, not)
	}
	return q
}

// errUsage marks a bad child invocation.
var errUsage = errors.New("usage")
