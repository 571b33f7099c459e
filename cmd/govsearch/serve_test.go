package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"govsearch/index"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runningServer is a Serve call on a free loopback port.
type runningServer struct {
	base   string
	cancel context.CancelFunc
	done   chan error
	log    *lockedBuffer
}

func startServer(t *testing.T, cfg serveConfig) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	addrs := make(chan string, 1)
	s := &runningServer{cancel: cancel, done: make(chan error, 1), log: logs}
	go func() { s.done <- Serve(ctx, cfg, func(addr string) { addrs <- addr }) }()
	select {
	case addr := <-addrs:
		s.base = "http://" + addr
	case err := <-s.done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not start listening")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the server's context and waits for a clean return.
func (s *runningServer) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("Serve did not return after cancel")
	}
}

// waitReady polls /readyz until the index is open.
func (s *runningServer) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("readyz: %d", resp.StatusCode)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not ready after 90 s; log:\n%s", s.log)
}

func (s *runningServer) get(t *testing.T, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

var tookMS = regexp.MustCompile(`"took_ms":[0-9.e+-]+`)

// TestServeFreshIndex runs the real server as `govsearch serve` does on a
// fresh machine: no index yet, so it builds one from the embedded seeds,
// then answers 一网通办 with highlighted hits from several districts.
func TestServeFreshIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	s := startServer(t, serveConfig{IndexDir: dir, Seed: true})

	// Live at once, ready once the index is open.
	if code, _, _ := s.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("healthz %d", code)
	}
	s.waitReady(t)

	q := url.QueryEscape("一网通办")
	code, hdr, body := s.get(t, "/api/search?q="+q)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("search: %d %q %s", code, hdr.Get("Content-Type"), body)
	}
	var resp index.Response
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Facets[index.FacetRegion]) < 3 || len(resp.Hits) == 0 || !bytes.Contains(body, []byte("<mark>一网通办</mark>")) {
		t.Errorf("search 一网通办: %d hits, region facet %v", len(resp.Hits), resp.Facets[index.FacetRegion])
	}
	if code, hdr, page := s.get(t, "/?q="+q); code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") ||
		!bytes.Contains(page, []byte("一网通办")) {
		t.Errorf("search page: %d %q", code, hdr.Get("Content-Type"))
	}
	if code, _, _ := s.get(t, "/metrics"); code != http.StatusOK {
		t.Errorf("metrics %d", code)
	}

	// While the server holds the index, `govsearch search` asks it, says so,
	// and prints the API's body.
	{
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"search", "--index", dir, "--json", "一网通办"}, &out, &errOut); code != 0 {
			t.Fatalf("govsearch search while serving: exit %d: %s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "held by `govsearch serve` at http://") || !strings.Contains(errOut.String(), "asked it") {
			t.Errorf("search while serving does not say it asked the server: %q", errOut.String())
		}
		api := tookMS.ReplaceAll(bytes.TrimSpace(body), []byte(`"took_ms":0`))
		cli := tookMS.ReplaceAll(bytes.TrimSpace(out.Bytes()), []byte(`"took_ms":0`))
		if !bytes.Equal(api, cli) {
			t.Errorf("search while serving differs from the API body\nAPI: %.300s\nCLI: %.300s", api, cli)
		}
		out.Reset()
		errOut.Reset()
		if code := run(context.Background(), []string{"search", "--index", dir, "--region", "静安区", "--year", "2018..2023", "一网通办"}, &out, &errOut); code != 0 ||
			!strings.Contains(out.String(), "静安区") {
			t.Errorf("filtered search while serving: exit %d: %s%s", code, out.String(), errOut.String())
		}
	}

	// A second server on the same index fails with a clear error instead of
	// waiting for the lock forever.
	start := time.Now()
	err := Serve(context.Background(), serveConfig{IndexDir: dir, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}, nil)
	if !errors.Is(err, index.ErrLocked) {
		t.Errorf("second server on the same index: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("second server gave up after %v", d)
	}

	s.stop(t)
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Errorf("still answering after shutdown")
	}

	// The CLI's --json is byte for byte the API's body (bar the timing).
	t.Run("cli json equals api", func(t *testing.T) {
		if _, ok := commands["search"]; !ok {
			t.Skip("no search command registered yet: cannot compare its --json with the API")
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"search", "--index", dir, "--json", "一网通办"}, &out, &errOut); code != 0 {
			t.Fatalf("govsearch search --json: exit %d: %s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "opened "+dir+" directly") {
			t.Errorf("search after the server stopped: %q", errOut.String())
		}
		// The serving file went with the server; one left by a server that
		// died is passed over.
		if _, err := os.Stat(filepath.Join(dir, servingFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the serving file outlived the server: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, servingFile), []byte(`{"url":"http://127.0.0.1:1","pid":1}`), 0o644); err != nil {
			t.Fatal(err)
		}
		errOut.Reset()
		if code := run(context.Background(), []string{"search", "--index", dir, "一网通办"}, io.Discard, &errOut); code != 0 ||
			!strings.Contains(errOut.String(), "directly") {
			t.Errorf("search with a stale serving file: exit %d: %q", code, errOut.String())
		}
		api := tookMS.ReplaceAll(bytes.TrimSpace(body), []byte(`"took_ms":0`))
		cli := tookMS.ReplaceAll(bytes.TrimSpace(out.Bytes()), []byte(`"took_ms":0`))
		if !bytes.Equal(api, cli) {
			t.Errorf("CLI --json differs from the API body\nAPI: %.300s\nCLI: %.300s", api, cli)
		}
	})
}

// TestServeCutsSlowClients: a client that never finishes its request
// headers is disconnected by the server's ReadHeaderTimeout.
func TestServeCutsSlowClients(t *testing.T) {
	s := startServer(t, serveConfig{IndexDir: filepath.Join(t.TempDir(), "index"), Seed: true, ReadHeaderTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("slow client cut after %v", d)
	}
	if len(b) > 0 && !bytes.Contains(b, []byte("408")) && !bytes.Contains(b, []byte("400")) {
		t.Errorf("unexpected answer to a slow client: %q", b)
	}
}

func TestServeFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad proxy", []string{"--trusted-proxies", "not-an-ip"}, 2, "--trusted-proxies"},
		{"extra argument", []string{"extra"}, 2, "unexpected argument"},
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"help", []string{"-h"}, 0, "usage: govsearch serve"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"serve"}, tc.args...), &out, &errOut)
			if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("serve %v: exit %d, stderr %q", tc.args, code, errOut.String())
			}
		})
	}
	// Equal admin and search keys are refused before anything is served.
	err := Serve(context.Background(), serveConfig{IndexDir: t.TempDir(), Addr: "127.0.0.1:0", AdminKey: "k", SearchKey: "k",
		Logger: slog.New(slog.DiscardHandler)}, nil)
	if err == nil || !strings.Contains(err.Error(), "must differ") {
		t.Errorf("equal keys: %v", err)
	}
}

// TestServeExplicitDirWithoutIndex: `serve --index DIR` on a mistyped or
// empty DIR stops with a message naming DIR and the commands that fill it,
// instead of quietly serving the seeds; --seed fills it on purpose.
func TestServeExplicitDirWithoutIndex(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct{ name, dir string }{
		{"mistyped", filepath.Join(root, "mistyped", "path")},
		{"empty", root},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"serve", "--index", dir, "--addr", "127.0.0.1:0"}, &out, &errOut)
			msg := errOut.String()
			if code != 1 || !strings.Contains(msg, "no index in "+dir) || !strings.Contains(msg, "govsearch index --index "+dir+" PATH") ||
				!strings.Contains(msg, "govsearch serve --index "+dir+" --seed") {
				t.Errorf("serve --index %s: exit %d, stderr %q", dir, code, msg)
			}
			if entries, _ := filepath.Glob(filepath.Join(dir, "*")); len(entries) > 0 {
				t.Errorf("serve --index %s wrote %v", dir, entries)
			}
		})
	}
}
