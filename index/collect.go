package index

import (
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Searches that ask for facets or ranked hits run through collect, a
// collector of this package's own instead of bleve's. bleve's collector
// reads every hit's facet key from doc values, decompressing a chunk of
// them for each hit, and reads every hit's document id for the (score, id)
// order, although ids only matter between equal scores. collect counts facet
// keys through a table from document number to key, made once per index
// snapshot from the key field's postings, and reads an id only when two hits
// tie. The order is the one bleve gave: year (when sorting by it), score
// descending, then id.

// keyTable maps the document numbers of one index snapshot to their facet
// keys: report id × the values of the facets of the paragraph
// (keyedFacets).
type keyTable struct {
	// snap is the snapshot the table describes. It is held weakly: a
	// cached table must not keep a replaced snapshot's segments in memory.
	snap  weak.Pointer[scorch.IndexSnapshot]
	keys  []keyCount // the facet keys; count unused
	byDoc []uint32   // document number → 1 + index in keys; 0 for none
}

// keyTableFor returns the key table of snapshot r, making it if the cached
// one describes another snapshot. A paragraph's key is its report id and
// its values of keyedFacets; each comes from its keyword field's postings.
func (ix *Index) keyTableFor(ctx context.Context, r bindex.IndexReader) (*keyTable, error) {
	ix.keyMu.Lock()
	defer ix.keyMu.Unlock()
	snap, _ := r.(*scorch.IndexSnapshot)
	if t := ix.keys; t != nil && snap != nil && t.snap.Value() == snap {
		return t, nil
	}
	cols := make([]keyColumn, 1+len(keyedFacets))
	fields := []string{fieldReportID}
	for _, f := range keyedFacets {
		fields = append(fields, f.Name)
	}
	for i, field := range fields {
		var err error
		if cols[i].terms, cols[i].byDoc, err = termsByDoc(ctx, r, field); err != nil {
			return nil, err
		}
	}
	t := &keyTable{byDoc: make([]uint32, len(cols[0].byDoc))}
	if snap != nil {
		t.snap = weak.Make(snap)
	}
	// A key is looked up by its term numbers, written into buf; a string
	// conversion in a map index allocates nothing.
	index := map[string]uint32{}
	buf := make([]byte, 4*len(cols))
	for n, rep := range cols[0].byDoc {
		if rep == 0 {
			continue // not a paragraph
		}
		for i := range cols {
			binary.LittleEndian.PutUint32(buf[4*i:], cols[i].at(n))
		}
		i, ok := index[string(buf)]
		if !ok {
			kc := keyCount{reportID: cols[0].terms[rep-1], values: make([]string, len(keyedFacets))}
			for j := range keyedFacets {
				kc.values[j] = cols[j+1].term(n)
			}
			t.keys = append(t.keys, kc)
			i = uint32(len(t.keys))
			index[string(buf)] = i
		}
		t.byDoc[n] = i
	}
	ix.keys = t
	return t, nil
}

// keyColumn is one keyword field of a snapshot by document number.
type keyColumn struct {
	terms []string
	byDoc []uint32 // document number → 1 + index in terms; 0 for none
}

// at returns 1 + the index of document n's term, or 0.
func (c *keyColumn) at(n int) uint32 {
	if n < len(c.byDoc) {
		return c.byDoc[n]
	}
	return 0
}

// term returns document n's term, or "".
func (c *keyColumn) term(n int) string {
	if i := c.at(n); i > 0 {
		return c.terms[i-1]
	}
	return ""
}

// termsByDoc reads the postings of every term of a keyword field in
// snapshot r: it returns the terms and, by document number, 1 + the index
// of the document's term (0 for none).
func termsByDoc(ctx context.Context, r bindex.IndexReader, field string) ([]string, []uint32, error) {
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, nil, err
	}
	var terms []string
	for {
		de, err := dict.Next()
		if err != nil {
			dict.Close()
			return nil, nil, err
		}
		if de == nil {
			break
		}
		terms = append(terms, de.Term)
	}
	if err := dict.Close(); err != nil {
		return nil, nil, err
	}
	var byDoc []uint32
	var tfd bindex.TermFieldDoc
	for i, term := range terms {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return nil, nil, err
		}
		for {
			d, err := tfr.Next(&tfd)
			if err != nil {
				tfr.Close()
				return nil, nil, err
			}
			if d == nil {
				break
			}
			n := docNumber(d.ID)
			for uint64(len(byDoc)) <= n {
				byDoc = append(byDoc, make([]uint32, max(len(byDoc), 1024))...)
			}
			byDoc[n] = uint32(i + 1)
		}
		if err := tfr.Close(); err != nil {
			return nil, nil, err
		}
	}
	return terms, byDoc, nil
}

// reader returns the current snapshot for a caller that reads the index
// directly, and the function that releases it. Until then Close waits.
func (ix *Index) reader() (bindex.IndexReader, func(), error) {
	ix.life.RLock()
	if ix.closed {
		ix.life.RUnlock()
		return nil, nil, bleve.ErrorIndexClosed
	}
	adv, err := ix.bi.Advanced()
	if err != nil {
		ix.life.RUnlock()
		return nil, nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		ix.life.RUnlock()
		return nil, nil, err
	}
	return r, func() { r.Close(); ix.life.RUnlock() }, nil
}

// paragraphsPerReport counts the paragraphs of every report in the current
// snapshot from its key table, which the first search of the snapshot then
// finds made.
func (ix *Index) paragraphsPerReport(ctx context.Context) (map[string]int, error) {
	r, done, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer done()
	t, err := ix.keyTableFor(ctx, r)
	if err != nil {
		return nil, err
	}
	perKey := make([]int, len(t.keys))
	for _, k := range t.byDoc {
		if k > 0 {
			perKey[k-1]++
		}
	}
	counts := map[string]int{}
	for i, n := range perKey {
		if n > 0 {
			counts[t.keys[i].reportID] += n
		}
	}
	return counts, nil
}

// key returns the facet key of document number n, or nil.
func (t *keyTable) key(n uint64) *keyCount {
	if n >= uint64(len(t.byDoc)) || t.byDoc[n] == 0 {
		return nil
	}
	return &t.keys[t.byDoc[n]-1]
}

// docNumber decodes bleve's internal document id: the document number,
// big-endian.
func docNumber(id bindex.IndexInternalID) uint64 {
	if len(id) != 8 {
		return ^uint64(0)
	}
	return binary.BigEndian.Uint64(id)
}

// collectSpec says what collect gathers.
type collectSpec struct {
	query     query.Query
	groups    [][]string // the query's positive terms by group, for mayMatch
	best      *bestMatch // the best-match words, for mayMatch; nil for none
	keep      int        // hits to keep: from + size; 0 counts only
	from      int        // hits to drop from the front of the kept ones
	after     []string   // search_after values for the order, or nil
	order     []string   // the order of hits (sortOrder), for after
	yearOrder int        // +1 year ascending, -1 descending, 0 relevance only
	score     bool       // score hits (otherwise every score is 0)
	keys      bool       // count hits per facet key
	records   bool       // read the stored record of every returned hit
	// check, when set, must accept the stored text of a candidate for it
	// to be a hit (NEAR, SENT).
	check *checker
	// tier, when set, matches the hits of the first tier (best-match:
	// they contain the whole query text), which rank before all others.
	tier query.Query
}

// hitRef is a hit found by collect: its id and score, and its report's
// year under a year order.
type hitRef struct {
	id    string
	score float64
	tier  int
	year  int
	rec   string // the stored record, if asked for
}

// collected is what collect gathered.
type collected struct {
	total int
	hits  []hitRef
	keys  []keyCount // hits per facet key, keys with hits only
}

// candidate is a hit competing for a place among the kept ones.
type candidate struct {
	dm    *search.DocumentMatch
	score float64
	tier  int
	year  int
	id    string
	hasID bool
	rec   string // the stored record, when the check read it
}

// collector runs one collect.
type collector struct {
	r         bindex.IndexReader
	yearOrder int
	keep      int        // collectSpec.keep
	cur       *candidate // the search_after cursor, or nil
	table     *keyTable  // for facet keys and years
	years     map[string]int
	counts    []int // hits per key of table, if counted
	check     *checker
	texts     *textCache                // the snapshot's stored records, for check
	segs      []*scorch.SegmentSnapshot // the snapshot's segments, for stored
	offsets   []uint64                  // the first document number of each of segs
	tier      map[uint64]bool           // document numbers of the first tier
	pool      *search.DocumentMatchPool
	spare     *candidate // a candidate to reuse
	err       error
	kept      []*candidate // a heap, worst first
}

func (c *collector) id(x *candidate) string {
	if !x.hasID {
		id, err := c.r.ExternalID(x.dm.IndexInternalID)
		if err != nil && c.err == nil {
			c.err = err
		}
		x.id, x.hasID = id, true
	}
	return x.id
}

// before tells whether a ranks before b.
func (c *collector) before(a, b *candidate) bool {
	if c.yearOrder != 0 && a.year != b.year {
		return (a.year < b.year) == (c.yearOrder > 0)
	}
	if a.tier != b.tier {
		return a.tier > b.tier
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return c.id(a) < c.id(b)
}

// heap.Interface over kept, worst first.
func (c *collector) Len() int           { return len(c.kept) }
func (c *collector) Less(i, j int) bool { return c.before(c.kept[j], c.kept[i]) }
func (c *collector) Swap(i, j int)      { c.kept[i], c.kept[j] = c.kept[j], c.kept[i] }
func (c *collector) Push(x any)         { c.kept = append(c.kept, x.(*candidate)) }
func (c *collector) Pop() any {
	x := c.kept[len(c.kept)-1]
	c.kept = c.kept[:len(c.kept)-1]
	return x
}

// cursor turns search_after values, which checkCursor accepted for
// order, into the candidate they name.
func (c *collector) cursor(after, order []string) *candidate {
	cur := &candidate{hasID: true}
	for i, o := range order {
		switch o {
		case "-_score":
			cur.score, _ = strconv.ParseFloat(after[i], 64)
		case "_id":
			cur.id = after[i]
		case orderTier:
			cur.tier, _ = strconv.Atoi(after[i])
		default:
			cur.year, _ = strconv.Atoi(after[i])
		}
	}
	return cur
}

// collect runs spec.query on the current snapshot and gathers the total,
// the kept hits in order and, if asked, the hit count of each facet key.
func (ix *Index) collect(ctx context.Context, spec collectSpec) (*collected, error) {
	r, done, err := ix.reader()
	if err != nil {
		return nil, err
	}
	defer done()
	c := &collector{r: r, yearOrder: spec.yearOrder, keep: spec.keep, check: spec.check}
	if spec.check != nil {
		c.texts = ix.textCacheFor(r)
	}
	if spec.keys || spec.yearOrder != 0 {
		if c.table, err = ix.keyTableFor(ctx, r); err != nil {
			return nil, err
		}
	}
	if spec.yearOrder != 0 {
		if c.years, err = ix.reportYears(ctx, c.table); err != nil {
			return nil, err
		}
	}
	if spec.keys {
		c.counts = make([]int, len(c.table.keys))
	}
	if spec.after != nil {
		c.cur = c.cursor(spec.after, spec.order)
	}
	if !mayMatch(r, spec.groups, spec.best) {
		return &collected{}, nil
	}
	if spec.tier != nil && spec.keep > 0 {
		if c.tier, err = docNumbers(ctx, r, ix.bi.Mapping(), spec.tier); err != nil {
			return nil, err
		}
	}
	s, err := ix.searcher(ctx, r, spec)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := &collected{}
	if out.total, err = c.run(ctx, s); err != nil {
		return nil, err
	}
	if out.hits, err = c.ranked(spec.from, spec.records); err != nil {
		return nil, err
	}
	for i, n := range c.counts {
		if n > 0 {
			k := c.table.keys[i]
			k.count = n
			out.keys = append(out.keys, k)
		}
	}
	return out, nil
}

// searcher returns the searcher of spec.query on snapshot r, scoring with
// BM25 and the index's real field statistics when spec asks for scores.
func (ix *Index) searcher(ctx context.Context, r bindex.IndexReader, spec collectSpec) (search.Searcher, error) {
	scoring := "none"
	if spec.score {
		scoring = ""
		ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
			search.GetScoringModelCallbackFn(func() string { return bindex.BM25Scoring }))
		ctx = context.WithValue(ctx, search.BM25StatsKey, bm25Stats(ix.man.Load(), ix.fieldStats.Load()))
	}
	return spec.query.Searcher(ctx, r, ix.bi.Mapping(), search.SearcherOptions{Score: scoring})
}

// run reads every hit of s: it counts them and their facet keys and keeps
// the best c.keep after the cursor. It returns the number of hits.
func (c *collector) run(ctx context.Context, s search.Searcher) (int, error) {
	c.pool = search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+c.keep+1, 0)
	sctx := &search.SearchContext{DocumentMatchPool: c.pool, IndexReader: c.r}
	total := 0
	for {
		if total%1024 == 0 {
			if err := checkCtx(ctx); err != nil {
				return 0, err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return 0, err
		}
		if dm == nil {
			return total, nil
		}
		var id, rec string
		if c.check != nil {
			var ok bool
			if id, rec, ok, err = c.accept(dm); err != nil {
				return 0, err
			}
			if !ok {
				c.pool.Put(dm)
				continue
			}
		}
		total++
		if c.counts != nil {
			if n := docNumber(dm.IndexInternalID); c.table.key(n) != nil {
				c.counts[c.table.byDoc[n]-1]++
			}
		}
		if c.keep == 0 {
			c.pool.Put(dm)
			continue
		}
		c.consider(dm, id, rec)
		if c.err != nil {
			return 0, c.err
		}
	}
}

// accept reads the id and stored record of candidate dm and tells whether
// its text meets the check.
func (c *collector) accept(dm *search.DocumentMatch) (id, rec string, ok bool, err error) {
	n := docNumber(dm.IndexInternalID)
	t, cached := c.texts.get(n)
	if !cached {
		if t.id, t.rec, err = c.stored(dm.IndexInternalID); err != nil {
			return "", "", false, err
		}
	}
	var sp storedParagraph
	if err := sp.unmarshal(t.rec); err != nil {
		return "", "", false, fmt.Errorf("search: document %q: %w", t.id, err)
	}
	if !cached {
		t.folds = c.texts.put(n, t, sp.Text)
	}
	return t.id, t.rec, c.check.matches(sp.Text, t.folds), nil
}

// stored reads the id and stored record of a document. On a scorch
// snapshot it visits the document's stored fields once, by number;
// ExternalID and then Document(id) would read them twice, look the id up
// in the id dictionary again and copy every field.
func (c *collector) stored(internal bindex.IndexInternalID) (id, rec string, err error) {
	snap, ok := c.r.(*scorch.IndexSnapshot)
	if !ok {
		if id, err = c.r.ExternalID(internal); err != nil {
			return "", "", err
		}
		rec, err = storedRecord(c.r, id)
		return id, rec, err
	}
	if c.segs == nil {
		c.segs = snap.Segments()
		c.offsets = make([]uint64, len(c.segs))
		var next uint64
		for i, s := range c.segs {
			c.offsets[i] = next
			next += s.Segment().Count() // deleted documents keep their numbers
		}
	}
	n := docNumber(internal)
	i := sort.Search(len(c.offsets), func(i int) bool { return c.offsets[i] > n }) - 1
	found := false
	if i >= 0 && n-c.offsets[i] < c.segs[i].Segment().Count() {
		err = c.segs[i].VisitDocument(n-c.offsets[i], func(name string, _ byte, val []byte, _ []uint64) bool {
			switch name {
			case "_id":
				id = string(val)
			case fieldRec:
				rec, found = string(val), true
			}
			return id == "" || !found
		})
	}
	switch {
	case err != nil:
		return "", "", fmt.Errorf("search: document number %d: %w", n, err)
	case id == "":
		return "", "", fmt.Errorf("search: document number %d not found", n)
	case !found:
		return "", "", fmt.Errorf("search: document %q has no stored record", id)
	}
	return id, rec, nil
}

// docNumbers returns the document numbers of the paragraphs q matches in
// snapshot r.
func docNumbers(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, q query.Query) (map[uint64]bool, error) {
	s, err := q.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
	out := map[uint64]bool{}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := checkCtx(ctx); err != nil {
				return nil, err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return nil, err
		}
		if dm == nil {
			return out, nil
		}
		out[docNumber(dm.IndexInternalID)] = true
		sctx.DocumentMatchPool.Put(dm)
	}
}

// consider keeps hit dm (with its id and stored record, if the check read
// them) if it ranks among the best c.keep after the cursor, and returns
// what it does not keep to the pool.
func (c *collector) consider(dm *search.DocumentMatch, id, rec string) {
	x := c.spare
	if x == nil {
		x = &candidate{}
	}
	*x = candidate{dm: dm, score: dm.Score, id: id, hasID: id != "", rec: rec}
	if c.tier[docNumber(dm.IndexInternalID)] {
		x.tier = 1
	}
	c.spare = nil
	if c.years != nil {
		if key := c.table.key(docNumber(dm.IndexInternalID)); key != nil {
			x.year = c.years[key.reportID]
		}
	}
	switch {
	case c.cur != nil && !c.before(c.cur, x):
		// At or before the cursor: on an earlier page. It still
		// counts in the total and the facets, as on every page.
		c.pool.Put(dm)
		c.spare = x
	case len(c.kept) < c.keep:
		heap.Push(c, x)
	case c.before(x, c.kept[0]):
		worst := c.kept[0]
		c.kept[0] = x
		heap.Fix(c, 0)
		c.pool.Put(worst.dm)
		c.spare = worst
	default:
		c.pool.Put(dm)
		c.spare = x
	}
}

// ranked returns the kept hits best first, without the first from, with
// their stored records if asked for.
func (c *collector) ranked(from int, records bool) ([]hitRef, error) {
	// Pop worst first into place, best first.
	ranked := make([]*candidate, len(c.kept))
	for i := len(ranked) - 1; i >= 0; i-- {
		ranked[i] = heap.Pop(c).(*candidate)
	}
	if c.err != nil {
		return nil, c.err
	}
	var out []hitRef
	if from < len(ranked) {
		for _, x := range ranked[from:] {
			h := hitRef{id: c.id(x), score: x.score, tier: x.tier, year: x.year, rec: x.rec}
			if records && c.err == nil && h.rec == "" {
				var err error
				if h.rec, err = storedRecord(c.r, h.id); err != nil {
					return nil, err
				}
			}
			out = append(out, h)
		}
	}
	return out, c.err
}

// countByReport returns the number of paragraphs spec matches and their
// number per report.
func (ix *Index) countByReport(ctx context.Context, spec collectSpec) (int, map[string]int, error) {
	spec.keys = true
	got, err := ix.collect(ctx, spec)
	if err != nil {
		return 0, nil, err
	}
	counts := map[string]int{}
	for _, k := range got.keys {
		counts[k.reportID] += k.count
	}
	return got.total, counts, nil
}

// mayMatch tells whether a query can match anything in snapshot r: it
// cannot if, in some group (a hit contains one term of each), every term
// has a bigram that occurs nowhere, or if fewer best-match words than the
// share rule requires have all their bigrams somewhere. A term absent from
// the whole index is common (a district's policy phrase in the national
// reports), and this answers it with a few dictionary lookups instead of
// building every ranking clause's searcher. On any doubt it says yes.
func mayMatch(r bindex.IndexReader, groups [][]string, best *bestMatch) bool {
	if len(groups) == 0 && best == nil {
		return true
	}
	dr, ok := r.(bindex.IndexReaderContains)
	if !ok {
		return true
	}
	dict, err := dr.FieldDictContains(fieldNgram)
	if err != nil {
		return true
	}
	present := func(term string) bool {
		runes := []rune(term)
		for i := 0; i+1 < len(runes); i++ {
			if ok, err := dict.Contains([]byte(string(runes[i : i+2]))); err == nil && !ok {
				return false
			}
		}
		return true
	}
	for _, g := range groups {
		found := false
		for _, t := range g {
			if present(t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if best != nil {
		found := 0
		for _, w := range best.words {
			if present(w) {
				found++
			}
		}
		return found >= best.min
	}
	return true
}

// storedRecord reads the stored record of document id from snapshot r.
func storedRecord(r bindex.IndexReader, id string) (string, error) {
	doc, err := r.Document(id)
	if err != nil {
		return "", fmt.Errorf("search: document %q: %w", id, err)
	}
	var raw string
	found := false
	if doc != nil {
		doc.VisitFields(func(f bindex.Field) {
			if f.Name() == fieldRec {
				raw, found = string(f.Value()), true
			}
		})
	}
	if !found {
		return "", fmt.Errorf("search: document %q has no stored record", id)
	}
	return raw, nil
}

// reportYears returns the year of every report of the key table.
func (ix *Index) reportYears(ctx context.Context, t *keyTable) (map[string]int, error) {
	sums, err := ix.summaries(ctx)
	if err != nil {
		return nil, err
	}
	years := make(map[string]int, len(t.keys))
	for _, k := range t.keys {
		if _, done := years[k.reportID]; done {
			continue
		}
		s, ok := sums.lookup(k.reportID)
		if !ok {
			if sums, err = ix.loadSummaries(ctx, ix.epoch.Load()); err != nil {
				return nil, err
			}
			s, _ = sums.lookup(k.reportID)
		}
		years[k.reportID] = s.Year
	}
	return years, nil
}
