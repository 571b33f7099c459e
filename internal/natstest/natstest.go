// Package natstest runs NATS servers with JetStream for tests: one in the
// test process, or cluster nodes as processes of their own (the test binary
// re-executed), so that kill -9 ends a node for real. Only tests import it;
// the govsearch binary does not embed a NATS server.
package natstest

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server starts a NATS server with JetStream on a free loopback port, its
// store in a temporary directory, and stops it when the test ends.
// maxPayload (0: the default of 1 MB) bounds one message.
func Server(t testing.TB, maxPayload int32) *server.Server {
	t.Helper()
	opts := &server.Options{
		ServerName: "test",
		Host:       "127.0.0.1",
		Port:       -1,
		JetStream:  true,
		StoreDir:   t.TempDir(),
		NoLog:      true,
		NoSigs:     true,
		MaxPayload: maxPayload,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("nats server: not ready within 10 s")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// FreePorts returns n loopback TCP ports that were free a moment ago.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// Ready is the line a node prints on standard output once it accepts
// clients.
const Ready = "nats node ready"

// NodeArgs are the arguments of NodeMain for one node of a cluster on
// loopback: its name, client and cluster ports, the cluster ports of every
// node (routes) and its store directory.
func NodeArgs(name string, port, clusterPort int, routePorts []int, store string) []string {
	routes := make([]string, len(routePorts))
	for i, p := range routePorts {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", p)
	}
	return []string{"-name", name, "-port", fmt.Sprint(port), "-cluster-port", fmt.Sprint(clusterPort),
		"-routes", strings.Join(routes, ","), "-store", store}
}

// NodeMain runs one cluster node until SIGTERM or SIGINT (SIGKILL ends it
// the hard way); it is the body of a test binary re-executed as a node.
// It returns the exit status.
func NodeMain(args []string) int {
	fs := flag.NewFlagSet("nats-node", flag.ContinueOnError)
	name := fs.String("name", "", "server name")
	port := fs.Int("port", 0, "client port")
	clusterPort := fs.Int("cluster-port", 0, "cluster port")
	routes := fs.String("routes", "", "comma-separated route URLs")
	store := fs.String("store", "", "JetStream store directory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts := &server.Options{
		ServerName: *name,
		Host:       "127.0.0.1",
		Port:       *port,
		JetStream:  true,
		StoreDir:   *store,
		NoSigs:     true,
		Cluster:    server.ClusterOpts{Name: "govsearch-test", Host: "127.0.0.1", Port: *clusterPort},
	}
	for r := range strings.SplitSeq(*routes, ",") {
		u, err := url.Parse(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "nats-node: route %q: %v\n", r, err)
			return 2
		}
		opts.Routes = append(opts.Routes, u)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nats-node: %v\n", err)
		return 1
	}
	s.ConfigureLogger()
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		fmt.Fprintln(os.Stderr, "nats-node: not ready within 30 s")
		return 1
	}
	fmt.Println(Ready)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	s.Shutdown()
	s.WaitForShutdown()
	return 0
}
