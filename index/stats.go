package index

import (
	"encoding/json"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Field statistics for BM25.
//
// bleve's BM25 takes a field's average length to be its number of distinct
// terms divided by the number of documents, which for a bigram field is
// about a tenth of the real average; long paragraphs are then punished ten
// times too hard and short headings win every query. The index therefore
// counts the tokens of each analysed field as it writes, keeps the totals in
// the manifest, and hands bleve the real averages with every search.

// fieldTotals counts the documents having a field and their tokens.
type fieldTotals struct {
	Docs   int64 `json:"docs"`
	Tokens int64 `json:"tokens"`
}

// fieldStats maps analysed fields to their totals. It is stored in the
// internal key fieldStatsKey, apart from the manifest.
type fieldStats map[string]fieldTotals

const fieldStatsKey = "govsearch_fieldstats"

// adjust returns a copy of s with deleted of paragraphs documents removed,
// each assumed to have had the average lengths.
func (s *fieldStats) adjust(deleted, paragraphs int) fieldStats {
	out := fieldStats{}
	if s == nil {
		return out
	}
	for f, t := range *s {
		if deleted > 0 && paragraphs > 0 && t.Docs > 0 {
			// Documents having the field, in proportion to all paragraphs.
			d := int64(float64(t.Docs) * float64(deleted) / float64(paragraphs))
			if d > t.Docs {
				d = t.Docs
			}
			if d > 0 {
				t.Tokens -= t.Tokens / t.Docs * d
				t.Docs -= d
			}
		}
		out[f] = t
	}
	return out
}

func setFieldStats(batch *bleve.Batch, s fieldStats) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	batch.SetInternal([]byte(fieldStatsKey), raw)
	return nil
}

// lengthFields are the analysed fields whose lengths BM25 uses.
var lengthFields = []string{fieldWords, fieldNgram, fieldHead}

// keywordFields are the other indexed fields; their length is one token.
var keywordFields = append([]string{fieldType, fieldReportID, fieldSource, fieldYearNum, fieldRID, fieldRSource}, AllFacets...)

// addLengths adds the analysed lengths of doc's fields to totals. It must
// run after the batch holding doc was applied (analysis sets the lengths).
func addLengths(totals fieldStats, doc *document.Document) {
	for _, f := range doc.Fields {
		switch f.Name() {
		case fieldWords, fieldNgram, fieldHead:
			t := totals[f.Name()]
			t.Docs++
			t.Tokens += int64(f.AnalyzedLength())
			totals[f.Name()] = t
		}
	}
}

// bm25Stats returns the statistics of manifest m and field totals fs in
// bleve's form: for each field, a "cardinality" whose ratio to the document
// count is the field's real average length.
func bm25Stats(m *manifest, fs *fieldStats) *search.BM25Stats {
	n := float64(m.Reports + m.Paragraphs)
	if n < 1 {
		n = 1
	}
	s := &search.BM25Stats{DocCount: n, FieldCardinality: map[string]int{}}
	for _, f := range keywordFields {
		s.FieldCardinality[f] = int(n)
	}
	// bleve's unscored, merged searchers name their field "*".
	s.FieldCardinality["*"] = int(n)
	for _, f := range lengthFields {
		var t fieldTotals
		if fs != nil {
			t = (*fs)[f]
		}
		avg := 1.0
		if t.Docs > 0 && t.Tokens > 0 {
			avg = float64(t.Tokens) / float64(t.Docs)
		}
		s.FieldCardinality[f] = int(avg * n)
	}
	return s
}

// newRequest returns a search request for q that scores with the index's
// real field statistics.
func (ix *Index) newRequest(q query.Query, size, from int) *bleve.SearchRequest {
	sr := bleve.NewSearchRequestOptions(q, size, from, false)
	sr.PreSearchData = map[string]interface{}{search.BM25PreSearchDataKey: bm25Stats(ix.man.Load(), ix.fieldStats.Load())}
	return sr
}
