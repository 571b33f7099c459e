package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"govsearch/index"
	"govsearch/replica"
	"govsearch/web"
)

// natsFlags are serve's replication flags.
type natsFlags struct {
	urls, role         string
	ca, cert, key      string
	replicas           int
	publishWait        time.Duration
	setReplicas, setPW bool
}

func (f *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.urls, "nats", "", "comma-separated NATS server URLs (nats://host:4222 or tls://…); with --role, replicate through NATS JetStream (see docs/deploy.md)")
	fs.StringVar(&f.role, "role", "", "with --nats: writer (builds and takes uploads, publishes every generation) or replica (serves the writer's generations, forwards writes)")
	fs.StringVar(&f.ca, "nats-ca", "", "PEM file of the CA that signed the NATS servers' certificates (turns TLS on)")
	fs.StringVar(&f.cert, "nats-cert", "", "PEM client certificate for NATS servers that require one (with --nats-key)")
	fs.StringVar(&f.key, "nats-key", "", "PEM key of --nats-cert")
	fs.IntVar(&f.replicas, "nats-replicas", replica.DefaultReplicas, "writer: JetStream replicas of the buckets it creates (1 for a single NATS server)")
	fs.DurationVar(&f.publishWait, "publish-wait", replica.DefaultPublishWait, "writer: how long an upload or delete waits for its publication before it is answered")
}

// config returns the replication settings, nil for a server on its own.
// Credentials come from the environment (replica.EnvUser and the rest).
func (f *natsFlags) config(fs *flag.FlagSet) (*replica.Config, error) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "nats-replicas":
			f.setReplicas = true
		case "publish-wait":
			f.setPW = true
		}
	})
	if f.urls == "" {
		if f.role != "" || f.ca != "" || f.cert != "" || f.key != "" || f.setReplicas || f.setPW {
			return nil, errors.New("--role and the other NATS flags need --nats URL")
		}
		return nil, nil
	}
	if f.role == "" {
		return nil, errors.New("--nats needs --role writer or --role replica")
	}
	if f.role == replica.RoleReplica && (f.setReplicas || f.setPW) {
		return nil, errors.New("--nats-replicas and --publish-wait are the writer's; a replica takes them from the writer")
	}
	host, _ := os.Hostname()
	c := &replica.Config{
		URLs: replica.ParseURLs(f.urls), Role: f.role,
		CAFile: f.ca, CertFile: f.cert, KeyFile: f.key,
		Replicas: f.replicas,
		Name:     fmt.Sprintf("govsearch %s %s pid %d", f.role, host, os.Getpid()),
	}
	c.FromEnv()
	if err := c.Check(); err != nil {
		return nil, err
	}
	return c, nil
}

// isReplica reports whether cfg runs a read replica.
func (c serveConfig) isReplica() bool { return c.NATS != nil && c.NATS.Role == replica.RoleReplica }

// startWriter publishes ix and answers forwarded writes through handler;
// it returns what the server serves and its replication status.
func startWriter(cfg serveConfig, ix *index.Index, handler http.Handler) (*replica.Writer, error) {
	nc := *cfg.NATS
	nc.Logger = cfg.Logger.With("part", "replication")
	w, err := replica.StartWriter(nc, ix, cfg.IndexDir, handler, cfg.PublishWait)
	if err != nil {
		return nil, fmt.Errorf("replication: %w", err)
	}
	return w, nil
}

// startReplica serves the newest local generation at once (or 503 until
// the first download) and follows the writer; writes are forwarded.
func startReplica(cfg serveConfig, opts web.Options, setHandler func(http.Handler)) (*replica.Replica, error) {
	nc := *cfg.NATS
	log := cfg.Logger.With("part", "replication")
	nc.Logger = log
	var (
		mu     sync.Mutex
		served bool
	)
	serving := func(r *replica.Replica) {
		mu.Lock()
		defer mu.Unlock()
		served = true
		o := opts
		o.Replication = r.Status
		setHandler(r.Forwarder().Wrap(r.Pool().Pin(web.New(r.Pool(), o))))
	}
	rep, err := replica.StartReplica(nc, cfg.IndexDir, serving)
	if err != nil {
		return nil, fmt.Errorf("replication: %w", err)
	}
	mu.Lock()
	if !served {
		// Until the first generation arrives searches answer 503 and writes
		// are forwarded.
		setHandler(rep.Forwarder().Wrap(web.New(nil, opts)))
	}
	mu.Unlock()
	log.Info("following the writer", "nats", cfg.NATS.URLs, "dir", cfg.IndexDir)
	return rep, nil
}
