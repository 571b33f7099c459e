package reliability

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// floodPieces are fragments of hostile and ordinary queries.
var floodPieces = []string{
	`"`, `"`, " OR ", " AND ", " NOT ", "-", "--", " ", "\u3000", "\t", "\r\n", "region:", "region:静安区", "region:\"",
	"year:", "year:2021", "year:2018..2021", "year:..", "year:2021..2018", "year:-5", "year:1e9", "level:city",
	"level:", "part:review", "kind:heading", "kind:", "nope:x", ":", "::", "..", "(", ")", "[", "]", "{", "}",
	"*", "?", "\\", "\\\"", "/", "+", "~2", "^3", "&&", "||", "!", "<script>alert(1)</script>", "<mark>", "</mark>",
	"&lt;", "&#x3c;", "'\"><img src=x onerror=alert(1)>", "%", "%00", "\x00", "\x7f", "\u200b", "\ufeff", "\u202e",
	"😀", "𠮷", "ＰＭ２．５", "PM2.5", "12345热线", "經濟", "“两旧一村”", "一网通办", "放管服", "五违四必", "的", "一",
	"Ｏｒ", "or", "OR OR", `"" ""`, "-\"\"", "region:静安区 year:2020", strings.Repeat("a", 300), strings.Repeat("经", 256),
}

var (
	floodSizes  = []string{"", "0", "1", "10", "100", "101", "-1", "1.5", "0x10", "١٠", "99999999999999999999"}
	floodFroms  = []string{"", "0", "5", "9990", "9991", "10000", "-1", "abc"}
	floodSorts  = []string{"", "relevance", "year", "-year", "score", "-", "year,year"}
	floodFacets = []string{"", "region", "region,year,level,part_kind,kind", "none", ",", "region,region"}
	floodYears  = []string{"2020", "1954..2025", "..2019", "2021..", "x", "2021..2018", "0", "３０００"}
	floodLevels = []string{"district", "city", "national", "galaxy", ""}
)

// floodRequest builds a random GET target over every read route.
func floodRequest(r *rand.Rand, seed []string) string {
	var q strings.Builder
	for range r.IntN(7) {
		switch r.IntN(8) {
		case 0, 1:
			line := []rune(seed[r.IntN(len(seed))])
			i := r.IntN(len(line))
			q.WriteString(string(line[i:min(len(line), i+1+r.IntN(10))]))
		case 2:
			// Random bytes, valid UTF-8 or not.
			b := make([]byte, 1+r.IntN(6))
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			q.Write(b)
		default:
			q.WriteString(floodPieces[r.IntN(len(floodPieces))])
		}
	}
	v := url.Values{}
	v.Set("q", q.String())
	pick := func(name string, values []string) {
		if r.IntN(4) == 0 {
			v.Add(name, values[r.IntN(len(values))])
		}
	}
	pick("size", floodSizes)
	pick("from", floodFroms)
	pick("sort", floodSorts)
	pick("facets", floodFacets)
	pick("year", floodYears)
	pick("level", floodLevels)
	pick("highlight", []string{"true", "false", "yes"})
	if r.IntN(10) == 0 {
		line := []rune(seed[r.IntN(len(seed))])
		v.Add("region", string(line[:min(len(line), 1+r.IntN(12))]))
	}
	switch n := r.IntN(100); {
	case n < 75:
		return "/api/search?" + v.Encode()
	case n < 85:
		return "/api/trend?" + v.Encode()
	case n < 90:
		v.Set("format", []string{"csv", "jsonl", "xml", ""}[r.IntN(4)])
		return "/api/export?" + v.Encode()
	case n < 95:
		return "/api/paragraphs/" + url.PathEscape(q.String())
	default:
		return "/api/reports/" + url.PathEscape(q.String())
	}
}

// seedText returns lines of the seed corpus to cut queries from.
func seedText(t testing.TB) []string {
	t.Helper()
	var lines []string
	for _, f := range seedCorpus(t) {
		for l := range strings.SplitSeq(string(f.data), "\n") {
			if l = strings.TrimSpace(l); len(l) > 6 && utf8.ValidString(l) {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// TestRandomQueryFlood sends seeded random requests (GOVSEARCH_FLOOD_QUERIES,
// default 2000; docs/reliability.md records 10,000) from eight clients
// over real HTTP to a real server: no 5xx (the server's own 2 s search
// timeout answers 504, so a slow query fails too), every body well-formed,
// and no panic in the server log.
func TestRandomQueryFlood(t *testing.T) {
	n := envInt(t, "GOVSEARCH_FLOOD_QUERIES", 2000)
	srv := serve(t, seedIndex(t))
	seed := seedText(t)
	seedValue := uint64(time.Now().UnixNano())
	if s := os.Getenv("GOVSEARCH_FLOOD_SEED"); s != "" {
		seedValue, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (GOVSEARCH_FLOOD_SEED repeats a run)", seedValue)
	r := rand.New(rand.NewPCG(seedValue, 8))
	targets := make([]string, n)
	for i := range targets {
		targets[i] = floodRequest(r, seed)
	}

	var (
		mu        sync.Mutex
		statuses  = map[int]int{}
		latencies []time.Duration
		next      = 0
		wg        sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(targets) || t.Failed() {
					mu.Unlock()
					return
				}
				target := targets[next]
				next++
				mu.Unlock()
				begin := time.Now()
				status, body, err := do("GET", srv.url(target), searchKey, "", nil)
				d := time.Since(begin)
				mu.Lock()
				statuses[status]++
				latencies = append(latencies, d)
				mu.Unlock()
				if err != nil {
					t.Errorf("%.300s: %v", target, err)
					continue
				}
				if msg := checkBody(target, status, body); msg != "" {
					t.Errorf("%.300s: %.300s", target, msg)
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(latencies)
	t.Logf("%d requests: statuses %v; latency p50 %s, p99 %s, max %s", len(latencies), statuses,
		pct(latencies, 50), pct(latencies, 99), latencies[len(latencies)-1].Round(time.Millisecond))
	if statuses[200] < n/10 || statuses[400] < n/20 {
		t.Errorf("the generator is lopsided: %v", statuses)
	}
	if status, _, err := do("GET", srv.url("/healthz"), "", "", nil); err != nil || status != 200 {
		t.Fatalf("the server after the flood: %d %v", status, err)
	}
	srv.stop(t)
	if log := srv.stderr.String(); strings.Contains(log, `"msg":"panic"`) || strings.Contains(log, "goroutine ") {
		t.Errorf("the server log shows a panic:\n%s", log)
	}
}

// checkBody returns what is wrong with an answer, or "".
func checkBody(target string, status int, body []byte) string {
	switch {
	case status == 503 && strings.Contains(string(body), `"code":"overloaded"`):
		// Admission control refusing beyond capacity: an answer, not a fault.
	case status >= 500:
		return "status " + strconv.Itoa(status) + ": " + string(body)
	case status == 200 && strings.HasPrefix(target, "/api/export") && !strings.Contains(target, "format=jsonl"):
		// CSV is the default format.
		if _, err := csv.NewReader(bytes.NewReader(body)).ReadAll(); err != nil {
			return "bad CSV: " + err.Error()
		}
	case status == 200 && strings.HasPrefix(target, "/api/export"):
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if !json.Valid(sc.Bytes()) {
				return "bad JSONL line " + sc.Text()
			}
		}
	case status == 200:
		if !json.Valid(body) {
			return "invalid JSON"
		}
	case status == 400 || status == 404:
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(body, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
			return "status " + strconv.Itoa(status) + " without a JSON error: " + string(body)
		}
	default:
		return "unexpected status " + strconv.Itoa(status)
	}
	return ""
}

// pct returns the p-th percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, len(sorted)*p/100)
	return sorted[i].Round(100 * time.Microsecond)
}

// loadQueries are what a researcher types.
var loadQueries = []string{"一网通办", "放管服", "五违四必", "两旧一村", "PM2.5", "12345热线", "营商环境", "经济", "人民 生活", "城市更新 OR 旧区改造"}

// TestLoad runs 50 clients against a real server for
// GOVSEARCH_LOAD_SECONDS (default 3; scripts/soak.sh runs wrk for 60 s):
// no errors, and the server's goroutines return to their level before the
// load. Latency percentiles are logged, not asserted.
func TestLoad(t *testing.T) {
	seconds := envInt(t, "GOVSEARCH_LOAD_SECONDS", 3)
	srv := serve(t, seedIndex(t))
	// Warm up: /api/analyze waits for the segmentation dictionary, which
	// otherwise loads in the background during the first seconds of load.
	for _, path := range []string{"/api/analyze?text=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E", "/api/search?q=%E7%BB%8F%E6%B5%8E"} {
		if status, body, err := do("GET", srv.url(path), searchKey, "", nil); err != nil || status != 200 {
			t.Fatalf("warm-up %s: %d %v %s", path, status, err, body)
		}
	}
	before := scrape(t, srv)

	tr := &http.Transport{MaxIdleConnsPerHost: 50}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  string
		wg        sync.WaitGroup
		refused   atomic.Int64
	)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 50))
			var mine []time.Duration
			bad := 0
			msg := ""
			for time.Now().Before(deadline) {
				v := url.Values{"q": {loadQueries[r.IntN(len(loadQueries))]}}
				if r.IntN(2) == 0 {
					v.Set("highlight", "true")
				}
				req, _ := http.NewRequest("GET", srv.url("/api/search?"+v.Encode()), nil)
				req.Header.Set("Authorization", "Bearer "+searchKey)
				begin := time.Now()
				resp, err := c.Do(req)
				if err == nil {
					var body bytes.Buffer
					_, err = body.ReadFrom(resp.Body)
					resp.Body.Close()
					// A 503 overloaded with Retry-After is admission
					// control refusing beyond capacity, not a failure.
					if err == nil && resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "" &&
						strings.Contains(body.String(), `"overloaded"`) {
						refused.Add(1)
						continue
					}
					if err == nil && resp.StatusCode != 200 {
						err = &statusError{resp.StatusCode, body.String()}
					}
				}
				mine = append(mine, time.Since(begin))
				if err != nil {
					bad++
					if msg == "" {
						msg = err.Error()
					}
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = msg
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	tr.CloseIdleConnections()
	slices.Sort(latencies)
	t.Logf("50 clients for %d s: %d answered requests (%.0f/s), %d refused with 503 overloaded, %d errors; latency p50 %s, p90 %s, p99 %s, max %s",
		seconds, len(latencies), float64(len(latencies))/float64(seconds), refused.Load(), errs,
		pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), latencies[len(latencies)-1].Round(time.Millisecond))
	if errs > 0 {
		t.Errorf("%d requests failed; the first: %s", errs, firstErr)
	}

	// Goroutines settle back once the clients are gone.
	var after metricsSample
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		if after = scrape(t, srv); after.goroutines <= before.goroutines+5 {
			break
		}
	}
	t.Logf("server before: %d goroutines, %.0f MB RSS; after: %d goroutines, %.0f MB RSS",
		before.goroutines, before.rssMB, after.goroutines, after.rssMB)
	if after.goroutines > before.goroutines+5 {
		t.Errorf("goroutines grew from %d to %d and stayed", before.goroutines, after.goroutines)
	}
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return "status " + strconv.Itoa(e.status) + ": " + e.body }

// metricsSample is what the tests read from /metrics.
type metricsSample struct {
	goroutines int
	rssMB      float64
}

// scrape reads the goroutine count and resident memory from /metrics.
func scrape(t testing.TB, srv *proc) metricsSample {
	t.Helper()
	status, body, err := do("GET", srv.url("/metrics"), "", "", nil)
	if err != nil || status != 200 {
		t.Fatalf("GET /metrics: %d %v", status, err)
	}
	var m metricsSample
	for line := range strings.SplitSeq(string(body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_goroutines":
			m.goroutines = int(f)
		case "process_resident_memory_bytes":
			m.rssMB = f / (1 << 20)
		}
	}
	if m.goroutines == 0 {
		t.Fatalf("/metrics has no go_goroutines")
	}
	return m
}
