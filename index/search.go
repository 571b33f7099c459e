package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"govsearch/ingest"
)

// Ranking weights. A term's exact-substring clause on the bigram field
// decides whether a paragraph matches and scores it by BM25; a whole-word
// or word-initial match in the words field and a match in a heading or
// glossary term add to that score.
//
// The exact clause gets a small weight: BM25 length normalisation makes a
// short paragraph's score several times a long one's, and a whole-word or
// word-initial match in a long paragraph must still rank above a buried
// match in a short one. The words field holds whole words twice and word
// beginnings once, so a whole word scores above a beginning.
const (
	boostExact = 0.1
	boostWord  = 6.0
	boostHead  = 2.0
)

// maxFragments bounds the highlight fragments of one hit; Occurrences
// still counts every occurrence.
const maxFragments = 5

// plan is a validated request compiled to bleve queries.
type plan struct {
	terms    []string   // normalised positive terms
	groups   [][]string // the positive terms by group: a hit has one of each
	must     []query.Query
	mustNot  []query.Query
	filters  map[string][]query.Query // facet field → clauses (ANDed)
	matchAll bool                     // no positive terms
}

// compile validates the query and filters of req and builds the clauses.
func compile(req *Request) (*plan, error) {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	if err := validateFilters(&req.Filters); err != nil {
		return nil, err
	}
	p := &plan{terms: q.Terms(), filters: map[string][]query.Query{}}
	for _, g := range q.Groups {
		norms := make([]string, len(g))
		for i, t := range g {
			norms[i] = t.Norm
		}
		p.groups = append(p.groups, norms)
		if len(g) == 1 {
			p.must = append(p.must, rankedMatch(g[0].Norm))
			continue
		}
		alts := make([]query.Query, len(g))
		for i, t := range g {
			alts[i] = rankedMatch(t.Norm)
		}
		p.must = append(p.must, query.NewDisjunctionQuery(alts))
	}
	for _, t := range q.Exclude {
		p.mustNot = append(p.mustNot, exactMatch(t.Norm))
	}
	p.matchAll = len(p.must) == 0
	for _, f := range []Filters{q.Filters, req.Filters} {
		p.addFilters(f)
	}
	return p, nil
}

func (p *plan) addFilters(f Filters) {
	add := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		alts := make([]query.Query, len(values))
		for i, v := range values {
			alts[i] = termQ(field, v)
		}
		p.filters[field] = append(p.filters[field], orOf(alts))
	}
	add(fieldRegion, f.Region)
	add(fieldLevel, f.Level)
	add(fieldPartKind, f.Part)
	add(fieldKind, f.Kind)
	if len(f.Year) > 0 {
		alts := make([]query.Query, len(f.Year))
		for i, r := range f.Year {
			if r.From == r.To {
				alts[i] = termQ(fieldYear, yearKey(r.From))
				continue
			}
			lo, hi := float64(r.From), float64(r.To)
			incl := true
			nq := query.NewNumericRangeInclusiveQuery(&lo, &hi, &incl, &incl)
			nq.SetField(fieldYearNum)
			alts[i] = nq
		}
		p.filters[fieldYear] = append(p.filters[fieldYear], orOf(alts))
	}
}

// build returns the bleve query of the plan without the filters of the
// fields in skip (for multi-select facets).
func (p *plan) build(skip string) query.Query {
	var filters []query.Query
	for _, field := range []string{fieldRegion, fieldLevel, fieldYear, fieldPartKind, fieldKind} {
		if field != skip {
			filters = append(filters, p.filters[field]...)
		}
	}
	if p.matchAll {
		// No term to score: the filters themselves drive the search, so
		// that a filter-only query walks the filter's postings, not every
		// paragraph.
		must := filters
		if len(must) == 0 {
			must = []query.Query{termQ(fieldType, typeParagraph)}
		}
		return query.NewBooleanQuery(must, nil, p.mustNot)
	}
	bq := query.NewBooleanQuery(p.must, nil, p.mustNot)
	if len(filters) == 1 {
		bq.AddFilter(filters[0])
	} else if len(filters) > 1 {
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	return bq
}

// restrict returns q limited to the paragraphs of one report.
func restrict(q query.Query, reportID string) query.Query {
	return query.NewConjunctionQuery([]query.Query{termQ(fieldReportID, reportID), q})
}

// exactMatch matches the paragraphs whose normalised text contains norm.
// Two characters are one bigram; longer strings are a phrase of their
// consecutive bigrams, which the n-gram positions make an exact substring
// test; one character is a prefix of the bigrams (the end bigram covers
// the last character of a text).
func exactMatch(norm string) query.Query {
	return ngramQuery(norm, fieldNgram)
}

func ngramQuery(norm, field string) query.Query {
	runes := []rune(norm)
	switch len(runes) {
	case 1:
		q := query.NewPrefixQuery(norm)
		q.SetField(field)
		return &unscored{q}
	case 2:
		return termQ(field, norm)
	}
	grams := make([]string, len(runes)-1)
	for i := range grams {
		grams[i] = string(runes[i : i+2])
	}
	return query.NewPhraseQuery(grams, field)
}

// rankedMatch is exactMatch plus optional clauses that raise the score of
// whole-word matches, of matches that begin a word (民政 in 民政局, unlike
// 民政 inside 人民政府), and of matches in headings and glossary terms. The
// exact clause is scaled by the number of bigrams so that long terms do not
// drown the other signals.
func rankedMatch(norm string) query.Query {
	runes := []rune(norm)
	exact := exactMatch(norm)
	if len(runes) > 2 {
		exact.(query.BoostableQuery).SetBoost(boostExact / float64(len(runes)-1))
	} else {
		exact.(query.BoostableQuery).SetBoost(boostExact)
	}
	word := termQ(fieldWords, norm)
	word.SetBoost(boostWord)
	should := []query.Query{word}
	if len(runes) >= 2 {
		head := ngramQuery(norm, fieldHead)
		head.(query.BoostableQuery).SetBoost(boostHead)
		should = append(should, head)
	}
	return query.NewBooleanQuery([]query.Query{exact}, should, nil)
}

// unscored runs a query without scoring: a match adds nothing to the
// score. A one-character prefix query over the bigram field unites the
// postings of every bigram that starts with the character; unscored, bleve
// unites them as bitmaps, which for a common character is several times
// faster than scoring each bigram's postings.
type unscored struct{ query.Query }

// Searcher implements query.Query.
func (u *unscored) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.Score = "none"
	options.IncludeTermVectors = false
	return u.Query.Searcher(ctx, i, m, options)
}

// SetBoost implements query.BoostableQuery; an unscored query has no
// weight to boost.
func (u *unscored) SetBoost(float64) {}

// Boost implements query.BoostableQuery.
func (u *unscored) Boost() float64 { return 1 }

func termQ(field, term string) *query.TermQuery {
	t := query.NewTermQuery(term)
	t.SetField(field)
	return t
}

func orOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// validateFilters checks the values of request filters.
func validateFilters(f *Filters) error {
	for _, v := range f.Level {
		if !contains(ingest.Levels, v) {
			return qerr("level", fmt.Sprintf("unknown level %q", v))
		}
	}
	for _, v := range f.Part {
		if !contains(ingest.PartKinds, v) {
			return qerr("part", fmt.Sprintf("unknown part %q", v))
		}
	}
	for _, v := range f.Kind {
		if !contains(ingest.Kinds, v) {
			return qerr("kind", fmt.Sprintf("unknown kind %q", v))
		}
	}
	for _, r := range f.Year {
		if r.From < MinYear || r.To > MaxYear || r.From > r.To {
			return qerr("year", fmt.Sprintf("bad year range %d..%d", r.From, r.To))
		}
	}
	for _, v := range f.Region {
		if v == "" {
			return qerr("region", "empty region")
		}
	}
	return nil
}

// sortOrder returns the bleve sort of a Request.Sort value.
func sortOrder(s string) ([]string, error) {
	switch s {
	case "", SortRelevance:
		return []string{"-_score", "_id"}, nil
	case SortYearAsc:
		return []string{fieldYear, "-_score", "_id"}, nil
	case SortYearDesc:
		return []string{"-" + fieldYear, "-_score", "_id"}, nil
	}
	return nil, qerr("sort", fmt.Sprintf("unknown sort %q (known: %s, %s, %s)", s, SortRelevance, SortYearAsc, SortYearDesc))
}

// Search implements Searcher.
func (ix *Index) Search(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	if req.Size == 0 {
		req.Size = DefaultSize
	}
	switch {
	case req.Size < 0 || req.Size > MaxSize:
		return nil, qerr("size", fmt.Sprintf("size must be between 1 and %d", MaxSize))
	case req.From < 0:
		return nil, qerr("from", "from must not be negative")
	case req.From+req.Size > MaxWindow:
		return nil, qerr("from", fmt.Sprintf("from + size must not exceed %d; use search_after or the export for more", MaxWindow))
	case req.SearchAfter != nil && req.From != 0:
		return nil, qerr("search_after", "search_after cannot be combined with from")
	}
	order, err := sortOrder(req.Sort)
	if err != nil {
		return nil, err
	}
	if req.SearchAfter != nil {
		if len(req.SearchAfter) != len(order) {
			return nil, qerr("search_after", fmt.Sprintf("search_after needs %d values for this sort, got %d", len(order), len(req.SearchAfter)))
		}
		for i, o := range order {
			if o == "-_score" {
				if _, err := strconv.ParseFloat(req.SearchAfter[i], 64); err != nil {
					return nil, qerr("search_after", fmt.Sprintf("value %d must be a score", i+1))
				}
			}
		}
	}
	facets := req.Facets
	if facets == nil {
		facets = AllFacets
	}
	for _, f := range facets {
		if !contains(AllFacets, f) {
			return nil, qerr("facets", fmt.Sprintf("unknown facet %q", f))
		}
	}
	p, err := compile(&req)
	if err != nil {
		return nil, err
	}
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}

	yearOrder := 0
	switch req.Sort {
	case SortYearAsc:
		yearOrder = 1
	case SortYearDesc:
		yearOrder = -1
	}
	// Facets of filtered fields ignore their own filter: each gets its own
	// search without it. The others come from the main search. All are
	// counted from one facet key per hit (see keyTable).
	var separate, joint []string
	for _, f := range facets {
		if len(p.filters[f]) > 0 {
			separate = append(separate, f)
		} else {
			joint = append(joint, f)
		}
	}

	resp := &Response{Query: req.Query, Hits: []Hit{}, Facets: map[string][]FacetValue{}}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		sideErr error
	)
	for _, f := range separate {
		wg.Add(1)
		go func(field string) {
			defer wg.Done()
			got, err := ix.collect(ctx, collectSpec{query: p.build(field), groups: p.groups, keys: true})
			var vs map[string][]FacetValue
			if err == nil {
				vs, err = ix.keyFacets(ctx, got.keys, []string{field})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				sideErr = err
				return
			}
			resp.Facets[field] = vs[field]
		}(f)
	}
	got, err := ix.collect(ctx, collectSpec{
		query: p.build(""), groups: p.groups, keep: req.From + req.Size, from: req.From, after: req.SearchAfter,
		yearOrder: yearOrder, score: true, keys: len(joint) > 0, records: true,
	})
	wg.Wait()
	if err != nil {
		var qe *QueryError
		if errors.As(err, &qe) {
			return nil, err
		}
		return nil, fmt.Errorf("search: %w", err)
	}
	if sideErr != nil {
		return nil, fmt.Errorf("search: facet: %w", sideErr)
	}
	if len(joint) > 0 {
		vs, err := ix.keyFacets(ctx, got.keys, joint)
		if err != nil {
			return nil, fmt.Errorf("search: facet: %w", err)
		}
		for f, v := range vs {
			resp.Facets[f] = v
		}
	}
	resp.Total = got.total
	m := newMatcher(p.terms)
	var sums *cachedReports
	for _, hr := range got.hits {
		rec, err := ix.decodeStored(ctx, hr.id, hr.rec, &sums)
		if err != nil {
			return nil, err
		}
		h := Hit{Record: *rec, Score: hr.score, Highlights: []string{}}
		spans := m.find(rec.Text)
		h.Occurrences = len(spans)
		if req.Highlight {
			h.Highlights = fragments(rec.Text, spans, fragmentLength, maxFragments)
		}
		h.Sort = make([]string, len(order))
		for i, o := range order {
			switch o {
			case "-_score":
				h.Sort[i] = strconv.FormatFloat(hr.score, 'g', -1, 64)
			case "_id":
				h.Sort[i] = hr.id
			default:
				h.Sort[i] = yearKey(rec.Year)
			}
		}
		resp.Hits = append(resp.Hits, h)
	}
	resp.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return resp, nil
}

// keyCount is the hit count of one facet key, split into its parts.
type keyCount struct {
	reportID, partKind, kind string
	count                    int
}

// keyFacets turns hit counts per facet key into the buckets of the given
// facets; region, year and level come from the report summaries. A report
// missing from the cached summaries (written after they were read) makes
// them reload once.
func (ix *Index) keyFacets(ctx context.Context, keys []keyCount, fields []string) (map[string][]FacetValue, error) {
	sums, err := ix.summaries(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if _, ok := sums.lookup(k.reportID); !ok {
			if sums, err = ix.loadSummaries(ctx, ix.epoch.Load()); err != nil {
				return nil, err
			}
			break
		}
	}
	counts := map[string]map[string]int{}
	for _, f := range fields {
		counts[f] = map[string]int{}
	}
	for _, k := range keys {
		s, _ := sums.lookup(k.reportID)
		for _, f := range fields {
			var v string
			switch f {
			case FacetRegion:
				v = s.Region
			case FacetYear:
				v = yearKey(s.Year)
			case FacetLevel:
				v = s.Level
			case FacetPartKind:
				v = k.partKind
			case FacetKind:
				v = k.kind
			}
			counts[f][v] += k.count
		}
	}
	out := map[string][]FacetValue{}
	for _, f := range fields {
		out[f] = facetValues(f, counts[f])
	}
	return out, nil
}

// facetValues orders buckets: by count, descending, ties by value; the
// year facet by year, newest first.
func facetValues(field string, counts map[string]int) []FacetValue {
	out := make([]FacetValue, 0, len(counts))
	for v, n := range counts {
		out = append(out, FacetValue{Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if field == FacetYear {
			return out[i].Value > out[j].Value
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// decodeRecord reads the stored paragraph of a hit and adds its report's
// metadata from the report summaries, which *sums caches (nil: not read
// yet). A report missing from the summaries (written after they were read)
// makes them reload once; a report deleted since the hit was found keeps
// its metadata through the summaries' gone list.
func (ix *Index) decodeRecord(ctx context.Context, dm *search.DocumentMatch, sums **cachedReports) (*ingest.Record, error) {
	raw, ok := dm.Fields[fieldRec].(string)
	if !ok {
		return nil, fmt.Errorf("search: document %q has no stored record", dm.ID)
	}
	return ix.decodeStored(ctx, dm.ID, raw, sums)
}

// decodeStored is decodeRecord for the stored record raw of document id.
func (ix *Index) decodeStored(ctx context.Context, id, raw string, sums **cachedReports) (*ingest.Record, error) {
	var sp storedParagraph
	if err := sp.unmarshal(raw); err != nil {
		return nil, fmt.Errorf("search: document %q: %w", id, err)
	}
	rec := &ingest.Record{Paragraph: sp.paragraph(id)}
	var err error
	if *sums == nil {
		if *sums, err = ix.summaries(ctx); err != nil {
			return nil, err
		}
	}
	s, found := (*sums).lookup(rec.ReportID)
	if !found {
		if *sums, err = ix.loadSummaries(ctx, ix.epoch.Load()); err != nil {
			return nil, err
		}
		s, _ = (*sums).lookup(rec.ReportID)
	}
	rec.Meta = s.Meta
	return rec, nil
}
