package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"unicode/utf8"

	"govsearch/index"
)

// yearParam reads one year parameter the way every route does; an empty
// one, which filters nothing, is an error here.
func yearParam(s string) (index.YearRange, error) {
	f, err := index.FilterParams(url.Values{"year": {s}})
	if err != nil {
		return index.YearRange{}, err
	}
	if len(f[index.FacetYear]) == 0 {
		return index.YearRange{}, errors.New("no year")
	}
	return index.ParseYearRange(f[index.FacetYear][0])
}

func TestYearParam(t *testing.T) {
	for _, tc := range []struct {
		in       string
		from, to int
		ok       bool
	}{
		{"2020", 2020, 2020, true},
		{"2018..2021", 2018, 2021, true},
		{"2018..", 2018, index.MaxYear, true},
		{"..2021", index.MinYear, 2021, true},
		{"2021..2021", 2021, 2021, true},
		{"2021..2018", 0, 0, false},
		{"..", 0, 0, false},
		{"20x1", 0, 0, false},
		{"202", 0, 0, false},
		{"20201", 0, 0, false},
		{"1899", 1899, 1899, true},
		{"+202", 0, 0, false},
		{"2018...2021", 0, 0, false},
		{"2018..2021..2022", 0, 0, false},
		{"２０２０", 0, 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := yearParam(tc.in)
			if (err == nil) != tc.ok || (tc.ok && (got.From != tc.from || got.To != tc.to)) {
				t.Errorf("%q: got %+v, %v", tc.in, got, err)
			}
			var e *index.ValidationError
			if err != nil && (!errors.As(err, &e) || e.Param != "year") {
				t.Errorf("%q: error %v does not name year", tc.in, err)
			}
		})
	}
}

func TestParseFacets(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []string // nil: all
	}{
		{"absent", "", nil},
		{"empty", "facets=", []string{}},
		{"one", "facets=region", []string{"region"}},
		{"list and repeat", "facets=region,year&facets=kind", []string{"region", "year", "kind"}},
		{"duplicates", "facets=region,,region", []string{"region"}},
		{"spaces", "facets=%20part_kind%20", []string{"part_kind"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.raw)
			got, err := parseFacets(v)
			if err != nil || (got == nil) != (tc.want == nil) || mustJSON(t, got) != mustJSON(t, tc.want) {
				t.Errorf("%q: got %#v, %v; want %#v", tc.raw, got, err, tc.want)
			}
		})
	}
}

// FuzzParseSearch: any query string yields a request within the limits or
// an API error naming a parameter; never a panic.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{
		"q=一网通办&size=10&from=0&year=2018..2021&facets=region,year&highlight=false&sort=-year",
		"q=a&size=abc", "q=a&from=1e9", "year=20x1", "sort=foo", "facets=nope", "q=%FF", "search_after=1&search_after=x",
		"region=静安区&region=徐汇区&level=district&part=plan&kind=body", "size=0", "from=9991&size=10",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, err := parseSearch(v)
		if err != nil {
			if e := toAPIError(err); e.Param == "" || e.Status() != 400 {
				t.Fatalf("%q: error %#v is not a 400 naming a parameter", raw, err)
			}
			return
		}
		if req.Size < 0 || req.Size > index.MaxSize || req.From < 0 || req.From+req.Size > index.MaxWindow {
			t.Fatalf("%q: paging out of limits: %+v", raw, req)
		}
		if !utf8.ValidString(req.Query) || utf8.RuneCountInString(req.Query) > index.MaxQueryLength {
			t.Fatalf("%q: query out of limits", raw)
		}
		if req.Filters.Len() > index.MaxFilterValues {
			t.Fatalf("%q: %d filter values", raw, req.Filters.Len())
		}
		for _, s := range req.Filters[index.FacetYear] {
			if y, err := index.ParseYearRange(s); err != nil || y.From > y.To || y.From < index.MinYear || y.To > index.MaxYear {
				t.Fatalf("%q: year range %q: %+v %v", raw, s, y, err)
			}
		}
		switch req.Sort {
		case index.SortRelevance, index.SortYearAsc, index.SortYearDesc:
		default:
			t.Fatalf("%q: sort %q", raw, req.Sort)
		}
	})
}

// FuzzYearRange: an accepted range is ordered and within bounds, and its
// canonical form parses to the same range.
func FuzzYearRange(f *testing.F) {
	for _, s := range []string{"2020", "2018..2021", "..2021", "2018..", "..", "20x1", "2021..2018"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := yearParam(s)
		if err != nil {
			return
		}
		if r.From > r.To || r.From < index.MinYear || r.To > index.MaxYear {
			t.Fatalf("%q: %+v", s, r)
		}
		again, err := yearParam(fmt.Sprintf("%04d..%04d", r.From, r.To))
		if err != nil || again != r {
			t.Fatalf("%q: %+v does not round-trip: %+v %v", s, r, again, err)
		}
	})
}

// FuzzPostReports: any body under any content type is indexed (201) or
// refused with a 4xx; never a 5xx or a panic.
func FuzzPostReports(f *testing.F) {
	report, err := os.ReadFile("testdata/upload_report.txt")
	if err != nil {
		f.Fatal(err)
	}
	form, formCT := multipartBody(f, "r.txt", string(report))
	f.Add("text/plain", report)
	f.Add(formCT, form.Bytes())
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../a\"\r\n\r\nabc\r\n--x--"))
	f.Add("text/plain; charset=gbk", []byte("\xd5\xfe\xb8\xae\xb9\xa4\xd7\xf7\xb1\xa8\xb8\xe6"))
	f.Add("application/json", []byte("{}"))
	ts := newTestServer(f, newFakeSearcher(), Options{AdminKey: adminKey, MaxBodyBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		w := ts.do(t, req{method: "POST", target: "/api/reports", body: bytes.NewReader(body),
			header: map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": ct}})
		switch {
		case w.Code == 201:
		case w.Code >= 400 && w.Code < 500:
			decodeError(t, w)
		default:
			t.Fatalf("content type %q, %d bytes: status %d %s", ct, len(body), w.Code, w.Body)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, q, format, want string }{
		{"chinese", "一网通办", "csv", `attachment; filename="govsearch-export.csv"; filename*=UTF-8''govsearch-export-%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E.csv`},
		{"syntax and path", `"a b" OR -c/..\x`, "jsonl", `attachment; filename="govsearch-export.jsonl"; filename*=UTF-8''govsearch-export-a_b_OR_c_x.jsonl`},
		{"header injection", `"; filename=evil.exe`, "csv", `attachment; filename="govsearch-export.csv"; filename*=UTF-8''govsearch-export-filename_evil_exe.csv`},
		{"punctuation only", "“”", "csv", `attachment; filename="govsearch-export.csv"; filename*=UTF-8''govsearch-export.csv`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := contentDisposition(tc.q, tc.format); got != tc.want {
				t.Errorf("%q:\n got %s\nwant %s", tc.q, got, tc.want)
			}
		})
	}
}
