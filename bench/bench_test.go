package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"govsearch/ingest"
)

// childEnv makes the test binary act as a benchmark child process.
const childEnv = "GOVSEARCH_BENCH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(ChildMain(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if seedIndexRoot != "" {
		os.RemoveAll(seedIndexRoot)
	}
	os.Exit(code)
}

func ms_(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms_(i + 1)
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{ms_(7)}, 99, ms_(7)},
		{"median of four is the second", []time.Duration{ms_(1), ms_(2), ms_(3), ms_(4)}, 50, ms_(2)},
		{"p99 of 100", hundred, 99, ms_(99)},
		{"p95 of 100", hundred, 95, ms_(95)},
		{"p100 is the max", hundred, 100, ms_(100)},
		{"p0 is the min", hundred, 0, ms_(1)},
		{"p99 of 10 is the max", hundred[:10], 99, ms_(10)},
		{"p50 of 3", []time.Duration{ms_(1), ms_(5), ms_(9)}, 50, ms_(5)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Percentile(c.sorted, c.p); got != c.want {
				t.Errorf("Percentile(p=%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	s := []time.Duration{ms_(3), ms_(1), ms_(2), ms_(4)}
	l := summarize("term", 8, s, 1, 2*time.Second)
	if l.P50 != ms_(2) || l.P99 != ms_(4) || l.Max != ms_(4) || l.Queries != 4 || l.Errors != 1 || l.QPS != 2 {
		t.Errorf("summarize = %+v", l)
	}
}

func TestLetters(t *testing.T) {
	for n, want := range map[int]string{0: "a", 25: "z", 26: "aa", 27: "ab", 701: "zz", 702: "aaa"} {
		t.Run(want, func(t *testing.T) {
			if got := letters(n); got != want {
				t.Errorf("letters(%d) = %q, want %q", n, got, want)
			}
		})
	}
	seen := map[string]int{}
	for n := 0; n < 5000; n++ {
		s := letters(n)
		if m, dup := seen[s]; dup {
			t.Fatalf("letters(%d) = letters(%d) = %q", n, m, s)
		}
		seen[s] = n
	}
}

// TestScaleCorpus checks that the replicas of the scale corpus parse into
// distinct report and paragraph ids with the metadata of their originals.
func TestScaleCorpus(t *testing.T) {
	spec := CorpusSpec{Name: CorpusScale, Shared: filepath.Join(t.TempDir(), "absent"), ScaleMB: 2}
	ins, err := spec.Inputs()
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	names := map[string]bool{}
	reportIDs := map[string]string{}
	paraIDs := map[string]bool{}
	type meta struct {
		region string
		year   int
	}
	first := map[string]meta{} // original base name and report number → metadata of the first copy
	for _, in := range ins {
		if names[in.Name] {
			t.Fatalf("file name %q repeats", in.Name)
		}
		names[in.Name] = true
		total += in.Size
		data, err := in.Read()
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != in.Size {
			t.Fatalf("%s: read %d bytes, size says %d", in.Name, len(data), in.Size)
		}
		f, err := ingest.Parse(in.Name, data)
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		orig := in.Name[:strings.Index(in.Name, ".copy-")]
		for i, r := range f.Reports {
			if other, dup := reportIDs[r.ID]; dup {
				t.Fatalf("report id %s comes from %s and %s", r.ID, other, in.Name)
			}
			reportIDs[r.ID] = in.Name
			for _, p := range r.Paragraphs {
				if paraIDs[p.ID] {
					t.Fatalf("paragraph id %s repeats", p.ID)
				}
				paraIDs[p.ID] = true
			}
			m := meta{r.Region, r.Year}
			key := fmt.Sprintf("%s#%d", orig, i)
			if want, ok := first[key]; !ok {
				first[key] = m
			} else if m != want {
				t.Errorf("%s: region/year %v, the first copy has %v", in.Name, m, want)
			}
		}
	}
	if want := int64(2 << 20); total < want || total > want+1<<20 {
		t.Errorf("scale corpus holds %d bytes, want about %d", total, want)
	}
	if len(ins) < 10 {
		t.Errorf("only %d files: the seeds were not replicated", len(ins))
	}
}

func TestScaleName(t *testing.T) {
	got := ScaleName("/x/2021_国务院_政府工作报告.txt", "n", 27)
	if want := "2021_国务院_政府工作报告.copy-nab.txt"; got != want {
		t.Errorf("ScaleName = %q, want %q", got, want)
	}
}

func TestSharedAbsent(t *testing.T) {
	spec := CorpusSpec{Name: CorpusNational, Shared: filepath.Join(t.TempDir(), "absent")}
	if _, err := spec.Inputs(); err == nil || !strings.Contains(err.Error(), "shared corpus folder not found") {
		t.Errorf("Inputs without the shared folder: %v", err)
	}
	if _, err := (CorpusSpec{Name: "galaxy"}).Inputs(); err == nil || !strings.Contains(err.Error(), `unknown corpus "galaxy"`) {
		t.Errorf("Inputs of an unknown corpus: %v", err)
	}
}

func TestDefaultQueries(t *testing.T) {
	qs, err := ParseQueries("queries.txt", DefaultQueries)
	if err != nil {
		t.Fatal(err)
	}
	groups := byClass(qs)
	for _, c := range Classes {
		if len(groups[c]) == 0 {
			t.Errorf("no %s queries", c)
		}
	}
	for _, q := range groups[ClassMulti] {
		if len(q.Parsed.Groups) < 2 {
			t.Errorf("line %d: multi query %q has one term", q.Line, q.Text)
		}
	}
	for _, q := range groups[ClassFiltered] {
		f := q.Parsed.Filters
		if f.Len() == 0 {
			t.Errorf("line %d: filtered query %q has no filter", q.Line, q.Text)
		}
	}
}

func TestParseQueriesErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"class without a query", "term", `x:1: "term" has a class but no query`},
		{"unknown class", "fuzzy 民生", `x:1: unknown class "fuzzy"`},
		{"filter without a term", "# c\n\nterm region:静安区", `x:3: query "region:静安区" has no search term`},
		{"open quote", "term \"民生", `x:1: query "\"民生": q: unterminated quote`},
		{"only a comment", "# only a comment", `x: no queries`},
		{"invalid UTF-8", "term \xff", `x: not valid UTF-8`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseQueries("x", c.in)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("ParseQueries(%q) = %v, want an error starting %q", c.in, err, c.want)
			}
		})
	}
}

func FuzzParseQueries(f *testing.F) {
	f.Add(DefaultQueries)
	f.Add("term 民生\nmulti a b\n")
	f.Add("full \"a b\" year:2018..")
	f.Add("near a NEAR/3 b OR c SENT d -e\nbest 上海如何推进一网通办改革 \"x\" region:y")
	f.Fuzz(func(t *testing.T, s string) {
		qs, err := ParseQueries("fuzz", s)
		if err != nil {
			return
		}
		for _, q := range qs {
			if !knownClass(q.Class) || q.Parsed == nil || len(q.Parsed.Groups) == 0 || q.Text == "" {
				t.Fatalf("bad query %+v from %q", q, s)
			}
			// The baseline translation must accept every parsed query.
			if baselineQuery(q.Parsed, q.Best()) == nil {
				t.Fatalf("no baseline query for %q", q.Text)
			}
		}
	})
}

func TestParseConc(t *testing.T) {
	got, err := ParseConc("1, 8")
	if err != nil || len(got) != 2 || got[0] != 1 || got[1] != 8 {
		t.Errorf("ParseConc(\"1, 8\") = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "x", "1,,2", "2000"} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			if _, err := ParseConc(bad); err == nil {
				t.Errorf("ParseConc(%q) succeeded", bad)
			}
		})
	}
}

func TestProcStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(path, []byte("Name:\tx\nVmHWM:\t  123456 kB\nVmRSS:\t   654 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if hwm, rss := procStatus(path); hwm != 123456 || rss != 654 {
		t.Errorf("procStatus = %d, %d", hwm, rss)
	}
	if hwm, rss := procStatus(filepath.Join(t.TempDir(), "none")); hwm != 0 || rss != 0 {
		t.Errorf("procStatus of a missing file = %d, %d", hwm, rss)
	}
}

// TestSmokeSeeds runs the whole benchmark on the seeds with tiny durations:
// both builds, the query runs and the start-up, each in a child process.
func TestSmokeSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two indexes in child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Corpora:     []string{CorpusSeeds},
		Shared:      filepath.Join(t.TempDir(), "absent"),
		Duration:    20 * time.Millisecond,
		Conc:        []int{1, 2},
		FirstRuns:   1,
		SkipSegment: true,
		WorkDir:     t.TempDir(),
		Child: func(args ...string) *exec.Cmd {
			cmd := exec.Command(exe, args...)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			return cmd
		},
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Corpora[0]
	for _, e := range Engines {
		b, q := c.Build[e], c.Query[e]
		if b == nil || q == nil {
			t.Fatalf("%s: missing build or query result", e)
		}
		if b.Paragraphs < 500 || b.IndexBytes == 0 || b.Elapsed <= 0 {
			t.Errorf("%s build: %+v", e, b.buildOut)
		}
		if n := q.Hits[ClassTerm+" 一网通办"]; n == 0 {
			t.Errorf("%s: no hits for 一网通办", e)
		}
		if len(q.Latencies) != len(Classes)*2 {
			t.Errorf("%s: %d latency rows, want %d", e, len(q.Latencies), len(Classes)*2)
		}
		for _, l := range q.Latencies {
			if l.Errors > 0 || l.Queries == 0 || l.P50 <= 0 || l.P50 > l.P99 {
				t.Errorf("%s: %+v", e, l)
			}
		}
		if len(c.First[e]) != 1 || c.First[e][0] <= 0 {
			t.Errorf("%s: start-up %v", e, c.First[e])
		}
	}
	var buf bytes.Buffer
	if err := rep.Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Corpus: seeds", "### Build", "| index size ÷ paragraph text |", "| full | 2 |", "### Targets", "| term | 一网通办 |"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
