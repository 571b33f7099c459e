package replica

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"govsearch/index"
	"govsearch/web"
)

// Replica follows the writer: it serves the newest complete generation in
// its index directory at once, watches KeyCurrent and installs every new
// generation that verifies. Searches never wait for NATS.
type Replica struct {
	cfg  Config
	dir  string
	pool *Pool
	nc   *nats.Conn
	log  *slog.Logger
	fwd  *Forwarder

	offered chan struct{}
	serving func(*Replica) // called once, when the first generation is served
	once    sync.Once
	stop    context.CancelFunc
	wg      sync.WaitGroup

	mu        sync.Mutex
	files     jetstream.ObjectStore
	latest    *Generation     // the newest generation seen in NATS
	behind    time.Time       // since when latest is not the one served
	refused   map[string]bool // generations refused for good, by checksum
	failed    map[string]int  // failed verifications of a generation, by checksum
	lastErr   string          // the last install's failure
	watchErr  string          // why KeyCurrent cannot be watched, while connected
	installed uint64
	refusals  uint64
	upToDate  uint64 // times the installer found the latest generation served
}

// pollEvery is how often a replica reads KeyCurrent besides watching it, in
// case a watch silently stalls.
const pollEvery = 2 * time.Second

// StartReplica starts a replica on the index directory dir. When dir holds
// a complete generation it is served before StartReplica returns; serving
// is called (once) as soon as a generation is served, now or after the
// first download. The replica runs until Close.
func StartReplica(cfg Config, dir string, serving func(*Replica)) (*Replica, error) {
	cfg.Role = RoleReplica
	r := &Replica{
		cfg: cfg, dir: dir, log: cfg.logger(),
		offered: make(chan struct{}, 1),
		serving: serving,
		refused: map[string]bool{},
		failed:  map[string]int{},
	}
	r.pool = NewPool(r.retire)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	nc, err := cfg.Connect(func(bool) { r.offer(nil) })
	if err != nil {
		return nil, err
	}
	r.nc = nc
	r.fwd = NewForwarder(nc, r.log)
	if err := r.openLocal(); err != nil {
		nc.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	r.wg.Add(2)
	go func() { defer r.wg.Done(); r.watch(ctx) }()
	go func() { defer r.wg.Done(); r.installLoop(ctx) }()
	return r, nil
}

// Pool returns the index the replica serves.
func (r *Replica) Pool() *Pool { return r.pool }

// Forwarder returns the forwarder of the replica's writes.
func (r *Replica) Forwarder() *Forwarder { return r.fwd }

// Close stops following, closes the connection and the served generation.
// Call it after the HTTP server has finished its requests.
func (r *Replica) Close() {
	r.stop()
	r.wg.Wait()
	r.nc.Close()
	r.closeServed()
}

func (r *Replica) closeServed() {
	if ix, _ := r.pool.Current(); ix != nil {
		ix.Close()
	}
}

// openLocal serves the current generation of dir, if it opens and verifies,
// and removes every other generation (left by an install that was cut
// off, or retired without being deleted).
func (r *Replica) openLocal() error {
	ix, err := index.Open(r.dir)
	switch {
	case errors.Is(err, index.ErrNoIndex):
		r.log.Info("no local generation yet: waiting for the writer's", "dir", r.dir)
		index.RemoveGenerationsExcept(r.dir, "")
		return nil
	case errors.Is(err, index.ErrLocked):
		return err
	case err != nil:
		r.log.Warn("the local generation does not open; waiting for the writer's", "dir", r.dir, "error", err.Error())
		index.RemoveGenerationsExcept(r.dir, "")
		return nil
	}
	if err := ix.Verify(context.Background()); err != nil {
		ix.Close()
		r.log.Warn("the local generation does not verify; waiting for the writer's", "dir", r.dir, "error", err.Error())
		return nil
	}
	g := readDescriptor(ix.Dir())
	index.RemoveGenerationsExcept(r.dir, ix.Dir())
	r.pool.Swap(ix, g)
	name := filepath.Base(ix.Dir())
	if g != nil {
		name = g.Name
	}
	r.log.Info("serving the local generation", "generation", name, "reports", ix.Manifest().Reports, "paragraphs", ix.Manifest().Paragraphs)
	r.once.Do(func() { r.serving(r) })
	return nil
}

// retire closes a generation no request uses any more and deletes it.
func (r *Replica) retire(ix *index.Index, _ *Generation) {
	dir := ix.Dir()
	ix.Close()
	if cur, _ := r.pool.Current(); cur == nil || cur.Dir() != dir {
		os.RemoveAll(dir)
	}
}

// watch follows KeyCurrent while connected, binding again after any error.
func (r *Replica) watch(ctx context.Context) {
	for ctx.Err() == nil {
		err := r.watchOnce(ctx)
		if err != nil && ctx.Err() == nil && r.nc.IsConnected() {
			r.mu.Lock()
			if r.watchErr != err.Error() {
				r.log.Warn("cannot watch the published generation; retrying", "error", err.Error())
			}
			r.watchErr = err.Error()
			r.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryWait):
		}
	}
}

func (r *Replica) watchOnce(ctx context.Context) error {
	if !r.nc.IsConnected() {
		return errors.New("not connected")
	}
	js, err := jetstream.New(r.nc)
	if err != nil {
		return err
	}
	kv, err := js.KeyValue(ctx, BucketKV)
	if err != nil {
		return fmt.Errorf("key-value bucket %s: %w (has a writer published yet?)", BucketKV, err)
	}
	files, err := js.ObjectStore(ctx, BucketFiles)
	if err != nil {
		return fmt.Errorf("object store %s: %w", BucketFiles, err)
	}
	w, err := kv.Watch(ctx, KeyCurrent)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.files = files
	r.watchErr = ""
	r.mu.Unlock()
	defer w.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the watch ended")
			}
			if e != nil && e.Operation() == jetstream.KeyValuePut {
				r.offer(e.Value())
			}
		case <-poll.C:
			e, err := kv.Get(ctx, KeyCurrent)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			r.offer(e.Value())
		}
	}
}

// offer notes a value of KeyCurrent (nil: none, just look again) and wakes
// the installer.
func (r *Replica) offer(raw []byte) {
	if raw != nil {
		g, err := DecodeGeneration(raw)
		r.mu.Lock()
		if err != nil {
			sum := sha256.Sum256(raw)
			if key := hex.EncodeToString(sum[:]); !r.refused[key] {
				r.refused[key] = true
				r.refusals++
				r.lastErr = "refused: " + err.Error()
				r.log.Error("refusing the published generation", "error", err.Error())
			}
		} else if r.latest == nil || r.latest.Checksum != g.Checksum {
			r.latest = g
			if _, served := r.pool.Current(); (served == nil || served.Checksum != g.Checksum) && r.behind.IsZero() {
				r.behind = time.Now()
			}
		}
		r.mu.Unlock()
	}
	select {
	case r.offered <- struct{}{}:
	default:
	}
}

// refuseAfter is how many times a generation must fail verification before
// it is refused for good: a transfer that went wrong under load looks like
// a corrupted object once, a corrupted object does every time.
var refuseAfter = 3

// installLoop installs the latest generation whenever it is not the one
// served. Transient failures are retried; a generation that does not
// verify refuseAfter times is refused for good, and the replica stays on
// its generation.
func (r *Replica) installLoop(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.offered:
		case <-retry.C:
		}
		r.mu.Lock()
		g := r.latest
		_, served := r.pool.Current()
		skip := g == nil || r.refused[g.Checksum] || (served != nil && served.Checksum == g.Checksum)
		if g != nil && served != nil && served.Checksum == g.Checksum {
			r.behind = time.Time{}
			r.upToDate++
		}
		r.mu.Unlock()
		if skip {
			continue
		}
		start := time.Now()
		err := r.install(ctx, g)
		refused := false
		r.mu.Lock()
		switch {
		case err == nil:
			r.installed++
			r.lastErr = ""
			delete(r.failed, g.Checksum)
			if r.latest.Checksum == g.Checksum {
				r.behind = time.Time{}
			}
		case ctx.Err() != nil:
		case refusal(err):
			r.failed[g.Checksum]++
			if refused = r.failed[g.Checksum] >= refuseAfter; refused {
				r.refused[g.Checksum] = true
				r.refusals++
				r.lastErr = "refused " + g.Name + ": " + err.Error()
			} else {
				r.lastErr = fmt.Sprintf("%s does not verify (attempt %d of %d): %v", g.Name, r.failed[g.Checksum], refuseAfter, err)
			}
		default:
			r.lastErr = g.Name + ": " + err.Error()
		}
		r.mu.Unlock()
		switch {
		case err == nil:
			r.log.Info("installed", "generation", g.Name, "reports", g.Manifest.Reports, "paragraphs", g.Manifest.Paragraphs,
				"ms", ms(time.Since(start)), "behind_ms", ms(time.Since(g.Published)))
			r.once.Do(func() { r.serving(r) })
		case ctx.Err() != nil:
			return
		case refused:
			r.log.Error("refusing the published generation; serving the one before", "generation", g.Name, "error", err.Error())
		default:
			r.log.Warn("cannot install the published generation yet; retrying", "generation", g.Name, "error", err.Error())
			retry.Reset(retryWait)
		}
	}
}

// refusal reports whether err means the generation itself is bad rather
// than the way to it.
func refusal(err error) bool {
	return errors.Is(err, errMismatch) || errors.Is(err, index.ErrStale) || errors.Is(err, jetstream.ErrDigestMismatch)
}

// install downloads g into a new generation of the replica's directory,
// verifies it and swaps it in.
func (r *Replica) install(ctx context.Context, g *Generation) error {
	r.mu.Lock()
	files := r.files
	r.mu.Unlock()
	if files == nil {
		return errors.New("not bound to the object store yet")
	}
	// Segment files are immutable: one the served generation already has
	// is linked, not downloaded again.
	reuse := map[string]string{}
	if cur, served := r.pool.Current(); cur != nil && served != nil {
		for _, f := range served.Files {
			if isSegment(f.Path) {
				reuse[f.SHA256] = filepath.Join(cur.BleveDir(), filepath.FromSlash(f.Path))
			}
		}
	}
	fill := func(bleveDir string) error {
		linked := map[string]bool{}
		for _, f := range g.Files {
			dst := filepath.Join(bleveDir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if src, ok := reuse[f.SHA256]; ok && isSegment(f.Path) && os.Link(src, dst) == nil {
				linked[f.Path] = true
				continue
			}
			if err := download(ctx, files, f, dst); err != nil {
				return err
			}
		}
		if err := syncTree(bleveDir); err != nil {
			return err
		}
		// Exactly the published files, each downloaded one checked again
		// as it lies on disk.
		return verifyFiles(bleveDir, g, linked)
	}
	accept := func(ix *index.Index) error {
		if err := sameManifest(g.Manifest, ix.Manifest()); err != nil {
			return err
		}
		if err := ix.Verify(ctx); err != nil {
			return err
		}
		return writeDescriptor(ix.Dir(), g)
	}
	ix, err := index.AddGeneration(r.dir, int(g.Seq), fill, accept)
	if err != nil {
		return err
	}
	r.pool.Swap(ix, g)
	return nil
}

// download writes the object of f to dst and checks its size and checksum.
func download(ctx context.Context, files jetstream.ObjectStore, f File, dst string) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = readObject(ctx, files, f, out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// readObject copies the object of f to w and checks that it holds f's
// size and checksum (errMismatch otherwise).
func readObject(ctx context.Context, files jetstream.ObjectStore, f File, w io.Writer) error {
	// Without a deadline the client gives a whole object 5 s; with one,
	// every step waits for it, the consumer's creation included. So the
	// deadline is generous, and a transfer that goes stallLimit without
	// progress, from its start, is cut off.
	ctx, cancel := context.WithTimeout(ctx, transferTime(f.Size))
	defer cancel()
	src := &watchedReader{last: time.Now()}
	stalled := src.watch(cancel)
	res, err := files.Get(ctx, f.ObjectName())
	if err != nil {
		if stalled() {
			err = fmt.Errorf("no answer for %s", stallLimit)
		}
		return fmt.Errorf("file %s: %w", f.Path, err)
	}
	src.setSource(res)
	defer res.Close()
	h := sha256.New()
	// One byte more than listed shows an object that is too long.
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(src, f.Size+1))
	if stalled() {
		err = fmt.Errorf("no data for %s", stallLimit)
	}
	if err != nil {
		return fmt.Errorf("file %s: %w", f.Path, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != f.Size || sum != f.SHA256 {
		return fmt.Errorf("file %s: the object holds %d bytes with SHA-256 %s, the generation lists %d bytes with %s: %w", f.Path, n, sum, f.Size, f.SHA256, errMismatch)
	}
	return nil
}

// stallLimit is how long a download may go without data.
const stallLimit = 10 * time.Second

// transferTime bounds the transfer of size bytes: a floor plus 1 MB/s,
// far below what a LAN does; stalls are caught sooner (stallLimit).
func transferTime(size int64) time.Duration {
	return 5*time.Minute + time.Duration(size/(1<<20))*time.Second
}

// watchedReader reads an object and notes when data last arrived.
type watchedReader struct {
	mu   sync.Mutex
	src  io.ReadCloser // nil until the object is open
	last time.Time
}

func (w *watchedReader) setSource(src io.ReadCloser) {
	w.mu.Lock()
	w.src = src
	w.last = time.Now()
	w.mu.Unlock()
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.mu.Lock()
	src := w.src
	w.mu.Unlock()
	n, err := src.Read(p)
	if n > 0 {
		w.mu.Lock()
		w.last = time.Now()
		w.mu.Unlock()
	}
	return n, err
}

// watch cancels the transfer (cancel, and closing the object, which a
// blocked read does not notice otherwise) once nothing has happened for
// stallLimit; the returned function stops watching and reports whether it
// did.
func (w *watchedReader) watch(cancel context.CancelFunc) (stop func() bool) {
	done := make(chan struct{})
	var once sync.Once
	var aborted atomic.Bool
	go func() {
		tick := time.NewTicker(stallLimit / 10)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				w.mu.Lock()
				idle, src := time.Since(w.last), w.src
				w.mu.Unlock()
				if idle > stallLimit {
					aborted.Store(true)
					cancel()
					if src != nil {
						_ = src.Close()
					}
					return
				}
			}
		}
	}()
	return func() bool {
		once.Do(func() { close(done) })
		return aborted.Load()
	}
}

// syncTree flushes the directories below root, so that the files' names
// survive a power cut as their contents do.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// Status reports the replica's replication state.
func (r *Replica) Status() web.Replication {
	_, served := r.pool.Current()
	r.mu.Lock()
	defer r.mu.Unlock()
	st := web.Replication{
		Role:      RoleReplica,
		NATS:      natsState(r.nc),
		Error:     cmp.Or(r.lastErr, r.watchErr),
		Installed: r.installed,
		Refused:   r.refusals,
		Forwarded: r.fwd.Count(),
	}
	if served != nil {
		st.Generation, st.Seq = served.Name, served.Seq
	}
	if l := r.latest; l != nil && (served == nil || served.Checksum != l.Checksum) {
		st.Lag = 1
		if served != nil && l.Seq > served.Seq {
			st.Lag = int(l.Seq - served.Seq)
		}
		if !r.behind.IsZero() {
			st.LagSeconds = time.Since(r.behind).Seconds()
		}
	}
	return st
}
