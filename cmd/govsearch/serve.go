package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"govsearch"
	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/cli"
	"govsearch/replica"
	"govsearch/web"
)

func init() {
	register(command{
		name:    "serve",
		summary: "run the web UI and JSON API (the default index starts as the embedded seeds)",
		run:     runServe,
	})
}

// serveConfig is everything `govsearch serve` needs; Serve takes it so that
// tests run the real server without flags or environment.
type serveConfig struct {
	IndexDir string // "" means defaultIndexDir()
	// Seed builds the embedded seed corpus into IndexDir when it holds no
	// index. The default directory is seeded without it.
	Seed           bool
	Addr           string // host:port; port 0 picks a free port
	AdminKey       string
	SearchKey      string
	TrustedProxies []string
	PublicURL      string // web.Options.PublicURL, checked by web.CheckPublicURL
	Logger         *slog.Logger
	// Admission bounds; zero values take web's defaults.
	MaxSearches int
	MaxHeavy    int

	// Server timeouts; zero values take the defaults below.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration

	// NATS, when set, replicates through NATS JetStream in its role
	// (serve_nats.go); PublishWait bounds a writer's wait for a publication.
	NATS        *replica.Config
	PublishWait time.Duration
}

// Server defaults. Reads allow a 20 MB upload over a slow link; writes
// allow a search plus a large page; exports extend their own deadline as
// they stream.
const (
	defaultAddr              = "127.0.0.1:8080"
	defaultReadHeaderTimeout = 5 * time.Second
	defaultReadTimeout       = 60 * time.Second
	defaultWriteTimeout      = 60 * time.Second
	defaultIdleTimeout       = 120 * time.Second
	defaultShutdownTimeout   = 10 * time.Second
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch serve [--index DIR [--seed]] [--addr HOST:PORT] [--admin-key KEY] [--trusted-proxies CIDRS]\n"+
			"                      [--nats URL[,URL...] --role writer|replica]\n\n"+
			"Serves the web UI and the JSON API. --index DIR must hold an index built by\n"+
			"`govsearch index --index DIR PATH...`; with --seed, an empty DIR is first filled\n"+
			"with the embedded seed corpus. Without --index, the default directory is seeded\n"+
			"on first run. Keys also come from GOVSEARCH_ADMIN_KEY and GOVSEARCH_SEARCH_KEY\n"+
			"(prefer the environment: flags are visible to other users). With --nats, NATS\n"+
			"credentials come from GOVSEARCH_NATS_USER and GOVSEARCH_NATS_PASSWORD,\n"+
			"GOVSEARCH_NATS_TOKEN or GOVSEARCH_NATS_CREDS; see docs/deploy.md.\n\n")
		fs.PrintDefaults()
	}
	cfg := serveConfig{
		AdminKey:  os.Getenv("GOVSEARCH_ADMIN_KEY"),
		SearchKey: os.Getenv("GOVSEARCH_SEARCH_KEY"),
	}
	var proxies string
	fs.StringVar(&cfg.IndexDir, "index", "", "index directory (default $GOVSEARCH_INDEX, else the user cache dir's govsearch/index)")
	fs.BoolVar(&cfg.Seed, "seed", false, "build the embedded seed corpus into --index DIR when it holds no index")
	fs.StringVar(&cfg.Addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&cfg.AdminKey, "admin-key", cfg.AdminKey, "admin key for the write routes (default $GOVSEARCH_ADMIN_KEY; none: write routes off)")
	fs.StringVar(&proxies, "trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is trusted")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the address readers reach this server at (https://reports.example.org): links in API answers and downloads become absolute")
	fs.IntVar(&cfg.MaxSearches, "max-searches", web.DefaultMaxSearches(), "concurrent searches and lookups; beyond them requests get 503 overloaded")
	fs.IntVar(&cfg.MaxHeavy, "max-heavy", web.DefaultMaxHeavy(), "concurrent trend, diffusion, concordance, matrix and export requests; beyond them requests get 503 overloaded")
	var nf natsFlags
	nf.register(fs)
	if code, ok := cli.ParseFlags(fs, args); !ok {
		return code
	}
	nats, err := nf.config(fs)
	if err != nil {
		fmt.Fprintf(stderr, "govsearch serve: %v\n", err)
		return 2
	}
	cfg.NATS, cfg.PublishWait = nats, nf.publishWait
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "govsearch serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	for p := range strings.SplitSeq(proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	if err := web.CheckProxies(cfg.TrustedProxies); err != nil {
		fmt.Fprintf(stderr, "govsearch serve: --trusted-proxies: %v\n", err)
		return 2
	}
	if cfg.PublicURL, err = web.CheckPublicURL(cfg.PublicURL); err != nil {
		fmt.Fprintf(stderr, "govsearch serve: --public-url: %v\n", err)
		return 2
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	err = Serve(ctx, cfg, func(addr string) {
		fmt.Fprintf(stdout, "govsearch: serving on http://%s/\n", addr)
	})
	if err != nil {
		fmt.Fprintf(stderr, "govsearch serve: %v\n", err)
		return 1
	}
	return 0
}

// defaultIndexDir is $GOVSEARCH_INDEX, else govsearch/index in the user's
// cache directory (the index can always be rebuilt), else ./govsearch-index.
func defaultIndexDir() string {
	if d := os.Getenv("GOVSEARCH_INDEX"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "govsearch", "index")
	}
	return "govsearch-index"
}

// Serve listens on cfg.Addr, calls ready with the bound address, opens (or
// first builds) the index, and serves until ctx ends; then it shuts down
// gracefully and closes the index. Until the index is open, /healthz
// answers, /readyz and the API answer 503.
func Serve(ctx context.Context, cfg serveConfig, ready func(addr string)) error {
	// Only the default directory is serve's own to fill: an explicit one that
	// holds no index is more likely a mistyped path than a wish for seeds.
	isDefault := cfg.IndexDir == ""
	// A replica's index is the writer's: it never builds one.
	seed := (cfg.Seed || isDefault) && !cfg.isReplica()
	cfg = cfg.withDefaults()
	log := cfg.Logger
	if cfg.AdminKey != "" && cfg.AdminKey == cfg.SearchKey {
		return errors.New("the admin key and the search key must differ")
	}
	if !seed && !cfg.isReplica() {
		// A directory that does not exist cannot hold an index: say so
		// before listening rather than after.
		if _, err := os.Stat(cfg.IndexDir); errors.Is(err, os.ErrNotExist) {
			return noIndexError(cfg.IndexDir)
		}
	}
	// Searching never segments text; only uploads, a seed build and
	// /api/analyze do, and they load the dictionary on first use. A server
	// that accepts uploads loads it in the background now so the first
	// upload does not wait; a read-only server (a replica forwards its
	// uploads) is spared its memory (analyzer/README.md).
	if cfg.AdminKey != "" && !cfg.isReplica() {
		analyzer.Preload()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	opts := web.Options{
		AdminKey:       cfg.AdminKey,
		SearchKey:      cfg.SearchKey,
		TrustedProxies: cfg.TrustedProxies,
		PublicURL:      cfg.PublicURL,
		Logger:         log,
		MaxSearches:    cfg.MaxSearches,
		MaxHeavy:       cfg.MaxHeavy,
	}
	var handler atomic.Pointer[http.Handler]
	setHandler := func(h http.Handler) { handler.Store(&h) }
	setHandler(web.New(nil, opts))
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(*handler.Load()).ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// The handler refuses headers over web.DefaultMaxHeaderBytes with a
		// JSON 431; this larger bound only stops a client net/http would
		// otherwise read without end.
		MaxHeaderBytes: web.MaxHeaderReadBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "write_routes", cfg.AdminKey != "", "search_key", cfg.SearchKey != "")
	if ready != nil {
		ready(ln.Addr().String())
	}

	if cfg.isReplica() {
		rep, err := startReplica(cfg, opts, setHandler)
		if err != nil {
			shutdown(srv, cfg.ShutdownTimeout)
			return err
		}
		defer rep.Close()
		return serveUntilDone(ctx, cfg, ln.Addr(), srv, served)
	}
	ix, err := openOrBuild(ctx, cfg.IndexDir, seed, isDefault, log)
	if err != nil {
		shutdown(srv, cfg.ShutdownTimeout)
		if ctx.Err() != nil {
			return nil // interrupted while building: not a failure
		}
		return err
	}
	defer ix.Close()
	var searcher index.ReadWriter = ix
	if cfg.NATS != nil {
		w, err := startWriter(cfg, ix, srv.Handler)
		if err != nil {
			shutdown(srv, cfg.ShutdownTimeout)
			return err
		}
		defer w.Close()
		searcher, opts.Replication = w, w.Status
	}
	setHandler(web.New(searcher, opts))
	st := ix.Stats()
	log.Info("index open", "dir", cfg.IndexDir, "reports", st.Reports, "documents", st.Documents, "version", st.Version)
	return serveUntilDone(ctx, cfg, ln.Addr(), srv, served)
}

// serveUntilDone notes the server's address in the index directory and
// serves until ctx ends or the listener fails, then shuts down gracefully.
func serveUntilDone(ctx context.Context, cfg serveConfig, addr net.Addr, srv *http.Server, served <-chan error) error {
	log := cfg.Logger
	if remove, err := writeServing(cfg.IndexDir, addr); err != nil {
		log.Warn("cannot note the server's address in the index directory; `govsearch search` there will not find it", "error", err.Error())
	} else {
		defer remove()
	}

	select {
	case err := <-served:
		return err // the listener failed
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return shutdown(srv, cfg.ShutdownTimeout)
}

// servingFile, in an index directory, holds the address of the `govsearch
// serve` that has the index open, so that `govsearch search --index DIR`
// can ask it instead of failing on the lock.
const servingFile = "serving.json"

// serving is the content of servingFile.
type serving struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// writeServing records addr in dir's servingFile and returns the function
// that removes it again.
func writeServing(dir string, addr net.Addr) (func(), error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1" // listening on every interface: loopback is one
	}
	b, err := json.Marshal(serving{URL: "http://" + net.JoinHostPort(host, port), PID: os.Getpid()})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, servingFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return func() { os.Remove(path) }, nil
}

// shutdown stops accepting connections and waits for requests in flight.
func shutdown(srv *http.Server, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (c serveConfig) withDefaults() serveConfig {
	if c.IndexDir == "" {
		c.IndexDir = defaultIndexDir()
	}
	if c.Addr == "" {
		c.Addr = defaultAddr
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, defaultReadHeaderTimeout)
	def(&c.ReadTimeout, defaultReadTimeout)
	def(&c.WriteTimeout, defaultWriteTimeout)
	def(&c.IdleTimeout, defaultIdleTimeout)
	def(&c.ShutdownTimeout, defaultShutdownTimeout)
	return c
}

// noIndexError is the answer to `serve --index DIR` when DIR holds no index.
func noIndexError(dir string) error {
	return fmt.Errorf("no index in %s: build one with `govsearch index --index %s PATH...`, "+
		"or run `govsearch serve --index %s --seed` to serve the embedded seed reports there", dir, dir, dir)
}

// openOrBuild opens and verifies the index in dir (index.Refresh keeping
// a current index). When there is none yet and seed is set, it builds one
// from the embedded seed corpus, so that a first `govsearch serve` works on
// a fresh machine; without seed that is an error naming the command that
// builds one. A stale index (another analyzer or layout version, or
// contents that disagree with its manifest) at the default location, which
// only serve itself writes, is rebuilt the same way; anywhere else it is an
// error, because only the user knows what it was built from.
func openOrBuild(ctx context.Context, dir string, seed, isDefault bool, log *slog.Logger) (*index.Index, error) {
	seeds, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		return nil, err
	}
	building := false
	res, err := index.Refresh(ctx, dir, seeds, index.RefreshOptions{
		KeepCurrent: true,
		BeforeBuild: func(reason error) error {
			switch {
			case errors.Is(reason, index.ErrNoIndex) && !seed:
				return noIndexError(dir)
			case errors.Is(reason, index.ErrNoIndex):
				log.Info("no index yet: building one from the embedded seed corpus", "dir", dir)
			case isDefault:
				log.Warn("the index is stale: rebuilding it from the embedded seed corpus", "dir", dir, "reason", reason.Error())
			default:
				return fmt.Errorf("%w; rebuild it with `govsearch index --index %s PATH...`", reason, dir)
			}
			building = true
			return nil
		},
	})
	switch {
	case err != nil && building:
		return nil, fmt.Errorf("building the seed index: %w", err)
	case err != nil:
		return nil, err
	case res.Built:
		st := res.Stats
		for _, e := range st.Errors {
			log.Warn("seed file skipped", "error", e.Error())
		}
		log.Info("seed index built", "reports", st.Reports, "paragraphs", st.Paragraphs, "seconds", st.Elapsed.Seconds())
	}
	return res.Index, nil
}
