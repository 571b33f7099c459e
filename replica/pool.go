package replica

import (
	"context"
	"net/http"
	"sync"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web"
	"govsearch/web/errcode"
)

// Pool is the index a replica serves: one open generation at a time, which
// Swap replaces without a request failing or seeing two generations. It is
// an index.ReadWriter; wrap the HTTP handler with Pin so that every call a
// request makes reads the generation that was current when it began.
type Pool struct {
	mu  sync.RWMutex
	cur *lease
	// retired is called with a generation that no request uses any more.
	retired func(*index.Index, *Generation)
}

// lease is one open generation and the requests using it.
type lease struct {
	ix    *index.Index
	gen   *Generation
	users sync.WaitGroup
}

// NewPool returns an empty pool; retired receives each generation Swap
// replaced once its last request has ended.
func NewPool(retired func(*index.Index, *Generation)) *Pool {
	return &Pool{retired: retired}
}

// Swap makes ix (installed from gen) the generation new requests read and
// retires the previous one in the background.
func (p *Pool) Swap(ix *index.Index, gen *Generation) {
	p.mu.Lock()
	old := p.cur
	p.cur = &lease{ix: ix, gen: gen}
	p.mu.Unlock()
	if old != nil {
		go func() {
			old.users.Wait()
			p.retired(old.ix, old.gen)
		}()
	}
}

// Current returns the generation being served, or nil.
func (p *Pool) Current() (*index.Index, *Generation) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.cur == nil {
		return nil, nil
	}
	return p.cur.ix, p.cur.gen
}

// acquire returns the current lease with one more user, or nil. Adding a
// user under the read lock orders it before any Swap's Wait on that lease.
func (p *Pool) acquire() *lease {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.cur != nil {
		p.cur.users.Add(1)
	}
	return p.cur
}

type pinKey struct{}

// Pin wraps next so that each request holds the generation current at its
// start until it ends, and every index call it makes reads that one.
func (p *Pool) Pin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := p.acquire()
		if l == nil {
			next.ServeHTTP(w, r)
			return
		}
		defer l.users.Done()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), pinKey{}, l)))
	})
}

// with runs f on the generation pinned in ctx, or else the current one.
func with[T any](p *Pool, ctx context.Context, f func(*index.Index) (T, error)) (T, error) {
	if l, ok := ctx.Value(pinKey{}).(*lease); ok {
		return f(l.ix)
	}
	l := p.acquire()
	if l == nil {
		var zero T
		return zero, errNoGeneration
	}
	defer l.users.Done()
	return f(l.ix)
}

// errNoGeneration answers a call made before the first generation is in;
// the server only hands the pool to its handler after that, so it is a
// safeguard.
var errNoGeneration = &web.Error{Code: errcode.IndexUnavailable, Message: "this replica has no generation of the index yet; retry shortly"}

// errReplicaWrite answers a write that reached a replica's index instead of
// being forwarded to the writer (Forwarder forwards every write route).
var errReplicaWrite = &web.Error{Code: errcode.Forbidden, Message: "this server is a read replica: send writes to the writer, or through a replica's HTTP API, which forwards them"}

// Search implements index.Reader.
func (p *Pool) Search(ctx context.Context, req index.Request) (*index.Response, error) {
	return with(p, ctx, func(ix *index.Index) (*index.Response, error) { return ix.Search(ctx, req) })
}

// Trend implements index.Reader.
func (p *Pool) Trend(ctx context.Context, req index.Request) (*index.Trend, error) {
	return with(p, ctx, func(ix *index.Index) (*index.Trend, error) { return ix.Trend(ctx, req) })
}

// Diffusion implements index.Reader.
func (p *Pool) Diffusion(ctx context.Context, req index.Request) (*index.Diffusion, error) {
	return with(p, ctx, func(ix *index.Index) (*index.Diffusion, error) { return ix.Diffusion(ctx, req) })
}

// KWIC implements index.Reader.
func (p *Pool) KWIC(ctx context.Context, req index.Request, opts index.KWICOptions, emit func(index.KWICRow) error) error {
	_, err := with(p, ctx, func(ix *index.Index) (struct{}, error) { return struct{}{}, ix.KWIC(ctx, req, opts, emit) })
	return err
}

// Export implements index.Reader.
func (p *Pool) Export(ctx context.Context, req index.Request, emit func(index.ExportRow) error) error {
	_, err := with(p, ctx, func(ix *index.Index) (struct{}, error) { return struct{}{}, ix.Export(ctx, req, emit) })
	return err
}

// Paragraph implements index.Reader.
func (p *Pool) Paragraph(ctx context.Context, id string) (*ingest.Record, error) {
	return with(p, ctx, func(ix *index.Index) (*ingest.Record, error) { return ix.Paragraph(ctx, id) })
}

// Reports implements index.Reader.
func (p *Pool) Reports(ctx context.Context) ([]index.ReportSummary, error) {
	return with(p, ctx, func(ix *index.Index) ([]index.ReportSummary, error) { return ix.Reports(ctx) })
}

// Report implements index.Reader.
func (p *Pool) Report(ctx context.Context, id string) (*ingest.Report, error) {
	return with(p, ctx, func(ix *index.Index) (*ingest.Report, error) { return ix.Report(ctx, id) })
}

// Lexicon implements index.Reader.
func (p *Pool) Lexicon(ctx context.Context) ([]index.LexiconEntry, error) {
	return with(p, ctx, func(ix *index.Index) ([]index.LexiconEntry, error) { return ix.Lexicon(ctx) })
}

// AddReports implements index.Writer: a replica's index takes no writes.
func (p *Pool) AddReports(context.Context, []ingest.Report) error { return errReplicaWrite }

// DeleteReport implements index.Writer: a replica's index takes no writes.
func (p *Pool) DeleteReport(context.Context, string) error { return errReplicaWrite }

// Stats implements index.Reader.
func (p *Pool) Stats() index.Stats {
	st, _ := with(p, context.Background(), func(ix *index.Index) (index.Stats, error) { return ix.Stats(), nil })
	return st
}
