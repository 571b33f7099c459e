package analyzer

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time of the calling OS thread, which excludes
// the time other processes on a shared machine take from it.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWordVsGse alternates raw gse Segment and the full word analyzer
// paragraph by paragraph on one locked thread and compares their thread CPU
// time, so other load on the machine affects both alike. It reports the
// analyzer's throughput as a share of gse's ("share": 1 = as fast).
// Resolution is the kernel's accounting tick, so use -benchtime 10x or more.
func BenchmarkWordVsGse(b *testing.B) {
	paras, n := benchParagraphs(b)
	WaitReady()
	seg := gseSegmenter()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.SetBytes(n)
	var gseTime, wordTime time.Duration
	for b.Loop() {
		t0 := threadCPU()
		for _, p := range paras {
			seg.Segment(p)
		}
		t1 := threadCPU()
		for _, p := range paras {
			wordAnalyzer.Analyze(p)
		}
		t2 := threadCPU()
		gseTime += t1 - t0
		wordTime += t2 - t1
	}
	b.ReportMetric(gseTime.Seconds()/wordTime.Seconds(), "share")
}
