package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/testcorpus"
)

// researchIndexes are the corpora the research routes are checked on: the
// seeds, and the shared provincial and national reports when present, each
// with queries that occur in it.
func researchIndexes(t *testing.T) []struct {
	name    string
	ix      index.Reader
	queries []string
} {
	out := []struct {
		name    string
		ix      index.Reader
		queries []string
	}{{"seeds", seedIndex(t), []string{"一网通办", "放管服 OR 营商环境", "改革 -开放"}}}
	for _, sc := range []struct {
		name    string
		queries []string
	}{
		{"provinces-2025", []string{"低空经济", "新质生产力", "人工智能 OR 数字经济"}},
		{"national", []string{"扶贫 OR 脱贫攻坚", "改革开放", "互联网+"}},
	} {
		dir := testcorpus.Corpus(sc.name)
		if dir == "" {
			t.Log(testcorpus.Missing(sc.name))
			continue
		}
		if raceEnabled {
			// Building it under the race detector takes a minute; the
			// routes' code is the same for every corpus.
			t.Logf("%s: not under the race detector", sc.name)
			continue
		}
		out = append(out, struct {
			name    string
			ix      index.Reader
			queries []string
		}{sc.name, sharedCorpusIndex(t, sc.name, dir), sc.queries})
	}
	return out
}

// sharedCorpusIndexes holds the indexes of shared corpora, built once per
// test binary; TestMain closes them.
var sharedCorpusIndexes = map[string]*onceIndex{"provinces-2025": {}, "national": {}}

func closeSharedCorpora() {
	for _, o := range sharedCorpusIndexes {
		o.close()
	}
}

func sharedCorpusIndex(t *testing.T, name, dir string) *index.Index {
	t.Helper()
	o := sharedCorpusIndexes[name]
	o.once.Do(func() {
		inputs, err := ingest.InputsFromPaths([]string{dir})
		if err != nil {
			o.err = err
			return
		}
		path := filepath.Join(tempRoot, name)
		if _, o.err = index.Build(context.Background(), path, inputs, index.BuildOptions{}); o.err != nil {
			return
		}
		o.ix, o.err = index.Open(path)
	})
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.ix
}

func getJSON[T any](t *testing.T, ts *testServer, target string) T {
	t.Helper()
	w := ts.get(t, target)
	if w.Code != 200 {
		t.Fatalf("GET %s: %d %.300s", target, w.Code, w.Body)
	}
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return v
}

func getCSV(t *testing.T, ts *testServer, target string) [][]string {
	t.Helper()
	w := ts.get(t, target)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %d %s %.300s", target, w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	body := w.Body.String()
	if strings.Contains(target, "bom=true") != strings.HasPrefix(body, "\uFEFF") {
		t.Errorf("GET %s: byte order mark present %v", target, strings.HasPrefix(body, "\uFEFF"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return rows
}

// TestMatrixEqualsTrends: every series of a matrix is the trend of its
// query, as JSON and as the long CSV, whose rows are the trend's cells.
func TestMatrixEqualsTrends(t *testing.T) {
	for _, c := range researchIndexes(t) {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t, c.ix.(index.ReadWriter), Options{SearchTimeout: 30e9})
			for _, filters := range []string{"", "&level=province&level=district", "&part=plan"} {
				v := url.Values{"q": c.queries}
				m := getJSON[matrixBody](t, ts, "/api/matrix?"+v.Encode()+filters)
				if len(m.Series) != len(c.queries) {
					t.Fatalf("%d series for %d queries", len(m.Series), len(c.queries))
				}
				var want [][]string
				for i, q := range c.queries {
					tr := getJSON[index.Trend](t, ts, "/api/trend?q="+url.QueryEscape(q)+filters)
					if !reflect.DeepEqual(m.Series[i], tr) {
						t.Errorf("series %q%s differs from its trend", q, filters)
					}
					trendCSV := getCSV(t, ts, "/api/trend?format=csv&bom=true&q="+url.QueryEscape(q)+filters)
					if !slices.Equal(trendCSV[0], panelHeader) || len(trendCSV)-1 != len(tr.Cells) {
						t.Errorf("trend CSV of %q: header %v, %d rows for %d cells", q, trendCSV[0], len(trendCSV)-1, len(tr.Cells))
					}
					for j, cell := range tr.Cells {
						want = append(want, panelRow(q, cell))
						if j+1 < len(trendCSV) && !slices.Equal(trendCSV[j+1], panelRow(q, cell)) {
							t.Errorf("trend CSV row %v, cell %+v", trendCSV[j+1], cell)
						}
					}
				}
				rows := getCSV(t, ts, "/api/matrix?format=csv&"+v.Encode()+filters)
				if !slices.Equal(rows[0], panelHeader) || len(rows)-1 != len(want) || len(want) > 0 && !reflect.DeepEqual(rows[1:], want) {
					t.Errorf("matrix CSV%s: %d rows, want %d (header %v)", filters, len(rows)-1, len(want), rows[0])
				}
			}
		})
	}
}

// TestDiffusionRoute: the CSV has one row per region, those with a first
// mention first and in the JSON's order, and the link and citation of the
// first mention lead to that paragraph.
func TestDiffusionRoute(t *testing.T) {
	for _, c := range researchIndexes(t) {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t, c.ix.(index.ReadWriter), Options{SearchTimeout: 30e9})
			for _, q := range c.queries {
				d := getJSON[index.Diffusion](t, ts, "/api/diffusion?q="+url.QueryEscape(q))
				if d.Query != q || len(d.Regions) == 0 {
					t.Errorf("%q: query %q, %d regions mention it", q, d.Query, len(d.Regions))
				}
				rows := getCSV(t, ts, "/api/diffusion?format=csv&bom=true&q="+url.QueryEscape(q))
				if !slices.Equal(rows[0], diffusionHeader) || len(rows)-1 != len(d.Regions)+len(d.Never) {
					t.Fatalf("%q: CSV header %v with %d rows for %d+%d regions", q, rows[0], len(rows)-1, len(d.Regions), len(d.Never))
				}
				for i, r := range d.Regions {
					row := rows[i+1]
					if row[0] != r.Region || row[2] != strconv.Itoa(r.FirstYear) || row[4] != r.FirstParagraph || row[12] != r.URL {
						t.Errorf("%q: CSV row %v for %+v", q, row, r)
					}
					para := getJSON[citedRecord](t, ts, "/api/paragraphs/"+url.PathEscape(r.FirstParagraph))
					if para.URL != r.URL || para.Citation != r.Citation || para.Year != r.FirstYear || para.Region != r.Region ||
						!strings.Contains(para.Text, r.Left+r.Match+r.Right) {
						t.Errorf("%q: first mention %+v does not describe paragraph %+v", q, r, para)
					}
				}
				for i, n := range d.Never {
					if row := rows[len(d.Regions)+i+1]; row[0] != n.Region || row[2] != "" || row[8] != "0" {
						t.Errorf("%q: never row %v for %+v", q, row, n)
					}
				}
			}
		})
	}
}

// TestKWICRoute: JSON pages are consecutive slices of the whole
// concordance the JSON lines give, whose rows the CSV repeats, for each
// order; the total counts every row.
func TestKWICRoute(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	q := url.QueryEscape("一网通办")
	for _, order := range []string{"position", "left", "right"} {
		w := ts.get(t, "/api/kwic?format=jsonl&width=10&sort="+order+"&q="+q)
		var all []index.KWICRow
		for line := range strings.SplitSeq(strings.TrimSpace(w.Body.String()), "\n") {
			var r index.KWICRow
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		if len(all) < 10 {
			t.Fatalf("sort=%s: %d rows", order, len(all))
		}
		var paged []index.KWICRow
		for from := 0; from < len(all); from += 7 {
			p := getJSON[kwicBody](t, ts, "/api/kwic?width=10&size=7&sort="+order+"&from="+strconv.Itoa(from)+"&q="+q)
			if p.Total != len(all) || p.Sort != order || p.Width != 10 || p.From != from || p.Size != 7 {
				t.Fatalf("page %+v of %d rows", p, len(all))
			}
			paged = append(paged, p.Rows...)
		}
		if !reflect.DeepEqual(paged, all) {
			t.Errorf("sort=%s: the pages differ from the whole concordance", order)
		}
		rows := getCSV(t, ts, "/api/kwic?format=csv&bom=true&width=10&sort="+order+"&q="+q)
		if !slices.Equal(rows[0], kwicHeader) || len(rows)-1 != len(all) {
			t.Fatalf("sort=%s: CSV header %v, %d rows for %d", order, rows[0], len(rows)-1, len(all))
		}
		for i, r := range all {
			if !slices.Equal(rows[i+1], kwicRecord(r)) {
				t.Errorf("sort=%s: CSV row %v, JSON %v", order, rows[i+1], r)
				break
			}
		}
	}
	if p := getJSON[kwicBody](t, ts, "/api/kwic?from=100000&q="+q); len(p.Rows) != 0 || p.Total == 0 {
		t.Errorf("a page past the end: %+v", p)
	}
}

// TestReportsRoute: /api/reports honours its filters (a short region name
// included) and sorts, and refuses filters it cannot apply.
func TestReportsRoute(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	all := getJSON[reportsBody](t, ts, "/api/reports").Reports
	for _, tc := range []struct {
		name, query string
		keep        func(index.ReportSummary) bool
		less        func(a, b index.ReportSummary) bool
	}{
		{"default newest first", "", func(index.ReportSummary) bool { return true },
			func(a, b index.ReportSummary) bool { return a.Year > b.Year || a.Year == b.Year && a.Region < b.Region }},
		{"region short name", "region=" + url.QueryEscape("静安"), func(r index.ReportSummary) bool { return r.Region == "静安区" }, nil},
		{"years and sort by year", "year=2018..2020&sort=year", func(r index.ReportSummary) bool { return r.Year >= 2018 && r.Year <= 2020 },
			func(a, b index.ReportSummary) bool { return a.Year < b.Year }},
		{"level and sort by characters", "level=district&sort=-chars", func(r index.ReportSummary) bool { return r.Level == "district" },
			func(a, b index.ReportSummary) bool { return a.Chars > b.Chars }},
		{"no such level", "level=national", func(r index.ReportSummary) bool { return false }, nil},
		{"sort by paragraphs", "sort=paragraphs", func(index.ReportSummary) bool { return true },
			func(a, b index.ReportSummary) bool { return a.Paragraphs < b.Paragraphs }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := getJSON[reportsBody](t, ts, "/api/reports?"+tc.query).Reports
			want := 0
			for _, r := range all {
				if tc.keep(r) {
					want++
				}
			}
			if len(got) != want {
				t.Errorf("%d reports, want %d", len(got), want)
			}
			for i, r := range got {
				if !tc.keep(r) {
					t.Errorf("report %s %s %d passes the filter", r.ID, r.Region, r.Year)
				}
				if i > 0 && tc.less != nil && tc.less(r, got[i-1]) {
					t.Errorf("report %s out of order after %s", r.ID, got[i-1].ID)
				}
			}
		})
	}
	for _, bad := range []string{"sort=size", "part=plan", "year=20x1", "region=" + url.QueryEscape("火星")} {
		w := ts.get(t, "/api/reports?"+bad)
		if e := decodeError(t, w); w.Code != 400 || e.Param == "" {
			t.Errorf("%s: %d %+v", bad, w.Code, e)
		}
	}
}

// TestCitedParagraphs: the reader's JSON (a report and a paragraph)
// carries each paragraph's link and citation, and the export's rows the
// whole paragraph with them.
func TestCitedParagraphs(t *testing.T) {
	ix := seedIndex(t)
	ts := newTestServer(t, ix, Options{})
	list := getJSON[reportsBody](t, ts, "/api/reports").Reports
	named := 0
	for _, s := range list {
		rep := getJSON[citedReport](t, ts, "/api/reports/"+url.PathEscape(s.ID))
		if rep.Reference != index.ReportReference(s.Meta) || !strings.Contains(rep.Reference, "[R]") {
			t.Errorf("%s: reference %q", s.ID, rep.Reference)
		}
		for _, p := range rep.Paragraphs {
			if p.URL != index.ParagraphURL(s.ID, p.Ordinal) || !strings.HasPrefix(p.Citation, rep.Reference) ||
				!strings.Contains(p.Citation, s.Speaker) || !strings.Contains(p.Citation, s.Session) {
				t.Errorf("%s: paragraph %d: url %q citation %q", s.ID, p.Ordinal, p.URL, p.Citation)
				break
			}
		}
		if s.Speaker != "" && s.Session != "" {
			named++
		}
	}
	if named == 0 {
		t.Fatal("no seed report states speaker and session")
	}
	rows := getCSV(t, ts, "/api/export?format=csv&q="+url.QueryEscape("一网通办"))
	col := func(name string) int { return slices.Index(rows[0], name) }
	for _, r := range rows[1:] {
		para := getJSON[citedRecord](t, ts, "/api/paragraphs/"+url.PathEscape(r[col("id")]))
		if r[col("text")] != csvCell(para.Text) || r[col("url")] != para.URL || r[col("citation")] != para.Citation ||
			r[col("speaker")] != para.Speaker || r[col("level")] != para.Level || r[col("source")] != para.Source {
			t.Errorf("export row %v does not carry paragraph %s's text, link and citation", r[:3], para.ID)
		}
	}
}

// TestPublicURL: with a public address every link the API gives (hits,
// export, concordance, diffusion, reader JSON) is that address followed by
// the relative link, which without it stays as it was.
func TestPublicURL(t *testing.T) {
	ix := seedIndex(t)
	const base = "https://reports.example.org/gov"
	plain := newTestServer(t, ix, Options{})
	public := newTestServer(t, ix, Options{PublicURL: base})
	q := url.QueryEscape("一网通办")
	type linked struct {
		URL string `json:"url"`
	}
	links := func(ts *testServer) []string {
		var out []string
		for _, h := range getJSON[struct{ Hits []linked }](t, ts, "/api/search?size=5&q="+q).Hits {
			out = append(out, h.URL)
		}
		for _, r := range getJSON[struct{ Rows []linked }](t, ts, "/api/kwic?size=5&q="+q).Rows {
			out = append(out, r.URL)
		}
		for _, r := range getJSON[struct{ Regions []linked }](t, ts, "/api/diffusion?q="+q).Regions {
			out = append(out, r.URL)
		}
		for _, path := range []string{"/api/export?format=csv&q=" + q, "/api/kwic?format=csv&q=" + q} {
			rows := getCSV(t, ts, path)
			col := slices.Index(rows[0], "url")
			for _, r := range rows[1:] {
				out = append(out, r[col])
			}
		}
		id := getJSON[struct{ Hits []struct{ ID string } }](t, ts, "/api/search?size=1&q="+q).Hits[0].ID
		out = append(out, getJSON[linked](t, ts, "/api/paragraphs/"+url.PathEscape(id)).URL)
		return out
	}
	rel, abs := links(plain), links(public)
	if len(rel) < 6 || len(rel) != len(abs) {
		t.Fatalf("%d relative links, %d absolute", len(rel), len(abs))
	}
	for i := range rel {
		if !strings.HasPrefix(rel[i], "/reports/") || abs[i] != base+rel[i] {
			t.Errorf("link %d: %q without a public address, %q with %s", i, rel[i], abs[i], base)
		}
	}
}

func TestCheckPublicURL(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "", ""},
		{"https://reports.example.org", "https://reports.example.org", ""},
		{"http://10.0.0.5:8080/govsearch/", "http://10.0.0.5:8080/govsearch", ""},
		{"reports.example.org", "", "http:// or https://"},
		{"ftp://reports.example.org", "", "http:// or https://"},
		{"https://", "", "no host"},
		{"https://reports.example.org/?a=1", "", "no user, query or fragment"},
		{"https://u:p@reports.example.org", "", "no user, query or fragment"},
		{"https://reports.example.org/#top", "", "no user, query or fragment"},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := CheckPublicURL(c.in)
			if c.err == "" && (err != nil || got != c.want) {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("got %q, %v; want an error saying %q", got, err, c.err)
			}
		})
	}
}
