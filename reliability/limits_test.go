package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// zeroReader yields n bytes of 'a'.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	for i := range p {
		p[i] = 'a'
	}
	z.n -= int64(len(p))
	return len(p), nil
}

// TestLimitsRealServer checks the request limits of a real server: each
// is refused with a JSON error naming what was wrong, and the server keeps
// answering.
func TestLimitsRealServer(t *testing.T) {
	srv := serve(t, seedIndex(t))
	const limit = 20 << 20 // web.DefaultMaxBodyBytes

	jsonError := func(t *testing.T, name string, status int, body []byte, wantStatus int, wantCode string) {
		t.Helper()
		var e struct {
			Error struct{ Code, Message, Param string }
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("%s: status %d, body is not JSON: %.200q", name, status, body)
			return
		}
		if status != wantStatus || e.Error.Code != wantCode || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d %s", name, status, body, wantStatus, wantCode)
			return
		}
		t.Logf("%s: %d %s", name, status, bytes.TrimSpace(body))
	}

	// Bodies over the limit, declared and streamed.
	for _, declared := range []bool{true, false} {
		name := fmt.Sprintf("oversized body (declared length: %v)", declared)
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.url("/api/reports"), &zeroReader{n: limit + 1})
			if declared {
				req.ContentLength = limit + 1
			} else {
				req.ContentLength = -1 // chunked: the server finds out while reading
			}
			req.Header.Set("Authorization", "Bearer "+adminKey)
			req.Header.Set("Content-Type", "text/plain")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			jsonError(t, name, resp.StatusCode, body, 413, "payload_too_large")
		})
	}

	// Too many files in one form.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for i := range 101 {
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("f%d.txt", i))
		io.WriteString(fw, "上海市静安区2020年政府工作报告\n")
	}
	mw.Close()
	status, body, err := do("POST", srv.url("/api/reports"), adminKey, mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	jsonError(t, "101 files in one form", status, body, 400, "invalid_parameter")

	// Paging, query length and term limits.
	long := strings.Repeat("政", 257)
	terms := strings.TrimSpace(strings.Repeat("经济 ", 17))
	for _, c := range []struct{ name, query, code string }{
		{"deep page (from 9991, size 10)", "q=经济&from=9991&size=10", "invalid_parameter"},
		{"page size 101", "q=经济&size=101", "invalid_parameter"},
		{"negative from", "q=经济&from=-1", "invalid_parameter"},
		{"huge from", "q=经济&from=99999999999999999999", "invalid_parameter"},
		{"query of 257 characters", "q=" + long, "invalid_query"},
		{"query of 17 terms", "q=" + terms, "invalid_query"},
		{"query not UTF-8", "q=%ff%fe", "invalid_query"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, _ := url.ParseQuery(c.query)
			status, body, err := do("GET", srv.url("/api/search?"+v.Encode()), searchKey, "", nil)
			if c.name == "query not UTF-8" {
				status, body, err = do("GET", srv.url("/api/search?"+c.query), searchKey, "", nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			jsonError(t, c.name, status, body, 400, c.code)
		})
	}
	// The limits are inclusive: the largest page and query pass.
	for _, c := range []struct{ name, query string }{
		{"last page", "q=经济&from=9990&size=10"},
		{"query of 256 characters", "q=" + url.QueryEscape(strings.Repeat("政", 256))},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, body, _ := do("GET", srv.url("/api/search?"+c.query), searchKey, "", nil); status != 200 {
				t.Errorf("at the limit %.40s: %d %.200s", c.query, status, body)
			}
		})
	}

	// Headers over the server's 64 KB limit get the JSON 431; only beyond
	// net/http's own 1 MB bound is the answer net/http's plain text.
	for _, size := range []int{128 << 10, 2 << 20} {
		t.Run(fmt.Sprintf("%d KB header", size>>10), func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.url("/api/search?q=a"), nil)
			req.Header.Set("X-Big", strings.Repeat("a", size))
			resp, err := client.Do(req)
			if err != nil {
				t.Logf("%d KB header: %v", size>>10, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("%d KB header: status %d", size>>10, resp.StatusCode)
			}
			if size < 1<<20 {
				jsonError(t, "128 KB header", resp.StatusCode, b, http.StatusRequestHeaderFieldsTooLarge, "headers_too_large")
			}
			t.Logf("%d KB header: %d %.120q", size>>10, resp.StatusCode, bytes.TrimSpace(b))
		})
	}

	if status, _, err := do("GET", srv.url("/healthz"), "", "", nil); err != nil || status != 200 {
		t.Errorf("the server after the limits: %d %v", status, err)
	}
}

// TestSlowClients holds connections open the way a slowloris attack does:
// a client that sends its headers a byte at a time is cut off by the
// server's header timeout, and while 200 of them hang on, ordinary
// searches are still answered. GOVSEARCH_SLOW_BODY=1 also trickles a body
// and waits for the 60 s read timeout.
func TestSlowClients(t *testing.T) {
	srv := serve(t, seedIndex(t))
	addr := srv.addr

	// One slow header: cut within the 5 s header timeout plus a margin.
	cut := trickle(t, addr, "GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nX-Slow: ", 'a', time.Second, 30*time.Second)
	t.Logf("a client sending a header byte per second is cut after %s", cut.Round(100*time.Millisecond))
	if cut > 15*time.Second {
		t.Errorf("a slow header held its connection for %s", cut)
	}

	// 200 slow clients at once, and real searches among them.
	var conns []net.Conn
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("slow client %d: %v", len(conns), err)
		}
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var worst time.Duration
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			begin := time.Now()
			status, body, err := do("GET", srv.url("/api/search?q=%E7%BB%8F%E6%B5%8E"), searchKey, "", nil)
			mu.Lock()
			worst = max(worst, time.Since(begin))
			mu.Unlock()
			if err != nil || status != 200 {
				t.Errorf("search among slow clients: %d %v %.100s", status, err, body)
			}
		}()
	}
	wg.Wait()
	t.Logf("20 searches among 200 slow clients: slowest %s", worst.Round(time.Millisecond))

	if os.Getenv("GOVSEARCH_SLOW_BODY") == "" {
		return
	}
	head := "POST /api/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + adminKey +
		"\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
	cut = trickle(t, addr, head, 'a', time.Second, 3*time.Minute)
	t.Logf("a client sending a body byte per second is cut after %s", cut.Round(100*time.Millisecond))
	if cut > 90*time.Second {
		t.Errorf("a slow body held its connection for %s", cut)
	}
}

// trickle connects to addr, sends start, then one byte b per interval until
// the server closes the connection or limit passes; it returns how long the
// server kept the connection.
func trickle(t *testing.T, addr, start string, b byte, interval, limit time.Duration) time.Duration {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	begin := time.Now()
	if _, err := io.WriteString(c, start); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		// The server's answer (if any) and its close end this read.
		io.Copy(io.Discard, c)
		close(closed)
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for time.Since(begin) < limit {
		select {
		case <-closed:
			return time.Since(begin)
		case <-tick.C:
			if _, err := c.Write([]byte{b}); err != nil {
				return time.Since(begin)
			}
		}
	}
	return time.Since(begin)
}
