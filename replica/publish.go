package replica

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"govsearch/index"
	"govsearch/web"
)

// Publisher publishes the writer's index after every committed write (see
// the package comment). One goroutine publishes; writes that commit while
// it runs are published together by the next round.
type Publisher struct {
	cfg  Config
	ix   *index.Index
	root string // the index directory: staging copies go here
	nc   *nats.Conn
	log  *slog.Logger

	kick chan struct{}

	mu           sync.Mutex
	commits      uint64        // writes committed so far
	attempted    uint64        // commits covered by the last round, done or failed
	published    uint64        // commits covered by the last publication
	firstPending time.Time     // when the oldest unpublished commit was made
	changed      chan struct{} // closed and replaced after each round
	last         *Generation   // the generation in KeyCurrent this writer knows of
	rev          uint64        // KeyCurrent's revision when this writer last set or adopted it
	cleaned      bool          // orphaned chunks of dead writers purged
	lastErr      string
	rounds       uint64 // publications made
	failures     uint64
	forwarded    uint64 // writes answered for replicas
	lastCost     PublishCost
	known        map[string]File // segment files of the last publication (see staging)
	verified     map[string]bool // checksums of objects read back whole by this process

	stores *stores
}

// PublishCost is what one publication took.
type PublishCost struct {
	Copy, Hash, Upload, Commit time.Duration // copy of the index, checksums, object uploads, setting KeyCurrent
	Files, Sent                int           // files in the generation, files uploaded
	Bytes, SentBytes           int64         // bytes in the generation, bytes uploaded
}

// stores are the JetStream buckets the writer uses, bound once they exist.
type stores struct {
	js    jetstream.JetStream
	kv    jetstream.KeyValue
	files jetstream.ObjectStore
}

// NewPublisher returns the publisher of ix, whose index directory is root,
// over the connection nc. Run starts it.
func NewPublisher(cfg Config, nc *nats.Conn, ix *index.Index, root string) *Publisher {
	return &Publisher{
		cfg: cfg, ix: ix, root: root, nc: nc, log: cfg.logger(),
		kick:     make(chan struct{}, 1),
		changed:  make(chan struct{}),
		verified: map[string]bool{},
	}
}

// Kick asks for a publication round (after a reconnect, say).
func (p *Publisher) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// retryWait is the pause before a failed publication or install is tried
// again; publications that keep failing wait longer, up to maxRetryWait.
const (
	retryWait    = time.Second
	maxRetryWait = 30 * time.Second
)

// Run publishes until ctx ends: once at start, when the generation in NATS
// is not the index's state, and after every Committed. A failed round is
// retried after retryWait, doubled after each further failure.
func (p *Publisher) Run(ctx context.Context) {
	p.removeStaleStaging()
	retry := time.NewTimer(0)
	defer retry.Stop()
	wait := retryWait
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		case <-retry.C:
		}
		p.mu.Lock()
		target := p.commits
		need := p.last == nil || target != p.published
		p.mu.Unlock()
		if !need || !p.nc.IsConnected() {
			continue // a reconnect kicks again
		}
		start := time.Now()
		cost, err := p.publish(ctx)
		p.mu.Lock()
		p.attempted = target
		if err != nil {
			p.failures++
			p.lastErr = err.Error()
		} else {
			p.published = target
			p.lastErr = ""
			p.lastCost = cost
			// Writes committed during the round are after its copy began.
			p.firstPending = time.Time{}
			if p.commits != target {
				p.firstPending = start
			}
		}
		close(p.changed)
		p.changed = make(chan struct{})
		again := p.commits != p.published
		p.mu.Unlock()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			p.log.Warn("publishing the index failed; retrying", "error", err.Error(), "retry_in", wait.String())
			retry.Reset(wait)
			wait = min(2*wait, maxRetryWait)
			continue
		case again:
			p.Kick()
		}
		wait = retryWait
	}
}

// Committed records a committed write and waits, at most wait, until a
// publication round has covered it (done or failed); it does not wait
// while NATS is unreachable. The write stands whatever happens here: a
// round that failed is retried in the background.
func (p *Publisher) Committed(ctx context.Context, wait time.Duration) {
	p.mu.Lock()
	p.commits++
	n := p.commits
	if p.firstPending.IsZero() {
		p.firstPending = time.Now()
	}
	p.mu.Unlock()
	p.Kick()
	if wait <= 0 || !p.nc.IsConnected() {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		p.mu.Lock()
		done, ch := p.attempted >= n, p.changed
		p.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Status reports the writer's replication state.
func (p *Publisher) Status() web.Replication {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := web.Replication{
		Role:      RoleWriter,
		Lag:       int(p.commits - p.published),
		NATS:      natsState(p.nc),
		Error:     p.lastErr,
		Installed: p.rounds,
		Refused:   p.failures,
		Forwarded: p.forwarded,
	}
	if p.last != nil {
		r.Generation, r.Seq = p.last.Name, p.last.Seq
	}
	if r.Lag > 0 && !p.firstPending.IsZero() {
		r.LagSeconds = time.Since(p.firstPending).Seconds()
	}
	return r
}

// LastCost returns what the last publication took.
func (p *Publisher) LastCost() PublishCost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastCost
}

// countForwarded counts a write answered for a replica.
func (p *Publisher) countForwarded() {
	p.mu.Lock()
	p.forwarded++
	p.mu.Unlock()
}

// stagingPrefix names the temporary copies in the index directory.
const stagingPrefix = ".publish-"

// removeStaleStaging deletes copies a killed writer left behind.
func (p *Publisher) removeStaleStaging() {
	old, _ := filepath.Glob(filepath.Join(p.root, stagingPrefix+"*"))
	for _, d := range old {
		os.RemoveAll(d)
	}
}

// bind creates or binds the buckets. The writer creates them with the
// configured replication; a bucket that exists is used as it is.
func (p *Publisher) bind(ctx context.Context) (*stores, error) {
	if p.stores != nil {
		return p.stores, nil
	}
	js, err := jetstream.New(p.nc)
	if err != nil {
		return nil, err
	}
	s := &stores{js: js}
	if s.kv, err = js.KeyValue(ctx, BucketKV); errors.Is(err, jetstream.ErrBucketNotFound) {
		s.kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: BucketKV, Description: "govsearch: the published index generation",
			History: 8, Replicas: p.cfg.Replicas, Storage: jetstream.FileStorage,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %s: %w", BucketKV, hintReplicas(err, p.cfg.Replicas))
	}
	if s.files, err = bindObjects(ctx, js, jetstream.ObjectStoreConfig{
		Bucket: BucketFiles, Description: "govsearch: index generation files by SHA-256",
		Replicas: p.cfg.Replicas, Storage: jetstream.FileStorage,
	}); err != nil {
		return nil, hintReplicas(err, p.cfg.Replicas)
	}
	// Replicas put large forwarded bodies here; one that nobody collected
	// (its writer died) expires.
	if _, err = bindObjects(ctx, js, jetstream.ObjectStoreConfig{
		Bucket: BucketForward, Description: "govsearch: bodies of large forwarded writes",
		Replicas: p.cfg.Replicas, Storage: jetstream.FileStorage, TTL: time.Hour,
	}); err != nil {
		return nil, hintReplicas(err, p.cfg.Replicas)
	}
	p.stores = s
	return s, nil
}

// bindObjects binds an object store, creating it when it does not exist.
func bindObjects(ctx context.Context, js jetstream.JetStream, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	o, err := js.ObjectStore(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		o, err = js.CreateObjectStore(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", cfg.Bucket, err)
	}
	return o, nil
}

// hintReplicas adds the likely cause to JetStream's answer when a bucket
// asks for more replicas than the cluster has servers.
func hintReplicas(err error, replicas int) error {
	if strings.Contains(err.Error(), "insufficient resources") || strings.Contains(err.Error(), "replicas") {
		return fmt.Errorf("%w (the buckets ask for %d replicas: the cluster needs that many JetStream servers; see --nats-replicas)", err, replicas)
	}
	return err
}

// publish makes one publication of the index's committed state.
func (p *Publisher) publish(ctx context.Context) (PublishCost, error) {
	var cost PublishCost
	s, err := p.bind(ctx)
	if err != nil {
		return cost, err
	}
	prev, prevRev, err := p.current(ctx, s)
	if err != nil {
		return cost, err
	}
	p.mu.Lock()
	mine := p.rev
	p.mu.Unlock()
	if mine != 0 && prevRev != mine && prev != nil && prev.Writer != p.cfg.Name {
		p.log.Warn("the published generation was set by another process: is a second writer running?", "generation", prev.Name, "by", prev.Writer)
	}
	if !p.cleaned {
		if err := p.purgeOrphans(ctx, s); err != nil {
			p.log.Warn("cannot purge the chunks of unfinished uploads", "error", err.Error())
		}
		p.cleaned = true
	}

	dir, err := os.MkdirTemp(p.root, stagingPrefix)
	if err != nil {
		return cost, err
	}
	defer os.RemoveAll(dir)
	stage := newStaging(dir, p.known)
	t := time.Now()
	man, err := p.ix.CopyCommitted(stage)
	if err != nil {
		return cost, err
	}
	cost.Copy = time.Since(t)
	t = time.Now()
	files, segments, err := stage.files()
	if err != nil {
		p.known = nil
		return cost, err
	}
	cost.Hash = time.Since(t)
	cost.Files = len(files)
	for _, f := range files {
		cost.Bytes += f.Size
	}

	p.mu.Lock()
	adopt := p.last == nil && prev != nil && prev.Manifest == man && sameSegments(prev.Files, files)
	if adopt {
		// A restarted writer whose index is what NATS already holds.
		p.last, p.rev = prev, prevRev
	}
	p.mu.Unlock()
	if adopt {
		p.known = segments
		p.log.Info("the published generation is this index's state", "generation", prev.Name)
		return cost, nil
	}

	var seq uint64 = 1
	switch {
	case prev != nil:
		seq = prev.Seq + 1
	case prevRev != 0:
		seq = prevRev + 1 // an unreadable value still numbers the next one
	}
	g := &Generation{Name: genName(seq), Seq: seq, Manifest: man, Files: files, Writer: p.cfg.Name, Published: time.Now().UTC()}
	if err := g.Seal(); err != nil {
		return cost, err
	}

	t = time.Now()
	// Largest first: a killed writer leaves the most behind unpublished.
	order := slices.Clone(files)
	slices.SortStableFunc(order, func(a, b File) int { return cmp.Compare(b.Size, a.Size) })
	for _, f := range order {
		if stage.wasSkipped(f.Path) {
			// Published before: its object must still be there.
			if err := haveObject(ctx, s.files, f); err != nil {
				p.known = nil // the next round copies and sends everything
				return cost, err
			}
			continue
		}
		sent, err := p.putFile(ctx, s.files, filepath.Join(dir, filepath.FromSlash(f.Path)), f)
		if err != nil {
			return cost, fmt.Errorf("uploading %s: %w", f.Path, err)
		}
		if sent {
			cost.Sent++
			cost.SentBytes += f.Size
		}
	}
	cost.Upload = time.Since(t)

	t = time.Now()
	raw, err := json.Marshal(g)
	if err != nil {
		return cost, err
	}
	var rev uint64
	if prevRev == 0 {
		rev, err = s.kv.Create(ctx, KeyCurrent, raw)
	} else {
		rev, err = s.kv.Update(ctx, KeyCurrent, raw, prevRev)
	}
	if err != nil {
		return cost, fmt.Errorf("setting %s/%s: %w", BucketKV, KeyCurrent, err)
	}
	cost.Commit = time.Since(t)
	p.mu.Lock()
	p.last, p.rev = g, rev
	p.rounds++
	p.mu.Unlock()
	p.known = segments

	if err := p.collect(ctx, s, g, prev); err != nil {
		p.log.Warn("cannot delete the files of old generations", "error", err.Error())
	}
	p.log.Info("published", "generation", g.Name, "reports", man.Reports, "paragraphs", man.Paragraphs,
		"files", cost.Files, "bytes", cost.Bytes, "files_sent", cost.Sent, "bytes_sent", cost.SentBytes,
		"copy_ms", ms(cost.Copy), "hash_ms", ms(cost.Hash), "upload_ms", ms(cost.Upload), "commit_ms", ms(cost.Commit))
	return cost, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// current reads KeyCurrent: the generation (nil when absent or unreadable)
// and its revision (0 when absent).
func (p *Publisher) current(ctx context.Context, s *stores) (*Generation, uint64, error) {
	e, err := s.kv.Get(ctx, KeyCurrent)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s/%s: %w", BucketKV, KeyCurrent, err)
	}
	g, err := DecodeGeneration(e.Value())
	if err != nil {
		p.log.Warn("the published generation is unreadable; publishing over it", "error", err.Error())
		return nil, e.Revision(), nil
	}
	return g, e.Revision(), nil
}

// sameSegments reports whether two file lists have the same segment files
// (name and size). Segment files are immutable and their names are not
// reused by one index, so with equal manifests the generations hold the
// same documents; the bolt root differs in every copy (it records when the
// copy was made).
func sameSegments(a, b []File) bool {
	seg := func(fs []File) []File {
		var out []File
		for _, f := range fs {
			if strings.HasSuffix(f.Path, ".zap") {
				out = append(out, File{Path: f.Path, Size: f.Size})
			}
		}
		return out
	}
	return slices.Equal(seg(a), seg(b))
}

// objectDigest is the digest the object store records for content with
// the hex SHA-256 sum.
func objectDigest(sum string) string {
	b, err := hex.DecodeString(sum)
	if err != nil {
		return ""
	}
	return "SHA-256=" + base64.URLEncoding.EncodeToString(b)
}

// haveObject checks that the object store holds f's exact content.
func haveObject(ctx context.Context, o jetstream.ObjectStore, f File) error {
	info, err := o.GetInfo(ctx, f.ObjectName())
	if err == nil && (info.Deleted || info.Size != uint64(f.Size) || info.Digest != objectDigest(f.SHA256)) {
		err = jetstream.ErrObjectNotFound
	}
	if err != nil {
		return fmt.Errorf("segment %s, published before, is not in the object store as it was: %w", f.Path, err)
	}
	return nil
}

// putAttempts bounds the uploads of one file in one publication.
const putAttempts = 3

// putFile makes sure the object store holds f's exact content: it uploads
// the file unless an object of that name was read back whole before, and
// reads back what it uploaded. An object's recorded digest is not enough:
// the client computes it from what it sent, and when a stream changes
// leader the client resends a chunk that got no answer after the chunks
// behind it, so the stored object can be scrambled under a correct digest.
func (p *Publisher) putFile(ctx context.Context, o jetstream.ObjectStore, path string, f File) (sent bool, err error) {
	if p.verified[f.SHA256] {
		if err := haveObject(ctx, o, f); err == nil {
			return false, nil
		}
	}
	for range putAttempts {
		info, err := o.GetInfo(ctx, f.ObjectName())
		if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return sent, err
		}
		if err != nil || info.Deleted || info.Size != uint64(f.Size) || info.Digest != objectDigest(f.SHA256) {
			if err := putObject(ctx, o, path, f); err != nil {
				return sent, err
			}
			sent = true
		}
		err = readBack(ctx, o, f)
		if err == nil {
			p.verified[f.SHA256] = true
			return sent, nil
		}
		if !refusal(err) {
			return sent, err
		}
		p.log.Warn("an uploaded file reads back wrong; uploading it again", "file", f.Path, "error", err.Error())
		if err := o.Delete(ctx, f.ObjectName()); err != nil {
			return sent, err
		}
	}
	return sent, fmt.Errorf("file %s read back wrong %d times", f.Path, putAttempts)
}

// readBack reads f's object and checks it. A read may be answered by a
// server that has not applied the upload yet (JetStream lets followers
// answer direct gets): an object not found yet is read again a few times.
func readBack(ctx context.Context, o jetstream.ObjectStore, f File) error {
	var err error
	for wait := 100 * time.Millisecond; wait < 2*time.Second; wait *= 2 {
		if err = readObject(ctx, o, f, io.Discard); !errors.Is(err, jetstream.ErrObjectNotFound) {
			return err
		}
		time.Sleep(wait)
	}
	return err
}

// putObject uploads the file at path as f's object.
func putObject(ctx context.Context, o jetstream.ObjectStore, path string, f File) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	// Without a deadline each chunk gets the client's timeout for its
	// acknowledgement, so a dead stream leader fails the upload in seconds.
	_, err = o.Put(ctx, jetstream.ObjectMeta{Name: f.ObjectName()}, r)
	return err
}

// collect deletes the file objects that neither g nor prev (which a replica
// may still be downloading) lists.
func (p *Publisher) collect(ctx context.Context, s *stores, g, prev *Generation) error {
	keep := map[string]bool{}
	for _, gen := range []*Generation{g, prev} {
		if gen != nil {
			for _, f := range gen.Files {
				keep[f.ObjectName()] = true
			}
		}
	}
	infos, err := s.files.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, info := range infos {
		if !keep[info.Name] && strings.HasPrefix(info.Name, "files/") {
			if err := s.files.Delete(ctx, info.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
				return err
			}
		}
	}
	return nil
}

// purgeOrphans removes chunks that no object owns: uploads of a writer
// killed half-way. Only the writer puts into BucketFiles, and it does not
// until this has run, so every unowned chunk is an orphan.
func (p *Publisher) purgeOrphans(ctx context.Context, s *stores) error {
	infos, err := s.files.List(ctx, jetstream.ListObjectsShowDeleted())
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return err
	}
	owned := map[string]bool{}
	for _, info := range infos {
		if !info.Deleted {
			owned[info.NUID] = true
		}
	}
	stream, err := s.js.Stream(ctx, "OBJ_"+BucketFiles)
	if err != nil {
		return err
	}
	prefix := "$O." + BucketFiles + ".C."
	si, err := stream.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
	if err != nil {
		return err
	}
	purged := 0
	for subj := range si.State.Subjects {
		if nuid := strings.TrimPrefix(subj, prefix); !owned[nuid] {
			if err := stream.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
				return err
			}
			purged++
		}
	}
	if purged > 0 {
		p.log.Info("purged unfinished uploads", "objects", purged)
	}
	return nil
}
