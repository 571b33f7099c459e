package compact

import (
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"govsearch/analyzer"
	"govsearch/index/internal/terms"
	"govsearch/ingest"
	"govsearch/internal/testcorpus"
)

// The documents of these tests are the index's paragraph documents (see
// index/mapping.go): the same fields, analysed by the same analyzers,
// copied here because this package may not import the index package.

// testConfig names the index's analysed text fields.
var testConfig = Config{Fields: []Field{
	{Name: "words"},
	{Name: "ngram", Positions: true},
	{Name: "head", Positions: true},
}}

// seedDir holds the seed reports of the repository.
const seedDir = "../../testdata/reports"

// corpusDir returns the folder of corpus name ("seeds" or a shared
// corpus), skipping t when a shared corpus is absent.
func corpusDir(t testing.TB, name string) string {
	t.Helper()
	if name == "seeds" {
		return seedDir
	}
	return testcorpus.Need(t, name)
}

// para is the part of a paragraph the documents are built from.
type para struct {
	id, report, region, kind, text, head string
	year                                 int
}

var (
	parasMu    sync.Mutex
	parasCache = map[string][]para{}
)

// corpusParas returns the paragraphs of every report of corpus name, in
// reading order.
func corpusParas(t testing.TB, name string) []para {
	t.Helper()
	dir := corpusDir(t, name)
	parasMu.Lock()
	defer parasMu.Unlock()
	if ps, ok := parasCache[name]; ok {
		return ps
	}
	files, _ := ingest.ReadPaths([]string{dir}) // unreadable files: the index skips them too
	var ps []para
	for _, f := range files {
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				head := ""
				switch p.Kind {
				case ingest.KindHeading:
					head = p.Text
				case ingest.KindGlossary:
					head = p.Term
				}
				ps = append(ps, para{id: p.ID, report: r.ID, region: r.Region, kind: p.Kind, text: p.Text, head: head, year: r.Year})
			}
		}
	}
	if len(ps) == 0 {
		t.Fatalf("no paragraphs in %s", dir)
	}
	parasCache[name] = ps
	return ps
}

var (
	wordsOnce sync.Once
	wordsAn   analysis.Analyzer
)

func wordAnalyzer() analysis.Analyzer {
	wordsOnce.Do(func() {
		analyzer.WaitReady()
		wordsAn = terms.Words{Words: mapping.NewIndexMapping().AnalyzerNamed(analyzer.WordAnalyzerName)}
	})
	return wordsAn
}

const (
	optIndex   = index.IndexField
	optVectors = index.IndexField | index.IncludeTermVectors
	optStore   = index.StoreField
)

// paragraphDoc builds a paragraph's document the way the index does.
func paragraphDoc(p para) *document.Document {
	d := document.NewDocument(p.id)
	text := []byte(p.text)
	kw := func(name, value string) {
		d.AddField(document.NewTextFieldCustom(name, nil, []byte(value), optIndex, nil))
	}
	kw("type", "p")
	d.AddField(document.NewTextFieldCustom("words", nil, text, optIndex, wordAnalyzer()))
	d.AddField(document.NewTextFieldCustom("ngram", nil, text, optVectors, terms.Bigrams{}))
	if p.head != "" {
		d.AddField(document.NewTextFieldCustom("head", nil, []byte(p.head), optVectors, terms.Bigrams{}))
	}
	kw("region", p.region)
	kw("kind", p.kind)
	kw("report_id", p.report)
	d.AddField(document.NewNumericFieldWithIndexingOptions("year_num", nil, float64(p.year), optIndex))
	d.AddField(document.NewTextFieldCustom("rec", nil, text, optStore, nil))
	return d
}

// analysedDocs builds and analyses the documents of ps as scorch does
// before it makes a segment.
func analysedDocs(ps []para) []index.Document {
	docs := make([]index.Document, len(ps))
	for i, p := range ps {
		d := paragraphDoc(p)
		d.AddIDField()
		d.VisitFields(func(f index.Field) { f.Analyze() })
		docs[i] = d
	}
	return docs
}
