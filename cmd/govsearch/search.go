package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"govsearch/index"
	"govsearch/internal/cli"
)

func init() {
	register(command{
		name:    "search",
		summary: "search an index from the terminal",
		run:     runSearch,
	})
}

// runSearch implements `govsearch search --index DIR [--json] [--match
// all|best] [--region R] [--year Y] [--size N] QUERY`. It prints each hit's citation (title ·
// region · year · part · 第N段) and its highlighted fragments; matches are
// coloured on a terminal and bracketed 【】 otherwise. With --json it
// prints exactly the body the HTTP API returns for /api/search.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("search", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("index", "", "index directory (required)")
	asJSON := fl.Bool("json", false, "print the JSON body of /api/search")
	region := fl.String("region", "", "only this region")
	year := fl.String("year", "", "only this year or range (2020, 2018..2021)")
	size := fl.Int("size", index.DefaultSize, fmt.Sprintf("hits to show (1-%d)", index.MaxSize))
	from := fl.Int("from", 0, "hits to skip")
	sortBy := fl.String("sort", index.SortRelevance, "relevance, year or -year")
	match := fl.String("match", index.MatchAll, "all: every term verbatim; best: ranked retrieval for natural-language text")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: govsearch search --index DIR [--json] [--match all|best] [--region R] [--year Y] [--size N] QUERY\n\n"+
			"Search the index; QUERY uses the query language (see index/README.md). With\n"+
			"--match best a question such as 上海如何推进一网通办改革 is cut into words and\n"+
			"the paragraphs holding the most of them come first. While\n"+
			"`govsearch serve` holds DIR, the search goes to that server (with the key in\n"+
			"$GOVSEARCH_SEARCH_KEY, if it has one); stderr says which was done.")
		fl.PrintDefaults()
	}
	if code, ok := cli.ParseFlags(fl, args); !ok {
		return code
	}
	if *dir == "" {
		fl.Usage()
		return 2
	}
	req := index.Request{
		Query: strings.Join(fl.Args(), " "), Size: *size, From: *from, Sort: *sortBy, Highlight: true, Match: *match,
	}
	if _, err := index.MatchParam(*match); err != nil {
		fmt.Fprintf(stderr, "govsearch search: --match: %q is not all or best\n", *match)
		return 2
	}
	if *size < 1 || *size > index.MaxSize {
		fmt.Fprintf(stderr, "govsearch search: --size must be between 1 and %d\n", index.MaxSize)
		return 2
	}
	if *region != "" {
		req.Filters.Add(index.FacetRegion, *region)
	}
	if *year != "" {
		if _, err := index.ParseYearRange(*year); err != nil {
			fmt.Fprintf(stderr, "govsearch search: --year: %v\n", err)
			return 2
		}
		req.Filters.Add(index.FacetYear, *year)
	}
	// A server holding the index is asked; otherwise the index is opened.
	res, raw, via, err := searchServer(ctx, *dir, req)
	if via == "" {
		ix, oerr := index.Open(*dir)
		if oerr != nil {
			fmt.Fprintf(stderr, "govsearch search: %v\n", oerr)
			return 1
		}
		defer ix.Close()
		via = "opened " + *dir + " directly"
		res, err = ix.Search(ctx, req)
	}
	fmt.Fprintf(stderr, "govsearch search: %s\n", via)
	if err != nil {
		var qe *index.ValidationError
		if errors.As(err, &qe) {
			fmt.Fprintf(stderr, "govsearch search: bad %s: %s\n", qe.Param, qe.Message)
			return 2
		}
		fmt.Fprintf(stderr, "govsearch search: %v\n", err)
		return 1
	}
	if *asJSON && raw != nil {
		// The server's body as it sent it: the same bytes as WriteJSON's.
		if _, err := stdout.Write(raw); err != nil {
			fmt.Fprintf(stderr, "govsearch search: %v\n", err)
			return 1
		}
		return 0
	}
	if *asJSON {
		if err := index.WriteJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "govsearch search: %v\n", err)
			return 1
		}
		return 0
	}
	printHits(stdout, res, req.From, isTerminal(stdout))
	return 0
}

// searchServer asks the `govsearch serve` that holds dir, when its
// serving file names one that answers; via then says so. With no such
// server via is "" and the caller opens the index itself. The search key,
// if the server wants one, comes from $GOVSEARCH_SEARCH_KEY.
func searchServer(ctx context.Context, dir string, req index.Request) (res *index.Response, raw []byte, via string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, servingFile))
	if err != nil {
		return nil, nil, "", nil
	}
	var sv serving
	if json.Unmarshal(b, &sv) != nil || !strings.HasPrefix(sv.URL, "http://") {
		return nil, nil, "", nil
	}
	v := url.Values{"q": {req.Query}, "size": {strconv.Itoa(req.Size)}, "from": {strconv.Itoa(req.From)}, "sort": {req.Sort}, "match": {req.Match}}
	for _, r := range req.Filters[index.FacetRegion] {
		v.Add("region", r)
	}
	for _, y := range req.Filters[index.FacetYear] {
		v.Add("year", y)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, sv.URL+"/api/search?"+v.Encode(), nil)
	if err != nil {
		return nil, nil, "", nil
	}
	if key := os.Getenv("GOVSEARCH_SEARCH_KEY"); key != "" {
		hr.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		// A serving file left by a server that died: open the index.
		return nil, nil, "", nil
	}
	defer resp.Body.Close()
	via = "the index is held by `govsearch serve` at " + sv.URL + "; asked it"
	raw, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, via, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message, Param string }
		}
		_ = json.Unmarshal(raw, &e)
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			return nil, nil, via, errors.New("the server wants the search key: set GOVSEARCH_SEARCH_KEY")
		case resp.StatusCode == http.StatusBadRequest:
			return nil, nil, via, &index.ValidationError{Param: e.Error.Param, Message: e.Error.Message}
		case e.Error.Message != "":
			return nil, nil, via, fmt.Errorf("the server answered %d %s: %s", resp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return nil, nil, via, fmt.Errorf("the server answered %d", resp.StatusCode)
	}
	res = &index.Response{}
	if err := json.Unmarshal(raw, res); err != nil {
		return nil, nil, via, fmt.Errorf("the server's answer: %w", err)
	}
	return res, raw, via, nil
}

// printHits writes a search response for people.
func printHits(w io.Writer, res *index.Response, from int, colour bool) {
	fmt.Fprintf(w, "%d hits (%.1f ms)\n", res.Total, res.TookMS)
	for _, f := range []string{index.FacetRegion, index.FacetYear} {
		var parts []string
		for i, v := range res.Facets[f] {
			if i == 8 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, fmt.Sprintf("%s %d", v.Value, v.Count))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%s: %s\n", f, strings.Join(parts, " · "))
		}
	}
	for i, h := range res.Hits {
		fmt.Fprintf(w, "\n%d. %s\n", from+i+1, citation(h))
		for _, frag := range h.Highlights {
			fmt.Fprintf(w, "   %s\n", terminalFragment(frag, colour))
		}
	}
}

// citation formats where a hit comes from: title · region · year · part ·
// 第N段, leaving out what is unknown.
func citation(h index.Hit) string {
	var parts []string
	for _, p := range []string{h.Title, h.Region} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if h.Year > 0 {
		parts = append(parts, strconv.Itoa(h.Year))
	}
	if h.Part != "" {
		parts = append(parts, h.Part)
	}
	parts = append(parts, fmt.Sprintf("第%d段", h.Ordinal))
	return strings.Join(parts, " · ") + "  [" + h.ID + "]"
}

// terminalFragment turns an HTML highlight fragment into terminal text:
// entities decoded, line breaks flattened, and each <mark> shown in bold
// red on a terminal or between 【】 otherwise.
func terminalFragment(frag string, colour bool) string {
	open, close := "【", "】"
	if colour {
		open, close = "\x1b[1;31m", "\x1b[0m"
	}
	var b strings.Builder
	for {
		i := strings.Index(frag, "<mark>")
		if i < 0 {
			break
		}
		j := strings.Index(frag[i:], "</mark>")
		if j < 0 {
			break
		}
		b.WriteString(html.UnescapeString(frag[:i]))
		b.WriteString(open + html.UnescapeString(frag[i+len("<mark>"):i+j]) + close)
		frag = frag[i+j+len("</mark>"):]
	}
	b.WriteString(html.UnescapeString(frag))
	return strings.Join(strings.Fields(b.String()), " ")
}
