package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"govsearch"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/ui"
)

var (
	benchOnce sync.Once
	benchIx   *index.Index
	benchErr  error
	benchDir  string
)

// TestMain removes the shared seed index after the tests and benchmarks of
// this package.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchIx != nil {
		benchIx.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchEngine serves the pages alone (no API middleware) over a real index
// of the seed corpus, built once per benchmark run.
func benchEngine(b testing.TB) (*gin.Engine, *index.Index) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "govsearch-ui-bench-")
		if benchErr != nil {
			return
		}
		var inputs []index.Input
		if inputs, benchErr = ingest.InputsFromFS(govsearch.SeedReports()); benchErr != nil {
			return
		}
		if _, benchErr = index.Build(context.Background(), benchDir, inputs, index.BuildOptions{}); benchErr != nil {
			return
		}
		benchIx, benchErr = index.Open(benchDir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	ui.Register(r, benchIx, ui.Options{})
	return r, benchIx
}

func benchPage(b *testing.B, target string) {
	r, _ := benchEngine(b)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	for b.Loop() {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%s: %d", target, w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}

// BenchmarkSearchPage renders /?q=一网通办 with facets, highlights and the
// glossary lookup.
func BenchmarkSearchPage(b *testing.B) { benchPage(b, "/?q="+url.QueryEscape("一网通办")) }

// BenchmarkSearchPageFiltered adds a district and a year filter.
func BenchmarkSearchPageFiltered(b *testing.B) {
	benchPage(b, "/?q="+url.QueryEscape("一网通办")+"&region="+url.QueryEscape("静安区")+"&year=2018..2021")
}

// BenchmarkReaderPage renders the largest seed report with the query's
// occurrences marked throughout.
func BenchmarkReaderPage(b *testing.B) {
	_, ix := benchEngine(b)
	reports, err := ix.Reports(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	largest := reports[0]
	for _, r := range reports {
		if r.Paragraphs > largest.Paragraphs {
			largest = r
		}
	}
	benchPage(b, "/reports/"+url.PathEscape(largest.ID)+"?q="+url.QueryEscape("一网通办"))
}

// BenchmarkTrendPage renders /trend?q=一网通办 with both charts and the table.
func BenchmarkTrendPage(b *testing.B) { benchPage(b, "/trend?q="+url.QueryEscape("一网通办")) }

// BenchmarkHomePage renders the landing page with the list of reports.
func BenchmarkHomePage(b *testing.B) { benchPage(b, "/") }
