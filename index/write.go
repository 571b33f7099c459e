package index

import (
	"context"
	"encoding/json"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"

	"govsearch/ingest"
)

// Writing an index: Build (build.go) writes a new generation from report
// files, Update and the report writes (update.go) change the current one in
// place. Both parse files the same way, validate reports the same way
// (validate.go) and turn a report into the same documents (addReport).

// Input is one raw report file to index, as ingest's input discovery lists
// it (ingest.InputsFromPaths, ingest.InputsFromFS).
type Input = ingest.Input

// BuildOptions tune Build and Update.
type BuildOptions struct {
	// BatchSize is the number of paragraphs per bleve batch in a full
	// build (default 10,000); a batch is also cut at batchBytes of text,
	// which bounds the memory analysis takes. Updates write one batch per
	// file.
	BatchSize int
	// Progress, when set, is called after each file with the bytes done
	// and the total.
	Progress func(done, total int64)
	// MemoryLimit is the soft memory limit a full build runs under, in
	// bytes (see runtime/debug.SetMemoryLimit): 0 means DefaultBuildMemory,
	// a negative value none. The collector runs rarely below it. GOGC or
	// GOMEMLIMIT in the environment leave the collector as they set it.
	MemoryLimit int64
}

// BuildStats summarises a build or update.
type BuildStats struct {
	Generation string        // the generation directory written
	Files      int           // files indexed
	Reports    int           // reports indexed
	Paragraphs int           // paragraphs indexed
	Bytes      int64         // raw bytes of the files indexed
	TextBytes  int64         // bytes of paragraph text indexed (UTF-8)
	Elapsed    time.Duration // wall time
	Errors     []error       // files skipped, each naming its file
}

// MBPerSecond is the raw input throughput.
func (s *BuildStats) MBPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// addFile counts one indexed file's reports, paragraphs and text.
func (s *BuildStats) addFile(in Input, reports []ingest.Report) {
	s.Files++
	s.Bytes += in.Size
	s.Reports += len(reports)
	for i := range reports {
		s.Paragraphs += len(reports[i].Paragraphs)
		for j := range reports[i].Paragraphs {
			s.TextBytes += int64(len(reports[i].Paragraphs[j].Text))
		}
	}
}

// totalSize is the raw size of inputs, the total progress reports count to.
func totalSize(inputs []Input) int64 {
	var n int64
	for _, in := range inputs {
		n += in.Size
	}
	return n
}

// parsed is one parsed input.
type parsed struct {
	in   Input
	file *ingest.File
	err  error // a *ingest.FileError
}

// parseAll parses inputs in order on a background goroutine, a few files
// ahead of the consumer.
func parseAll(ctx context.Context, inputs []Input) <-chan parsed {
	ch := make(chan parsed, 4)
	go func() {
		defer close(ch)
		for _, in := range inputs {
			if ctx.Err() != nil {
				return
			}
			f, err := in.Parse()
			select {
			case ch <- parsed{in: in, file: f, err: err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// addReport adds the documents of one report to a batch and returns the
// paragraph documents (their lengths are known once the batch is applied).
func addReport(batch *bleve.Batch, b *docBuilder, r *ingest.Report, docs []*document.Document) ([]*document.Document, error) {
	d, err := reportDoc(r)
	if err != nil {
		return docs, err
	}
	if err := batch.IndexAdvanced(d); err != nil {
		return docs, err
	}
	for i := range r.Paragraphs {
		d, err := b.paragraphDoc(r, &r.Paragraphs[i])
		if err != nil {
			return docs, err
		}
		if err := batch.IndexAdvanced(d); err != nil {
			return docs, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func setManifest(batch *bleve.Batch, m manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	batch.SetInternal([]byte(manifestKey), raw)
	return nil
}
