package ui

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"govsearch/index"
)

func TestParseState(t *testing.T) {
	cases := []struct {
		query string
		want  State
		param string // non-empty: an error naming this parameter
	}{
		{"", State{}, ""},
		{"q=+一网通办+", State{Q: "一网通办"}, ""},
		{"q=a&region=静安区&region=静安区&region=&region=长宁区", State{Q: "a", Region: []string{"静安区", "长宁区"}}, ""},
		{"year=2018&year=2018..2020&year=..2019&year=2021..", State{Year: []string{"2018", "2018..2020", "..2019", "2021.."}}, ""},
		{"part=plan&kind=body&sort=-year&from=20", State{Part: []string{"plan"}, Kind: []string{"body"}, Sort: "-year", From: 20}, ""},
		{"sort=relevance", State{}, ""},
		{"sort=year", State{Sort: "year"}, ""},
		{"sort=score", State{}, "sort"},
		{"from=x", State{}, "from"},
		{"from=-10", State{}, "from"},
		{"from=9995", State{}, "from"},
		{"year=18", State{}, "year"},
		{"year=2020..2018", State{}, "year"},
		{"year=..", State{}, "year"},
		{"year=180", State{}, "year"},
		{"year=２０２０", State{}, "year"},
		{"q=" + strings.Repeat("字", index.MaxQueryLength+1), State{}, "q"},
		{"q=%ff%fe", State{}, "q"},
		{"region=" + strings.Repeat("区", 40), State{}, "region"},
		{strings.Repeat("kind=a&", maxFilterValues+1), State{}, "kind"},
	}
	for _, c := range cases {
		v, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseState(v)
		if c.param != "" {
			var se *StateError
			if !errors.As(err, &se) || se.Param != c.param {
				t.Errorf("%.60s: error %v, want one naming %s", c.query, err, c.param)
			}
			continue
		}
		if err != nil {
			t.Errorf("%.60s: %v", c.query, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%.60s: got %+v, want %+v", c.query, got, c.want)
		}
	}
	many := url.Values{"region": nil}
	for i := 0; i <= maxFilterValues; i++ {
		many["region"] = append(many["region"], strings.Repeat("x", i%5+1)+string(rune('a'+i%26)))
	}
	if _, err := ParseState(many); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("%d region values: error %v", maxFilterValues+1, err)
	}
}

func TestStateFiltersAndRequest(t *testing.T) {
	s := State{Q: "一网通办", Region: []string{"静安区"}, Year: []string{"2018", "2019..2021", "..1960", "2024.."}, Part: []string{"plan"}, Kind: []string{"body"}, Sort: "year", From: 30}
	r := s.Request()
	want := index.Filters{
		Region: []string{"静安区"}, Part: []string{"plan"}, Kind: []string{"body"},
		Year: []index.YearRange{{From: 2018, To: 2018}, {From: 2019, To: 2021}, {From: index.MinYear, To: 1960}, {From: 2024, To: index.MaxYear}},
	}
	if !reflect.DeepEqual(r.Filters, want) || r.Query != "一网通办" || r.Sort != index.SortYearAsc || r.From != 30 || r.Size != pageSize || !r.Highlight {
		t.Errorf("request %+v", r)
	}
	if (State{Q: "x"}).Request().Sort != index.SortRelevance {
		t.Error("default sort is not relevance")
	}
}

func TestStateLinks(t *testing.T) {
	s := State{Q: "一网通办", Region: []string{"静安区"}, Sort: "-year", From: 20}
	if got := s.Toggle(index.FacetRegion, "长宁区"); !reflect.DeepEqual(got.Region, []string{"静安区", "长宁区"}) || got.From != 0 {
		t.Errorf("tick: %+v", got)
	}
	if got := s.Toggle(index.FacetRegion, "静安区"); len(got.Region) != 0 || got.Q != s.Q || got.Sort != s.Sort {
		t.Errorf("untick: %+v", got)
	}
	if len(s.Region) != 1 {
		t.Error("Toggle changed the receiver")
	}
	if got := s.WithoutFilters(); got.HasFilters() || got.Q != s.Q || got.Sort != s.Sort || got.From != 0 {
		t.Errorf("without filters: %+v", got)
	}
	if got := s.Encode(); got != "from=20&q=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E&region=%E9%9D%99%E5%AE%89%E5%8C%BA&sort=-year" {
		t.Errorf("encode: %s", got)
	}
	if !s.Selected(index.FacetRegion, "静安区") || s.Selected(index.FacetKind, "静安区") || s.Selected("nope", "x") {
		t.Error("Selected")
	}
}

// FuzzParseState checks that any query string either fails with a
// StateError or yields a State that survives its own URL unchanged.
func FuzzParseState(f *testing.F) {
	for _, s := range []string{"", "q=一网通办&region=静安区&year=2018..2020&sort=-year&from=10", "year=..2019", "from=9990", "q=%ff", "region=a&region=a&region=", "sort=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		s, err := ParseState(v)
		if err != nil {
			var se *StateError
			if !errors.As(err, &se) || se.Param == "" || se.Message == "" {
				t.Fatalf("error %v is not a StateError naming a parameter", err)
			}
			return
		}
		v2, err := url.ParseQuery(s.Encode())
		if err != nil {
			t.Fatalf("own encoding %q does not parse: %v", s.Encode(), err)
		}
		s2, err := ParseState(v2)
		if err != nil {
			t.Fatalf("own encoding %q rejected: %v", s.Encode(), err)
		}
		if !reflect.DeepEqual(normal(s), normal(s2)) {
			t.Fatalf("round trip changed the state: %+v → %+v", s, s2)
		}
		_ = s.Request()
	})
}

// normal makes empty and nil slices equal for comparison.
func normal(s State) State {
	for _, p := range []*[]string{&s.Region, &s.Year, &s.Part, &s.Kind} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return s
}
