package index

import (
	"os"
	"runtime/debug"
)

// DefaultBuildMemory is the soft memory limit of a full build. A build
// allocates mostly short-lived analysis output, so it runs the garbage
// collector at a target of buildGCPercent up to this limit, where
// collection becomes more frequent: far less CPU than the default target,
// while the limit bounds the peak of large builds. The limit leaves room
// under 1.5 GB of resident memory for what it does not count: the pages
// of the segment files a background merge maps and reads. Build hands the
// heap back before its final merge, and merges drop the pages they have
// read as they go (index/compact), so the final merge of a whole index
// does not add its size to the peak. The measurements behind both
// settings are in docs/performance.md ("GC target during builds",
// "Issue 20").
const DefaultBuildMemory = 768 << 20

// buildGCPercent is the garbage collector's target while Build runs; see
// DefaultBuildMemory.
const buildGCPercent = 800

// tuneCollector sets the collector for a build and returns the function
// that restores it. Settings made in the environment are left alone.
func tuneCollector(limit int64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	if limit == 0 {
		limit = DefaultBuildMemory
	}
	oldLimit := debug.SetMemoryLimit(-1)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	oldPercent := debug.SetGCPercent(buildGCPercent)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
