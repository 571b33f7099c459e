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
		name  string
		query string
		want  State
		param string // non-empty: an error naming this parameter
	}{
		{"empty", "", State{}, ""},
		{"query trimmed", "q=+一网通办+", State{Q: "一网通办"}, ""},
		{"regions deduplicated", "q=a&region=静安区&region=静安区&region=&region=长宁区", State{Q: "a", Filters: index.Filters{index.FacetRegion: {"静安区", "长宁区"}}}, ""},
		{"years and ranges", "year=2018&year=2018..2020&year=..2019&year=2021..", State{Filters: index.Filters{index.FacetYear: {"2018", "2018..2020", "..2019", "2021.."}}}, ""},
		{"part, kind, sort, from", "part=plan&kind=body&sort=-year&from=20", State{Filters: index.Filters{index.FacetPartKind: {"plan"}, index.FacetKind: {"body"}}, Sort: "-year", From: 20}, ""},
		{"level", "level=district&level=city", State{Filters: index.Filters{index.FacetLevel: {"district", "city"}}}, ""},
		{"relevance is the default", "sort=relevance", State{}, ""},
		{"sort by year", "sort=year", State{Sort: "year"}, ""},
		{"unknown sort", "sort=score", State{}, "sort"},
		{"best-match", "q=a&match=best", State{Q: "a", Match: index.MatchBest}, ""},
		{"exact only", "q=a&match=all", State{Q: "a", Match: index.MatchAll}, ""},
		{"match absent", "q=a&match=", State{Q: "a"}, ""},
		{"unknown match", "q=a&match=fuzzy", State{}, "match"},
		{"from not a number", "from=x", State{}, "from"},
		{"negative from", "from=-10", State{}, "from"},
		{"from past the window", "from=9995", State{}, "from"},
		{"two-digit year", "year=18", State{}, "year"},
		{"backwards range", "year=2020..2018", State{}, "year"},
		{"range without bounds", "year=..", State{}, "year"},
		{"three-digit year", "year=180", State{}, "year"},
		{"full-width year", "year=２０２０", State{}, "year"},
		{"unknown level", "level=village", State{}, "level"},
		{"query too long", "q=" + strings.Repeat("字", index.MaxQueryLength+1), State{}, "q"},
		{"query not UTF-8", "q=%ff%fe", State{}, "q"},
		{"region too long", "region=" + strings.Repeat("区", 40), State{}, "region"},
		{"too many values", strings.Repeat("kind=a&", index.MaxFilterValues+1), State{}, "kind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
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
				return
			}
			if err != nil {
				t.Fatalf("%.60s: %v", c.query, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%.60s: got %+v, want %+v", c.query, got, c.want)
			}
		})
	}
	many := url.Values{"region": nil}
	for i := 0; i <= index.MaxFilterValues; i++ {
		many["region"] = append(many["region"], strings.Repeat("x", i%5+1)+string(rune('a'+i%26)))
	}
	if _, err := ParseState(many); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("%d region values: error %v", index.MaxFilterValues+1, err)
	}
}

func TestStateFiltersAndRequest(t *testing.T) {
	filters := index.Filters{
		index.FacetRegion: {"静安区"}, index.FacetPartKind: {"plan"}, index.FacetKind: {"body"},
		index.FacetYear: {"2018", "2019..2021", "..1960", "2024.."},
	}
	s := State{Q: "一网通办", Filters: filters, Sort: "year", From: 30}
	r := s.Request()
	if !reflect.DeepEqual(r.Filters, filters) || r.Query != "一网通办" || r.Sort != index.SortYearAsc || r.From != 30 || r.Size != pageSize || !r.Highlight {
		t.Errorf("request %+v", r)
	}
	r.Filters[index.FacetRegion][0] = "changed"
	if s.Filters[index.FacetRegion][0] != "静安区" {
		t.Error("the request shares the state's filters")
	}
	if (State{Q: "x"}).Request().Sort != index.SortRelevance {
		t.Error("default sort is not relevance")
	}
}

func TestStateLinks(t *testing.T) {
	s := State{Q: "一网通办", Filters: index.Filters{index.FacetRegion: {"静安区"}}, Sort: "-year", From: 20}
	if got := s.Toggle(index.FacetRegion, "长宁区"); !reflect.DeepEqual(got.Filters[index.FacetRegion], []string{"静安区", "长宁区"}) || got.From != 0 {
		t.Errorf("tick: %+v", got)
	}
	if got := s.Toggle(index.FacetRegion, "静安区"); got.HasFilters() || got.Q != s.Q || got.Sort != s.Sort {
		t.Errorf("untick: %+v", got)
	}
	if len(s.Filters[index.FacetRegion]) != 1 {
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

// normal makes empty and nil filters equal for comparison.
func normal(s State) State {
	if s.Filters.Len() == 0 {
		s.Filters = nil
	}
	return s
}
