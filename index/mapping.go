package index

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bindex "github.com/blevesearch/bleve_index_api"

	"govsearch/analyzer"
	"govsearch/index/compact"
	"govsearch/index/internal/terms"
	"govsearch/ingest"
)

// On-disk layout of one generation's bleve index.
//
// Every paragraph is one document whose id is the paragraph id:
//
//	type       keyword "p"
//	words      the paragraph's words (word analyzer), each twice, and the
//	           beginnings of two or more characters of its longer words
//	           once (民政局 gives 民政局 twice and 民政 once): one term
//	           lookup scores a whole-word match (民政 is a word) above a
//	           word-initial one (民政 begins 民政局), and both above none
//	           (民政 inside 人民政府)
//	ngram      the paragraph, normalised character bigrams with positions:
//	           a phrase over a term's bigrams is an exact substring match;
//	           an end bigram after the last character makes a prefix query
//	           an exact match for a 1-character term
//	head       heading text or glossary term, bigrams with positions: a boost
//	region, level, year (4 digits), part_kind, kind
//	           keywords: one per facet of the registry (facets.go), named
//	           after it; the report id and the facets of the paragraph
//	           give each paragraph its facet key (see keyTable)
//	report_id, source  keywords
//	year_num   the year as a number, for year ranges (the facet with
//	           YearRanges)
//	rec        stored only: the paragraph in a compact binary form
//	           (storedParagraph); the report's metadata is stored once,
//	           in the report document
//
// Every report is one document whose id is reportDocPrefix + the report id:
//
//	type       keyword "r"
//	rid, rsource  keywords: the report id and its source file
//	rec        stored only: the ReportSummary as JSON, with the characters
//	           of its paragraphs by facet key (storedSummary)
//
// Report documents carry no paragraph field, so no paragraph query can match
// them. The manifest lives in the internal key manifestKey and is written in
// the same batch as the documents it counts.
const (
	fieldType     = "type"
	fieldWords    = "words"
	fieldNgram    = "ngram"
	fieldHead     = "head"
	fieldYear     = FacetYear
	fieldReportID = "report_id"
	fieldSource   = "source"
	fieldYearNum  = "year_num"
	fieldRec      = "rec"
	fieldRID      = "rid"
	fieldRSource  = "rsource"

	typeParagraph = "p"
	typeReport    = "r"

	reportDocPrefix = "\x01report:"
)

// bigramAnalyzerName is the analyzer of the ngram and head fields,
// registered by this package: it depends on the index layout, not on
// language.
const bigramAnalyzerName = "govsearch_ngram_bigram"

func init() {
	if err := registry.RegisterAnalyzer(bigramAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return terms.Bigrams{}, nil
	}); err != nil {
		panic("index: registering the analyzer " + bigramAnalyzerName + ": " + err.Error())
	}
	// Every program that opens an index imports this package, so the
	// segment format its generations are written in is registered here.
	if err := compact.Register(compactFields); err != nil {
		panic("index: registering the compact segment format: " + err.Error())
	}
}

// compactFields are the fields whose postings the compact segment format
// stores (index/compact): the bigram fields with positions, for phrases,
// and the words field without, as it has no term vectors. zap keeps
// every other field, the stored records included (index/README.md,
// "Size").
var compactFields = compact.Config{Fields: []compact.Field{
	{Name: fieldNgram, Positions: true},
	{Name: fieldHead, Positions: true},
	{Name: fieldWords},
}}

// FormatVersion is the version of the document layout above; it is part of
// the manifest, and an index written with another version is stale.
// Version 11 writes its segments in the compact format (index/compact).
const FormatVersion = "11"

// newMapping returns the index mapping. Documents are built directly (see
// paragraphDoc), so the mapping serves queries, scoring and the record of
// analyzer names that bleve keeps with the index.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	im.ScoringModel = bindex.BM25Scoring
	im.TypeField = fieldType
	im.DefaultAnalyzer = "keyword"
	im.DefaultMapping = mapping.NewDocumentDisabledMapping()
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	keyword := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	text := func(an string, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = an
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = vectors
		f.DocValues = false
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}

	p := mapping.NewDocumentStaticMapping()
	p.AddFieldMappingsAt(fieldType, keyword())
	// Documents bring the analyzer of words (terms.Words, over the word
	// analyzer); queries on it are term queries, which need none.
	p.AddFieldMappingsAt(fieldWords, text(analyzer.WordAnalyzerName, false))
	p.AddFieldMappingsAt(fieldNgram, text(bigramAnalyzerName, true))
	p.AddFieldMappingsAt(fieldHead, text(bigramAnalyzerName, true))
	for _, f := range append(AllFacets, fieldReportID, fieldSource) {
		p.AddFieldMappingsAt(f, keyword())
	}
	yn := mapping.NewNumericFieldMapping()
	yn.Store = false
	yn.IncludeInAll = false
	yn.DocValues = false
	p.AddFieldMappingsAt(fieldYearNum, yn)
	p.AddFieldMappingsAt(fieldRec, stored())
	im.AddDocumentMapping(typeParagraph, p)

	r := mapping.NewDocumentStaticMapping()
	r.AddFieldMappingsAt(fieldType, keyword())
	r.AddFieldMappingsAt(fieldRID, keyword())
	r.AddFieldMappingsAt(fieldRSource, keyword())
	r.AddFieldMappingsAt(fieldRec, stored())
	im.AddDocumentMapping(typeReport, r)

	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("index mapping: %w", err)
	}
	return im, nil
}

// docBuilder turns records into bleve documents with the analyzers of one
// mapping.
type docBuilder struct {
	word, bigram analysis.Analyzer
}

func newDocBuilder(m mapping.IndexMapping) (*docBuilder, error) {
	b := &docBuilder{
		word:   m.AnalyzerNamed(analyzer.WordAnalyzerName),
		bigram: m.AnalyzerNamed(bigramAnalyzerName),
	}
	if b.word == nil || b.bigram == nil {
		return nil, fmt.Errorf("index: analyzers %q and %q are not both registered", analyzer.WordAnalyzerName, bigramAnalyzerName)
	}
	b.word = safeAnalyzer{b.word}
	return b, nil
}

// safeAnalyzer turns a panic inside an analyzer into an empty token stream.
// It wraps the word analyzer only: that field ranks, it does not decide
// matches, so a paragraph the segmenter chokes on is still found exactly.
type safeAnalyzer struct{ analysis.Analyzer }

// Analyze implements analysis.Analyzer.
func (s safeAnalyzer) Analyze(input []byte) (ts analysis.TokenStream) {
	defer func() {
		if r := recover(); r != nil {
			analyzerPanics.Add(1)
			ts = nil
		}
	}()
	return s.Analyzer.Analyze(input)
}

const (
	optIndex   = bindex.IndexField
	optVectors = bindex.IndexField | bindex.IncludeTermVectors
	optStore   = bindex.StoreField
)

// paragraphDoc builds the document of one paragraph of report r.
func (b *docBuilder) paragraphDoc(r *ingest.Report, p *ingest.Paragraph) (*document.Document, error) {
	sp := newStoredParagraph(p)
	d := document.NewDocument(p.ID)
	text := []byte(p.Text)
	d.AddField(document.NewTextFieldCustom(fieldType, nil, []byte(typeParagraph), optIndex, nil))
	d.AddField(document.NewTextFieldCustom(fieldWords, nil, text, optIndex, terms.Words{Words: b.word}))
	d.AddField(document.NewTextFieldCustom(fieldNgram, nil, text, optVectors, b.bigram))
	if h := headText(p); h != "" {
		d.AddField(document.NewTextFieldCustom(fieldHead, nil, []byte(h), optVectors, b.bigram))
	}
	kw := func(name, value string, opt bindex.FieldIndexingOptions) {
		d.AddField(document.NewTextFieldCustom(name, nil, []byte(value), opt, nil))
	}
	var years []float64
	for i := range facetList {
		f := &facetList[i]
		v := f.valueIn(r, p)
		kw(f.Name, v, optIndex)
		if f.YearRanges {
			y, _ := strconv.Atoi(v)
			years = append(years, float64(y))
		}
	}
	kw(fieldReportID, r.ID, optIndex)
	kw(fieldSource, r.Source, optIndex)
	for _, y := range years {
		d.AddField(document.NewNumericFieldWithIndexingOptions(fieldYearNum, nil, y, optIndex))
	}
	d.AddField(document.NewTextFieldCustom(fieldRec, nil, sp.marshal(nil), optStore, nil))
	return d, nil
}

// reportDoc builds the document that describes report r itself.
func reportDoc(r *ingest.Report) (*document.Document, error) {
	js, err := json.Marshal(newStoredSummary(r))
	if err != nil {
		return nil, err
	}
	d := document.NewDocument(reportDocPrefix + r.ID)
	d.AddField(document.NewTextFieldCustom(fieldType, nil, []byte(typeReport), optIndex, nil))
	d.AddField(document.NewTextFieldCustom(fieldRID, nil, []byte(r.ID), optIndex, nil))
	d.AddField(document.NewTextFieldCustom(fieldRSource, nil, []byte(r.Source), optIndex, nil))
	d.AddField(document.NewTextFieldCustom(fieldRec, nil, js, optStore, nil))
	return d, nil
}

// headText is what the head field indexes: a heading's text or a glossary
// entry's term.
func headText(p *ingest.Paragraph) string {
	switch p.Kind {
	case ingest.KindHeading:
		return p.Text
	case ingest.KindGlossary:
		return p.Term
	}
	return ""
}
