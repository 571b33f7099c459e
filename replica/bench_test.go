package replica

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/natstest"
	"govsearch/internal/testcorpus"
)

// BenchmarkPublishNational measures what replication costs per upload on
// the national corpus: each iteration adds one small made-up report to the
// writer's index (untimed) and publishes (timed: the copy of the index, the
// checksums, the upload of new files, the key update), then waits for a
// replica on the same machine to serve the new generation (reported as
// replica-ms: download, checksums, open, Verify, swap).
//
//	go test ./replica -run X -bench PublishNational -benchtime 20x
func BenchmarkPublishNational(b *testing.B) {
	dir := testcorpus.Need(b, "national")
	ctx := context.Background()
	srv := natstest.Server(b, 0)
	wdir := filepath.Join(b.TempDir(), "writer")
	inputs, err := ingest.InputsFromPaths([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := index.Build(ctx, wdir, inputs, index.BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	ix, err := index.Open(wdir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	cfg := testConfig(b, srv.ClientURL())
	cfg.Logger = nil
	nc, err := cfg.Connect(func(bool) {})
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	p := NewPublisher(cfg, nc, ix, wdir)
	if _, err := p.publish(ctx); err != nil {
		b.Fatal(err)
	}
	rep, err := StartReplica(cfg, filepath.Join(b.TempDir(), "replica"), func(*Replica) {})
	if err != nil {
		b.Fatal(err)
	}
	defer rep.Close()
	waitFor(b, time.Minute, "the first generation on the replica", func() bool { return rep.Status().Generation == "gen-1" })

	var sum PublishCost
	var replicate time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if err := ix.AddReports(ctx, madeUp(b, 100+i, "琥珀计划", 2000)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cost, err := p.publish(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		done := time.Now()
		want := p.Status().Generation
		waitFor(b, time.Minute, "the replica", func() bool { return rep.Status().Generation == want })
		replicate += time.Since(done)
		b.StartTimer()
		sum.Copy += cost.Copy
		sum.Hash += cost.Hash
		sum.Upload += cost.Upload
		sum.Commit += cost.Commit
		sum.Sent += cost.Sent
		sum.SentBytes += cost.SentBytes
		sum.Bytes += cost.Bytes
	}
	n := float64(b.N)
	perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(perOp(sum.Copy), "copy-ms/op")
	b.ReportMetric(perOp(sum.Hash), "hash-ms/op")
	b.ReportMetric(perOp(sum.Upload), "upload-ms/op")
	b.ReportMetric(perOp(sum.Commit), "kv-ms/op")
	b.ReportMetric(float64(sum.Bytes)/1e6/n, "index-MB")
	b.ReportMetric(float64(sum.SentBytes)/1e6/n, "sent-MB/op")
	b.ReportMetric(float64(sum.Sent)/n, "files-sent/op")
	b.ReportMetric(perOp(replicate), "replica-ms/op")
}
