package compact

import (
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"govsearch/analyzer"
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

// bigrams is the index's bigram analyzer: normalised character bigrams
// at their positions, offsets zeroed, and an end bigram (last character
// and 0xff) after the last.
type bigrams struct{}

func (bigrams) Analyze(input []byte) analysis.TokenStream {
	ts := analyzer.FoldFilter{}.Filter(analyzer.NgramTokenizer{Only: 2}.Tokenize(input))
	var last []byte
	pos := 1
	if n := len(ts); n > 0 {
		t := ts[n-1]
		_, size := utf8.DecodeRune(t.Term)
		last, pos = t.Term[size:], t.Position+1
	} else {
		uni := analyzer.FoldFilter{}.Filter(analyzer.NgramTokenizer{Only: 1}.Tokenize(input))
		if len(uni) == 0 {
			return nil
		}
		last = uni[0].Term
	}
	for _, t := range ts {
		t.Start, t.End = 0, 0
	}
	end := append(append([]byte{}, last...), 0xff)
	return append(ts, &analysis.Token{Term: end, Position: pos, Type: analysis.Ideographic})
}

// wordTerms is the index's words analyzer: every word twice and every
// beginning of two or more characters of a longer word once.
type wordTerms struct{ words analysis.Analyzer }

func (w wordTerms) Analyze(input []byte) analysis.TokenStream {
	words := w.words.Analyze(input)
	out := make(analysis.TokenStream, 0, 2*len(words))
	for _, t := range words {
		n := 0
		for i := range string(t.Term) {
			if n >= 2 {
				out = append(out, &analysis.Token{Term: t.Term[:i], Position: t.Position, Type: t.Type})
			}
			n++
		}
		out = append(out, t, &analysis.Token{Term: t.Term, Position: t.Position, Type: t.Type})
	}
	return out
}

var (
	wordsOnce sync.Once
	wordsAn   analysis.Analyzer
)

func wordAnalyzer() analysis.Analyzer {
	wordsOnce.Do(func() {
		analyzer.WaitReady()
		wordsAn = wordTerms{mapping.NewIndexMapping().AnalyzerNamed(analyzer.WordAnalyzerName)}
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
	d.AddField(document.NewTextFieldCustom("ngram", nil, text, optVectors, bigrams{}))
	if p.head != "" {
		d.AddField(document.NewTextFieldCustom("head", nil, []byte(p.head), optVectors, bigrams{}))
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
