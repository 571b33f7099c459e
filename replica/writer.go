package replica

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web"
)

// DefaultPublishWait is how long a write on the writer waits for its
// publication before it is answered anyway (the publication goes on).
const DefaultPublishWait = 10 * time.Second

// Writer is the writer's side: its index, published after every write, and
// the answering of writes that replicas forward.
type Writer struct {
	*index.Index // reads go straight to the index
	pub          *Publisher
	ans          *Answerer
	nc           *nats.Conn
	wait         time.Duration
	stop         context.CancelFunc
	wg           sync.WaitGroup
}

// StartWriter connects to NATS, publishes ix (opened from the index
// directory root) now and after every write made through the returned
// Writer, and answers forwarded writes with handler, the writer's own HTTP
// handler. publishWait bounds how long a write waits for its publication
// (0 means DefaultPublishWait).
func StartWriter(cfg Config, ix *index.Index, root string, handler http.Handler, publishWait time.Duration) (*Writer, error) {
	cfg.Role = RoleWriter
	if publishWait <= 0 {
		publishWait = DefaultPublishWait
	}
	w := &Writer{Index: ix, wait: publishWait}
	nc, err := cfg.Connect(func(connected bool) {
		if connected && w.pub != nil {
			w.pub.Kick()
		}
	})
	if err != nil {
		return nil, err
	}
	w.nc = nc
	w.pub = NewPublisher(cfg, nc, ix, root)
	if w.ans, err = Answer(nc, handler, w.pub, cfg.logger()); err != nil {
		nc.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	w.wg.Add(1)
	go func() { defer w.wg.Done(); w.pub.Run(ctx) }()
	return w, nil
}

// AddReports implements index.Reader: the write, then its publication.
func (w *Writer) AddReports(ctx context.Context, reports []ingest.Report) error {
	err := w.Index.AddReports(ctx, reports)
	w.committed(ctx, err)
	return err
}

// DeleteReport implements index.Reader: the write, then its publication.
func (w *Writer) DeleteReport(ctx context.Context, id string) error {
	err := w.Index.DeleteReport(ctx, id)
	w.committed(ctx, err)
	return err
}

// committed publishes after a write. A write refused before it began
// changed nothing; one that failed on the way may still have changed the
// index (a disk that filled half-way), so it is published too, but not
// waited for.
func (w *Writer) committed(ctx context.Context, err error) {
	var qe *index.QueryError
	switch {
	case err == nil:
		w.pub.Committed(ctx, w.wait)
	case errors.As(err, &qe) || errors.Is(err, index.ErrNotFound):
	default:
		w.pub.Committed(ctx, 0)
	}
}

// Status reports the writer's replication state.
func (w *Writer) Status() web.Replication { return w.pub.Status() }

// Publisher returns the writer's publisher.
func (w *Writer) Publisher() *Publisher { return w.pub }

// Close stops answering and publishing and closes the connection; the
// index stays open. Call it after the HTTP server has finished.
func (w *Writer) Close() {
	w.ans.Close()
	w.stop()
	w.wg.Wait()
	w.nc.Close()
}
