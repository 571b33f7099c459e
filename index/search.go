package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

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
	terms   []string   // normalised terms whose every occurrence counts
	nears   []*Near    // NEAR and SENT pairs, whose paired occurrences count
	groups  [][]string // terms of which a hit has one of each (mayMatch)
	must    []query.Query
	mustNot []query.Query
	filters map[string][]query.Query // facet field → clauses (ANDed)
	// check, when set, is the part of the query that the stored text of
	// each candidate must meet (NEAR, SENT); nil when the index decides.
	check *Query
	// skip are nodes of check that the index decided (best-match words).
	skip     map[Node]bool
	best     *bestMatch // set under MatchBest when the query has words to share
	matchAll bool       // no positive terms
}

// compile validates the query and filters of req and builds the clauses.
// Each top-level clause of the query is required, an excluded one becomes
// a must-not clause, a filter a filter clause; under MatchBest the
// unquoted terms that stand alone go to the best-match clause instead.
func compile(req *Request) (*plan, error) {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	if err := req.Filters.Validate(); err != nil {
		return nil, err
	}
	p := &plan{filters: map[string][]query.Query{}}
	var pooled []*Term
	for _, c := range q.Clauses() {
		switch c := c.(type) {
		case *Filter:
			// Added from q.Filters below, one clause per facet.
		case *Not:
			t, _ := leaf(c.Node)
			p.mustNot = append(p.mustNot, exactMatch(t.Norm))
		case *Term:
			if req.Match == MatchBest {
				pooled = append(pooled, c)
				continue
			}
			p.must = append(p.must, compileNode(c))
		default:
			p.must = append(p.must, compileNode(c))
		}
	}
	inPool := map[Node]bool{}
	for _, t := range pooled {
		inPool[t] = true
	}
	p.terms, p.nears = plainTerms(q.Root), positiveNears(q.Root)
	for _, c := range q.Clauses() {
		if !inPool[c] {
			for _, g := range clauseGroups(c) {
				p.groups = append(p.groups, norms(g))
			}
		}
	}
	if hasNear(q.Root) {
		p.check, p.skip = q, inPool
	}
	if len(pooled) > 0 {
		if p.best, err = newBestMatch(pooled, req.tuning); err != nil {
			return nil, err
		}
		p.must = append(p.must, p.best.clause)
		p.terms = append(p.terms, p.best.words...)
	}
	p.matchAll = len(p.must) == 0
	for _, f := range []Filters{q.Filters, req.Filters} {
		p.addFilters(f)
	}
	return p, nil
}

// compileNode is the bleve query of one node of a query tree: a term or
// phrase an exact match with its ranking clauses, AND and OR their
// conjunction and disjunction, NEAR and SENT the conjunction of their
// operands (the checker decides the rest), a filter its facet's clause.
func compileNode(n Node) query.Query {
	switch n := n.(type) {
	case *Term:
		return rankedMatch(n.Norm)
	case *Phrase:
		return rankedMatch(n.Norm)
	case *And:
		var must, not []query.Query
		for _, x := range n.Nodes {
			if neg, ok := x.(*Not); ok {
				not = append(not, compileNode(neg.Node))
				continue
			}
			must = append(must, compileNode(x))
		}
		if len(must) == 0 {
			must = []query.Query{termQ(fieldType, typeParagraph)}
		}
		return query.NewBooleanQuery(must, nil, not)
	case *Or:
		alts := make([]query.Query, len(n.Nodes))
		for i, x := range n.Nodes {
			alts[i] = compileNode(x)
		}
		return query.NewDisjunctionQuery(alts)
	case *Not:
		return query.NewBooleanQuery([]query.Query{termQ(fieldType, typeParagraph)}, nil, []query.Query{compileNode(n.Node)})
	case *Near:
		return query.NewConjunctionQuery([]query.Query{compileNode(n.A), compileNode(n.B)})
	case *Filter:
		return facetNamed(n.Facet).clause([]string{n.Value})
	}
	panic(fmt.Sprintf("index: query node %T has no compilation", n))
}

// checker returns a new checker of the conditions that the stored text of
// each candidate must meet, or nil when the index decides them all. Each
// collect needs its own: a checker keeps scratch space.
func (p *plan) checker() *checker {
	if p.check == nil {
		return nil
	}
	return newChecker(p.check.Root, p.skip)
}

// spanFinder returns a new finder of the occurrences a hit counts.
func (p *plan) spanFinder() *spanFinder { return newSpanFinder(p.terms, p.nears) }

// tier returns the query of the best-match tier, or nil.
func (p *plan) tier() query.Query {
	if p.best == nil {
		return nil
	}
	return p.best.tier
}

// addFilters adds one clause per filtered facet of f.
func (p *plan) addFilters(f Filters) {
	for i := range facetList {
		fc := &facetList[i]
		if values := f[fc.Name]; len(values) > 0 {
			p.filters[fc.Name] = append(p.filters[fc.Name], fc.clause(values))
		}
	}
}

// build returns the bleve query of the plan without the filters of the
// facet named skip (for multi-select facets).
func (p *plan) build(skip string) query.Query {
	var filters []query.Query
	for _, f := range facetList {
		if f.Name != skip {
			filters = append(filters, p.filters[f.Name]...)
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
	return weightedMatch(norm, weights{exact: boostExact, word: boostWord, head: boostHead})
}

// weightedMatch is rankedMatch with the given weights.
func weightedMatch(norm string, w weights) query.Query {
	exact := boosted(exactMatch(norm), w.exact, norm)
	word := termQ(fieldWords, norm)
	word.SetBoost(w.word)
	should := []query.Query{word}
	if utf8.RuneCountInString(norm) >= 2 {
		head := ngramQuery(norm, fieldHead)
		head.(query.BoostableQuery).SetBoost(w.head)
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

// Search implements Reader.
func (ix *Index) Search(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	order, err := req.validate()
	if err != nil {
		return nil, err
	}
	p, err := compile(&req)
	if err != nil {
		return nil, err
	}
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	resp := &Response{Query: req.Query, Hits: []Hit{}, Facets: map[string][]FacetValue{}}
	// A multi-select facet whose own field is filtered ignores that filter:
	// it gets a search of its own. The others are counted on the main
	// search's hits. All are counted from one facet key per hit (keyTable).
	var separate, joint []*Facet
	for _, f := range requestedFacets(req.Facets) {
		if f.MultiSelect && len(p.filters[f.Name]) > 0 {
			separate = append(separate, f)
		} else {
			joint = append(joint, f)
		}
	}
	wait := ix.countApart(ctx, p, separate, resp.Facets)
	got, err := ix.collect(ctx, collectSpec{
		query: p.build(""), groups: p.groups, best: p.best, keep: req.From + req.Size, from: req.From,
		after: req.SearchAfter, order: order, yearOrder: yearOrder(req.Sort), score: true,
		keys: len(joint) > 0, records: true, check: p.checker(), tier: p.tier(),
	})
	sideErr := wait()
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
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
		maps.Copy(resp.Facets, vs)
	}
	resp.Total = got.total
	if resp.Hits, err = ix.hits(ctx, got.hits, p.spanFinder(), req.Highlight, order); err != nil {
		return nil, err
	}
	resp.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return resp, nil
}

// requestedFacets returns the facets of Request.Facets, which CheckFacets
// accepted; nil asks for all.
func requestedFacets(names []string) []*Facet {
	if names == nil {
		names = AllFacets
	}
	out := make([]*Facet, len(names))
	for i, n := range names {
		out[i] = facetNamed(n)
	}
	return out
}

// yearOrder is collectSpec.yearOrder for a sort order.
func yearOrder(sort string) int {
	switch sort {
	case SortYearAsc:
		return 1
	case SortYearDesc:
		return -1
	}
	return 0
}

// countApart counts each of facets on a search of its own, without the
// facet's own filter, into out, while the caller runs the main search;
// wait returns when all are done, with the first error.
func (ix *Index) countApart(ctx context.Context, p *plan, facets []*Facet, out map[string][]FacetValue) (wait func() error) {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		err error
	)
	for _, f := range facets {
		wg.Go(func() {
			got, cerr := ix.collect(ctx, collectSpec{query: p.build(f.Name), groups: p.groups, best: p.best, keys: true, check: p.checker()})
			var vs map[string][]FacetValue
			if cerr == nil {
				vs, cerr = ix.keyFacets(ctx, got.keys, []*Facet{f})
			}
			mu.Lock()
			defer mu.Unlock()
			if cerr != nil {
				err = cerr
				return
			}
			out[f.Name] = vs[f.Name]
		})
	}
	return func() error {
		wg.Wait()
		return err
	}
}

// hits turns the collected hits into the response's: the stored paragraph
// with its report's metadata, occurrences, highlights if asked for, and
// the values of the sort order for search_after.
func (ix *Index) hits(ctx context.Context, refs []hitRef, m *spanFinder, highlight bool, order []string) ([]Hit, error) {
	out := make([]Hit, 0, len(refs))
	var sums *cachedReports
	for _, hr := range refs {
		rec, err := ix.decodeStored(ctx, hr.id, hr.rec, &sums)
		if err != nil {
			return nil, err
		}
		h := Hit{Record: *rec, URL: ParagraphURL(rec.ReportID, rec.Ordinal), Citation: Citation(rec.Meta, rec.Part, rec.Ordinal),
			Score: hr.score, Highlights: []string{}}
		spans := m.find(rec.Text)
		h.Occurrences = len(spans)
		if highlight {
			h.Highlights = fragments(rec.Text, spans, fragmentLength, maxFragments)
		}
		h.Sort = make([]string, len(order))
		for i, o := range order {
			switch o {
			case "-_score":
				h.Sort[i] = strconv.FormatFloat(hr.score, 'g', -1, 64)
			case "_id":
				h.Sort[i] = hr.id
			case orderTier:
				h.Sort[i] = strconv.Itoa(hr.tier)
			default:
				h.Sort[i] = YearValue(rec.Year)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// keyCount is the hit count of one facet key, split into its parts.
type keyCount struct {
	reportID string
	values   []string // the values of keyedFacets, in order
	count    int
}

// keyFacets turns hit counts per facet key into the buckets of the given
// facets; the values of facets of the report come from the report
// summaries. A report missing from the cached summaries (written after
// they were read) makes them reload once.
func (ix *Index) keyFacets(ctx context.Context, keys []keyCount, facets []*Facet) (map[string][]FacetValue, error) {
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
	counts := make([]map[string]int, len(facets))
	for i := range facets {
		counts[i] = map[string]int{}
	}
	for _, k := range keys {
		s, _ := sums.lookup(k.reportID)
		for i, f := range facets {
			counts[i][k.value(f, &s.Meta)] += k.count
		}
	}
	out := map[string][]FacetValue{}
	for i, f := range facets {
		vs := make([]FacetValue, 0, len(counts[i]))
		for v, n := range counts[i] {
			vs = append(vs, FacetValue{Value: v, Count: n})
		}
		f.Sort(vs)
		out[f.Name] = vs
	}
	return out, nil
}

// value returns the value of facet f for the paragraphs of key k, whose
// report has metadata m.
func (k *keyCount) value(f *Facet, m *ingest.Meta) string {
	if f.OfReport != nil {
		return f.OfReport(m)
	}
	return k.values[slices.Index(keyedFacets, f)]
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
