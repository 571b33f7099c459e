package reliability

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestKeyMatrixRealServer sends every write route every kind of wrong
// credential over a real server and index: only the admin key changes the
// index, and no key, whole or in part, reaches the server's log.
func TestKeyMatrixRealServer(t *testing.T) {
	dir := seedIndex(t)
	srv := serve(t, dir)
	seeds := seedCorpus(t)
	upload := seeds[0]
	victim := ""
	for id := range expect(t, seeds[1:2]) {
		victim = id
		break
	}

	changed := []byte(adminKey)
	changed[len(changed)/2] ^= 0x01
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	refused := []struct{ name, auth string }{
		{"no key", ""},
		{"empty bearer", "Bearer "},
		{"empty basic password", basic("admin", "")},
		{"wrong key", "Bearer wrong-key"},
		{"admin key with one byte changed", "Bearer " + string(changed)},
		{"admin key without its last byte", "Bearer " + adminKey[:len(adminKey)-1]},
		{"admin key with a byte added", "Bearer " + adminKey + "x"},
		{"admin key in another scheme", "Token " + adminKey},
		{"search key", "Bearer " + searchKey},
		{"search key as a basic password", basic("admin", searchKey)},
		{"admin key as a basic user name", basic(adminKey, "x")},
		{"admin key as a basic password", basic("admin", adminKey)},
	}
	routes := []struct {
		method, path, contentType string
		body                      []byte
	}{
		{"POST", "/api/reports?source=" + url.QueryEscape(upload.name), "text/plain", upload.data},
		{"DELETE", "/api/reports/" + url.PathEscape(victim), "", nil},
	}
	before := reportList(t, srv)
	for _, rt := range routes {
		for _, c := range refused {
			status, body := request(t, srv, rt.method, rt.path, c.auth, rt.contentType, rt.body)
			if status != http.StatusUnauthorized && status != http.StatusForbidden {
				t.Errorf("%s %s with %s: status %d, want 401 or 403", rt.method, rt.path, c.name, status)
			}
			var e struct{ Error struct{ Code string } }
			if json.Unmarshal(body, &e) != nil || e.Error.Code == "" {
				t.Errorf("%s %s with %s: not a JSON error: %s", rt.method, rt.path, c.name, body)
			}
		}
		// The key in the query string is not a credential.
		status, _ := request(t, srv, rt.method, rt.path+sep(rt.path)+"key="+adminKey+"&api_key="+adminKey, "", rt.contentType, rt.body)
		if status != http.StatusUnauthorized {
			t.Errorf("%s %s with the admin key in the query: status %d, want 401", rt.method, rt.path, status)
		}
	}
	// The admin key from another site: the page's browser sends Origin and
	// Sec-Fetch-Site, and the server refuses with 403.
	for _, rt := range routes {
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
			{"Origin": "https://evil.example"},
		} {
			req, _ := http.NewRequest(rt.method, srv.url(rt.path), bytes.NewReader(rt.body))
			req.Header.Set("Authorization", "Bearer "+adminKey)
			req.Header.Set("Content-Type", "text/plain")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s cross-site %v: status %d, want 403", rt.method, rt.path, h, resp.StatusCode)
			}
		}
	}
	if after := reportList(t, srv); after != before {
		t.Fatalf("refused requests changed the index:\nbefore %s\nafter  %s", before, after)
	}
	for _, rt := range routes {
		status, body := request(t, srv, rt.method, rt.path, "Bearer "+adminKey, rt.contentType, rt.body)
		if status != http.StatusOK && status != http.StatusCreated {
			t.Errorf("%s %s with the admin key: %d %s", rt.method, rt.path, status, body)
		}
	}
	if after := reportList(t, srv); after == before {
		t.Errorf("the admin key's delete did not change the index")
	}

	// Read routes: the search key and the admin key open them, nothing else.
	for _, c := range []struct {
		name   string
		auth   string
		status int
	}{
		{"no key", "", 401}, {"wrong key", "Bearer wrong-key", 401}, {"changed admin key", "Bearer " + string(changed), 401},
		{"search key", "Bearer " + searchKey, 200}, {"admin key", "Bearer " + adminKey, 200}, {"search key as Basic password", basic("reader", searchKey), 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _ := request(t, srv, "GET", "/api/search?q=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E", c.auth, "", nil)
			if status != c.status {
				t.Errorf("GET /api/search with %.20q: status %d, want %d", c.auth, status, c.status)
			}
		})
	}

	srv.stop(t)
	log := srv.stderr.String()
	for _, secret := range []string{adminKey, searchKey, string(changed)} {
		for _, part := range []string{secret, secret[:12], secret[len(secret)-12:]} {
			if strings.Contains(log, part) {
				t.Errorf("the server log contains key material %q", part)
			}
		}
	}
	if !strings.Contains(log, `"status":401`) {
		t.Errorf("the refusals are not in the access log at all:\n%s", lastLine(log))
	}
}

// sep returns the separator that appends a query parameter to path.
func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// request sends one request with a raw Authorization header.
func request(t testing.TB, srv *proc, method, path, auth, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.url(path), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// reportList returns the server's report list as text, for comparisons.
func reportList(t testing.TB, srv *proc) string {
	t.Helper()
	status, body := request(t, srv, "GET", "/api/reports", "Bearer "+searchKey, "", nil)
	if status != 200 {
		t.Fatalf("GET /api/reports: %d %s", status, body)
	}
	return string(body)
}
