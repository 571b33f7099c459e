package bench

import (
	"bufio"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime returns the user plus system CPU time this process has used so
// far, or 0 where getrusage fails. On a shared machine CPU time is steadier
// than wall time: waiting for a core does not count.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the values
// at or below it. It returns 0 for an empty slice and the minimum for p ≤ 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	return sorted[rank-1]
}

// Latency summarises the latencies of one query class at one concurrency.
type Latency struct {
	Class       string        `json:"class"`
	Concurrency int           `json:"concurrency"`
	Queries     int           `json:"queries"` // answered in the timed window
	Errors      int           `json:"errors"`
	P50         time.Duration `json:"p50"`
	P95         time.Duration `json:"p95"`
	P99         time.Duration `json:"p99"`
	Max         time.Duration `json:"max"`
	QPS         float64       `json:"qps"`
}

// summarize computes a Latency from raw samples taken over wall time.
func summarize(class string, conc int, samples []time.Duration, errs int, wall time.Duration) Latency {
	slices.Sort(samples)
	l := Latency{Class: class, Concurrency: conc, Queries: len(samples), Errors: errs}
	if len(samples) > 0 {
		l.P50 = Percentile(samples, 50)
		l.P95 = Percentile(samples, 95)
		l.P99 = Percentile(samples, 99)
		l.Max = samples[len(samples)-1]
	}
	if wall > 0 {
		l.QPS = float64(len(samples)) / wall.Seconds()
	}
	return l
}

// median returns the median of ds (the lower middle for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// procStatus reads the kB values of VmHWM (peak resident set) and VmRSS
// from a /proc/PID/status file; both are 0 where /proc is missing.
func procStatus(path string) (hwmKB, rssKB int64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"VmHWM:", "VmRSS:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if k == "VmHWM:" {
					hwmKB = n
				} else {
					rssKB = n
				}
			}
		}
	}
	return hwmKB, rssKB
}

// dirSize returns the total size of the regular files below dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
