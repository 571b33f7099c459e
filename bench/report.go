package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Targets of the performance issue, checked in the report.
const (
	targetBuildVsBaseline = 1.5  // our build MB/s ÷ the baseline's
	targetBuildVsSegment  = 0.80 // our build MB/s ÷ gse segmentation MB/s, same text and cores
	targetP99National     = 10 * time.Millisecond
	targetP99Scale        = 50 * time.Millisecond
	// targetP99BestNear is the p99 of match=best and of NEAR/SENT
	// queries (facets and highlights) on the national corpus at
	// concurrency 1.
	targetP99BestNear = 20 * time.Millisecond
	targetStartup     = 300 * time.Millisecond
	targetServerMB    = 400
	targetIndexRatio  = 3.0
	// targetBuildPeakMB is the build's peak memory at 1 GiB of text.
	targetBuildPeakMB = 1500
)

// Markdown writes the report as markdown tables.
func (r *Report) Markdown(w io.Writer) error {
	for _, c := range r.Corpora {
		if err := r.CorpusMarkdown(w, c); err != nil {
			return err
		}
	}
	return nil
}

// CorpusMarkdown writes the tables of one corpus of the report.
func (r *Report) CorpusMarkdown(w io.Writer, c *CorpusResult) error {
	p := &printer{w: w}
	c.markdown(p, r)
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func mb(b int64) float64 { return float64(b) / 1e6 }

func kbToMB(kb int64) float64 { return float64(kb) * 1024 / 1e6 }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func mbps(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return mb(bytes) / d.Seconds()
}

func (c *CorpusResult) markdown(p *printer, r *Report) {
	p.f("## Corpus: %s\n\n", c.Name)
	if c.Skipped != "" {
		p.f("Skipped: %s.\n\n", c.Skipped)
		return
	}
	ours, base := c.Build[EngineOurs], c.Build[EngineBaseline]
	if ours == nil || base == nil {
		p.f("Incomplete: a build is missing.\n\n")
		return
	}
	p.f("%d files, %.1f MB raw text, %d reports, %d paragraphs (%.1f MB of paragraph text).\n\n",
		ours.Files, mb(ours.RawBytes), ours.Reports, ours.Paragraphs, mb(ours.TextBytes))

	// Build.
	p.f("### Build")
	if ours.Runs > 1 {
		p.f(" (median of %d runs per engine)", ours.Runs)
	}
	p.f("\n\n| | ours | cjk baseline | ours/baseline |\n|---|---:|---:|---:|\n")
	row := func(name string, a, b float64, format string) {
		p.f("| %s | "+format+" | "+format+" | %s |\n", name, a, b, ratio(a, b))
	}
	row("build time (wall), s", ours.Elapsed.Seconds(), base.Elapsed.Seconds(), "%.2f")
	row("build CPU time (user+system), s", ours.buildOut.CPU.Seconds(), base.buildOut.CPU.Seconds(), "%.2f")
	oMBs, bMBs := mbps(ours.RawBytes, ours.Elapsed), mbps(base.RawBytes, base.Elapsed)
	oCPU, bCPU := mbps(ours.RawBytes, ours.buildOut.CPU), mbps(base.RawBytes, base.buildOut.CPU)
	row("throughput, MB/s of raw text (wall)", oMBs, bMBs, "%.2f")
	row("throughput, MB per CPU-second", oCPU, bCPU, "%.2f")
	row("throughput, MB/s of paragraph text (wall)", mbps(ours.TextBytes, ours.Elapsed), mbps(base.TextBytes, base.Elapsed), "%.2f")
	if ours.DictLoad > 0 {
		p.f("| of which dictionary load (wall), s | %.2f | – | – |\n", ours.DictLoad.Seconds())
		row("throughput without dictionary load, MB/s (wall)", mbps(ours.RawBytes, ours.Elapsed-ours.DictLoad), bMBs, "%.2f")
	}
	row("index size, MB", mb(ours.IndexBytes), mb(base.IndexBytes), "%.1f")
	row("index size ÷ raw text", float64(ours.IndexBytes)/float64(ours.RawBytes), float64(base.IndexBytes)/float64(base.RawBytes), "%.2f")
	row("index size ÷ paragraph text", textRatio(ours), textRatio(base), "%.2f")
	row("peak memory of the build process (VmHWM), MB", kbToMB(ours.PeakKB), kbToMB(base.PeakKB), "%.0f")
	p.f("\n")

	// Segmentation floor.
	if s := c.Segment; s != nil {
		segMBs, segCPU := mbps(s.TextBytes, s.Segment), mbps(s.TextBytes, s.SegmentCPU)
		oText, oTextCPU := mbps(s.TextBytes, ours.Elapsed), mbps(s.TextBytes, ours.buildOut.CPU)
		oTextNoDict := mbps(s.TextBytes, ours.Elapsed-ours.DictLoad)
		p.f("### Segmentation floor (same paragraphs, %d goroutines)\n\n", s.Workers)
		p.f("| MB of paragraph text | per second (wall) | per CPU-second | our build as %% of it (wall / CPU) |\n|---|---:|---:|---:|\n")
		p.f("| gse Segment, dictionary loaded (load %.2f s not counted) | %.2f | %.2f | %.0f%% / %.0f%% (%.0f%% wall without our dictionary load) |\n",
			s.DictLoad.Seconds(), segMBs, segCPU, 100*oText/segMBs, 100*oTextCPU/segCPU, 100*oTextNoDict/segMBs)
		wMBs, wCPU := mbps(s.TextBytes, s.Word), mbps(s.TextBytes, s.WordCPU)
		p.f("| word analyzer (fold + gse + filters) | %.2f | %.2f | %.0f%% / %.0f%% |\n", wMBs, wCPU, 100*oText/wMBs, 100*oTextCPU/wCPU)
		p.f("| our build | %.2f | %.2f | – |\n", oText, oTextCPU)
		p.f("| baseline build | %.2f | %.2f | – |\n", mbps(s.TextBytes, base.Elapsed), mbps(s.TextBytes, base.buildOut.CPU))
		p.f("| ingest.Parse (one goroutine), MB of raw text | %.2f | – | – |\n\n", mbps(s.RawBytes, s.Parse))
	}

	// Queries.
	qo, qb := c.Query[EngineOurs], c.Query[EngineBaseline]
	if qo != nil && qb != nil {
		p.f("### Queries (size 10; latency in ms; q/s = queries answered per second")
		if qo.Runs > 1 {
			p.f("; each cell the median of %d runs of %s", qo.Runs, r.Config.Duration)
		}
		p.f(")\n\n")
		p.f("| class | conc | ours p50 | ours p95 | ours p99 | ours q/s | cjk p50 | cjk p95 | cjk p99 | cjk q/s | p99 ours/cjk | q/s ours/cjk |\n")
		p.f("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, lo := range qo.Latencies {
			lb := findLatency(qb.Latencies, lo.Class, lo.Concurrency)
			if lb == nil {
				continue
			}
			p.f("| %s | %d | %s | %s | %s | %.0f | %s | %s | %s | %.0f | %s | %s |\n",
				lo.Class, lo.Concurrency, ms(lo.P50), ms(lo.P95), ms(lo.P99), lo.QPS,
				ms(lb.P50), ms(lb.P95), ms(lb.P99), lb.QPS,
				ratio(float64(lo.P99), float64(lb.P99)), ratio(lo.QPS, lb.QPS))
			if lo.Errors+lb.Errors > 0 {
				p.f("| ↳ errors | | %d | | | | %d | | | | | |\n", lo.Errors, lb.Errors)
			}
		}
		p.f("\n")
	}

	// Start-up and memory.
	p.f("### Start-up and memory\n\n| | ours | cjk baseline | ours/baseline |\n|---|---:|---:|---:|\n")
	fo, fb := median(c.First[EngineOurs]), median(c.First[EngineBaseline])
	p.f("| process start → first answered query (facets + highlights), median of %d, ms | %s | %s | %s |\n",
		len(c.First[EngineOurs]), ms(fo), ms(fb), ratio(float64(fo), float64(fb)))
	if qo != nil && qb != nil {
		p.f("| index open, ms | %s | %s | %s |\n", ms(qo.Open), ms(qb.Open), ratio(float64(qo.Open), float64(qb.Open)))
		p.f("| query process memory after the query runs (VmHWM), MB | %.0f | %.0f | %s |\n", kbToMB(qo.PeakKB), kbToMB(qb.PeakKB), ratio(float64(qo.PeakKB), float64(qb.PeakKB)))
	}
	if s := c.Serve; s != nil {
		p.f("| `govsearch serve` start → first 200 from /api/search, median of %d, ms | %s | – | – |\n", len(s.First), ms(median(s.First)))
		p.f("| `govsearch serve` memory with dictionary loaded, after the query set (VmHWM / VmRSS), MB | %.0f / %.0f | – | – |\n", kbToMB(s.PeakKB), kbToMB(s.RSSKB))
	}
	p.f("\n")

	// Hit counts.
	if qo != nil && qb != nil {
		p.f("### Matching paragraphs per query (total hits)\n\nThe baseline's match query ORs the bigrams of a term, so it also counts paragraphs that contain only part of it.\n\n")
		p.f("| class | query | ours | cjk baseline |\n|---|---|---:|---:|\n")
		for _, q := range r.Queries {
			k := q.Class + " " + q.Text
			p.f("| %s | %s | %d | %d |\n", q.Class, mdEscape(q.Text), qo.Hits[k], qb.Hits[k])
		}
		p.f("\n")
	}

	c.targets(p, oMBs, bMBs, oCPU, bCPU)
}

// targets writes the targets with the measured values.
func (c *CorpusResult) targets(p *printer, oMBs, bMBs, oCPU, bCPU float64) {
	ours := c.Build[EngineOurs]
	p.f("### Targets\n\n| target | measured | met |\n|---|---|---|\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	if bMBs > 0 && bCPU > 0 {
		p.f("| build ≥ %.1f× the baseline's MB/s | %.2f× wall, %.2f× per CPU-second | %s |\n", targetBuildVsBaseline, oMBs/bMBs, oCPU/bCPU,
			yes(oMBs/bMBs >= targetBuildVsBaseline && oCPU/bCPU >= targetBuildVsBaseline))
	}
	if s := c.Segment; s != nil && s.Segment > 0 && s.SegmentCPU > 0 {
		wall := mbps(s.TextBytes, ours.Elapsed) / mbps(s.TextBytes, s.Segment)
		cpu := mbps(s.TextBytes, ours.buildOut.CPU) / mbps(s.TextBytes, s.SegmentCPU)
		p.f("| build ≥ %.0f%% of gse segmentation MB/s | %.0f%% wall, %.0f%% per CPU-second | %s |\n", 100*targetBuildVsSegment, 100*wall, 100*cpu,
			yes(wall >= targetBuildVsSegment && cpu >= targetBuildVsSegment))
	}
	qo, qb := c.Query[EngineOurs], c.Query[EngineBaseline]
	if qo != nil && qb != nil {
		var limit time.Duration
		switch c.Name {
		case CorpusNational:
			limit = targetP99National
		case CorpusScale:
			limit = targetP99Scale
		}
		for _, l := range qo.Latencies {
			if l.Class != ClassFull || limit == 0 {
				continue
			}
			p.f("| p99 ≤ %s, facets + highlights, conc %d | %s ms | %s |\n", ms(limit), l.Concurrency, ms(l.P99), yes(l.P99 <= limit))
		}
		for _, l := range qo.Latencies {
			if (l.Class == ClassBest || l.Class == ClassNear) && l.Concurrency == 1 && c.Name == CorpusNational {
				p.f("| %s p99 ≤ %s, facets + highlights, conc 1 | %s ms | %s |\n", l.Class, ms(targetP99BestNear), ms(l.P99), yes(l.P99 <= targetP99BestNear))
			}
		}
		slower := []string{}
		for _, l := range qo.Latencies {
			if b := findLatency(qb.Latencies, l.Class, l.Concurrency); b != nil && l.P99 > b.P99 {
				slower = append(slower, fmt.Sprintf("%s@%d (%s vs %s ms)", l.Class, l.Concurrency, ms(l.P99), ms(b.P99)))
			}
		}
		got := "p99 not above the baseline's in any class"
		if len(slower) > 0 {
			got = "slower p99: " + strings.Join(slower, ", ")
		}
		p.f("| query p99 not slower than the baseline | %s | %s |\n", got, yes(len(slower) == 0))
	}
	if f := c.First[EngineOurs]; len(f) > 0 {
		d := median(f)
		p.f("| start → first answer ≤ %s ms (fresh process) | %s ms | %s |\n", ms(targetStartup), ms(d), yes(d <= targetStartup))
	}
	if s := c.Serve; s != nil {
		d := median(s.First)
		p.f("| start → first answer ≤ %s ms (`govsearch serve`) | %s ms | %s |\n", ms(targetStartup), ms(d), yes(d <= targetStartup))
		if c.Name == CorpusNational {
			got := kbToMB(s.PeakKB)
			p.f("| server memory ≤ %d MB | %.0f MB | %s |\n", targetServerMB, got, yes(got <= targetServerMB))
		}
	}
	if ours.PeakKB > 0 && c.Name == CorpusScale {
		got := kbToMB(ours.PeakKB)
		p.f("| build peak memory ≤ %d MB | %.0f MB | %s |\n", targetBuildPeakMB, got, yes(got <= targetBuildPeakMB))
	}
	r := textRatio(ours)
	p.f("| index ≤ %.0f× paragraph text | %.2f× (%.2f× raw text) | %s |\n\n", targetIndexRatio, r,
		float64(ours.IndexBytes)/float64(ours.RawBytes), yes(r <= targetIndexRatio))
}

// textRatio is the index size over the paragraph text it holds, the
// measure of the size target.
func textRatio(b *BuildMeasure) float64 {
	if b.TextBytes == 0 {
		return 0
	}
	return float64(b.IndexBytes) / float64(b.TextBytes)
}

func findLatency(ls []Latency, class string, conc int) *Latency {
	for i := range ls {
		if ls[i].Class == class && ls[i].Concurrency == conc {
			return &ls[i]
		}
	}
	return nil
}

// mdEscape keeps a query from breaking a table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "\\`").Replace(s)
}

// Machine describes the machine the benchmark runs on: cores, CPU model,
// memory, Go version and the load average when it started (other work on
// the machine makes timings noisy).
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
				mem = fmt.Sprintf("%.1f GB", float64(kb)*1024/1e9)
			}
		}
	}
	load := "unknown"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	rev := "unknown revision"
	if bi, ok := debug.ReadBuildInfo(); ok {
		var commit, modified string
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				commit = st.Value
			case "vcs.modified":
				modified = st.Value
			}
		}
		if len(commit) >= 12 {
			rev = "commit " + commit[:12]
			if modified == "true" {
				rev += " with uncommitted changes"
			}
		}
	}
	if rev == "unknown revision" {
		rev = gitRevision()
	}
	return fmt.Sprintf("Program: %s.\n\nMachine: %d logical CPUs (GOMAXPROCS %d), %s, %s RAM, %s %s/%s; load average at start %s; %s UTC.\n",
		rev, runtime.NumCPU(), runtime.GOMAXPROCS(0), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH, load,
		time.Now().UTC().Format("2006-01-02 15:04"))
}

// gitRevision describes the checkout in the working directory when the
// binary carries no version control stamp (built with -buildvcs=false).
func gitRevision() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown revision"
	}
	rev := "commit " + strings.TrimSpace(string(out)) + " of the working directory"
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += ", with uncommitted changes"
	}
	return rev
}
