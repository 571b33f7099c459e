// Package replica replicates a govsearch index from one writer to read
// replicas through NATS JetStream, which supplies the durable, replicated
// storage, the change notification and the request routing; this package
// adds no protocol of its own beyond naming what it stores.
//
// After every committed write the writer copies its open index (see
// index.CopyCommitted), publishes the copy's files to the JetStream object
// store BucketFiles (one object per file, named by its SHA-256, so a file
// that did not change is not sent again) and then sets the key KeyCurrent
// of the key-value bucket BucketKV to a Generation: its name, the files with
// their checksums, the index manifest, and a checksum over all of it.
// Replicas watch that key, download a new generation into their own index
// directory, verify every checksum and the manifest, open it, and swap it in
// for new requests (Pool); the old one closes when its last request ends.
// Writes sent to a replica are forwarded to the writer over NATS
// request-reply (Forwarder, Answerer) and answered with the writer's answer.
//
// docs/deploy.md describes a deployment and what it guarantees.
package replica

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Names in NATS. The buckets are JetStream streams; the subject carries
// forwarded writes.
const (
	BucketKV      = "govsearch"       // key-value bucket holding KeyCurrent
	KeyCurrent    = "current"         // the published Generation
	BucketFiles   = "govsearch-index" // object store of generation files
	BucketForward = "govsearch-forward"
	SubjectWrite  = "govsearch.write" // forwarded writes, request-reply
)

// Roles.
const (
	RoleWriter  = "writer"
	RoleReplica = "replica"
)

// Environment variables that carry NATS credentials. Flags would show them
// to every user of the machine.
const (
	EnvUser     = "GOVSEARCH_NATS_USER"
	EnvPassword = "GOVSEARCH_NATS_PASSWORD"
	EnvToken    = "GOVSEARCH_NATS_TOKEN"
	EnvCreds    = "GOVSEARCH_NATS_CREDS" // path of a NATS .creds file (JWT and NKey seed)
)

// Config is how to reach NATS and in which role.
type Config struct {
	URLs []string // nats://host:port or tls://host:port, at least one
	Role string   // RoleWriter or RoleReplica

	// Credentials: a user and password, a token, or a .creds file; at most
	// one kind. FromEnv fills them from the environment.
	User, Password string
	Token          string
	CredsFile      string

	// TLS: CAFile verifies the servers (the system roots otherwise);
	// CertFile and KeyFile are a client certificate for servers that ask
	// for one. A tls:// URL or any of these turns TLS on.
	CAFile, CertFile, KeyFile string

	// Replicas is the JetStream replication factor of the buckets the
	// writer creates: 3 for a three-node cluster, 1 for a single server.
	Replicas int

	// Name identifies this process to NATS (monitoring) and in the
	// generations a writer publishes.
	Name string

	Logger *slog.Logger
}

// DefaultReplicas is the replication factor of a three-node cluster.
const DefaultReplicas = 3

// ParseURLs splits a comma-separated list of NATS server URLs.
func ParseURLs(s string) []string {
	var out []string
	for u := range strings.SplitSeq(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// FromEnv fills the credentials from the environment (EnvUser,
// EnvPassword, EnvToken, EnvCreds).
func (c *Config) FromEnv() {
	c.User, c.Password = os.Getenv(EnvUser), os.Getenv(EnvPassword)
	c.Token = os.Getenv(EnvToken)
	c.CredsFile = os.Getenv(EnvCreds)
}

// Check reports what is wrong with the configuration, naming the setting.
func (c *Config) Check() error {
	if len(c.URLs) == 0 {
		return errors.New("no NATS server URL given")
	}
	for _, u := range c.URLs {
		if !strings.Contains(u, "://") {
			return fmt.Errorf("NATS URL %q has no scheme: write nats://%s or tls://%s", u, u, u)
		}
	}
	if c.Role != RoleWriter && c.Role != RoleReplica {
		return fmt.Errorf("role %q: want %s or %s", c.Role, RoleWriter, RoleReplica)
	}
	kinds := 0
	if c.User != "" || c.Password != "" {
		kinds++
		if c.User == "" || c.Password == "" {
			return fmt.Errorf("set both %s and %s, or neither", EnvUser, EnvPassword)
		}
	}
	if c.Token != "" {
		kinds++
	}
	if c.CredsFile != "" {
		kinds++
	}
	if kinds > 1 {
		return fmt.Errorf("set only one kind of NATS credentials: %s/%s, %s or %s", EnvUser, EnvPassword, EnvToken, EnvCreds)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return errors.New("a NATS client certificate needs both its certificate and its key file")
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		return fmt.Errorf("NATS replicas %d: JetStream allows 1 to 5", c.Replicas)
	}
	return nil
}

// Connect opens the connection to NATS. It returns at once even when no
// server is reachable yet: the client keeps trying, for ever, and so does
// every reconnection, because a replica must serve what it has meanwhile.
// onChange is called on every connect and disconnect.
func (c *Config) Connect(onChange func(connected bool)) (*nats.Conn, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	log := c.logger()
	opts := []nats.Option{
		nats.Name(c.Name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		// A dead server is noticed within a few seconds even when its
		// socket stays open (a host gone, not a process).
		nats.PingInterval(2 * time.Second),
		nats.MaxPingsOutstanding(2),
		nats.ConnectHandler(func(nc *nats.Conn) {
			log.Info("nats connected", "server", nc.ConnectedUrlRedacted())
			onChange(true)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", "server", nc.ConnectedUrlRedacted())
			onChange(true)
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "error", err.Error())
			} else {
				log.Warn("nats disconnected")
			}
			onChange(false)
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Warn("nats error", "subject", subject, "error", err.Error())
		}),
	}
	switch {
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	case c.CredsFile != "":
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.CAFile))
	}
	if c.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.CertFile, c.KeyFile))
	}
	nc, err := nats.Connect(strings.Join(c.URLs, ","), opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	return nc, nil
}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// natsState names the connection state for /readyz.
func natsState(nc *nats.Conn) string {
	if nc != nil && nc.IsConnected() {
		return "connected"
	}
	return "disconnected"
}
