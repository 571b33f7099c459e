package reliability

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hostileLines are paragraphs that try to break out of the markup they are
// shown in.
var hostileLines = []string{
	`恶意脚本测试 <script>window.__pwned = 1</script> 后文。`,
	`恶意脚本测试 <img src=x onerror="window.__pwned = 2"> 与 "引号" 和 '单引号' 及 &amp; &lt;b&gt; 实体。`,
	`恶意脚本测试 </mark><script>window.__pwned = 3</script><mark> 标签逃逸。`,
	`恶意脚本测试 " onmouseover="alert(1)" x=" 与 ' onfocus='alert(2)' 属性逃逸。`,
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// TestHostileDocumentThroughTheBinary uploads a report whose paragraphs
// carry script tags, attribute-breaking quotes and entities through the
// real parser and server: the search API's highlight fragments contain no
// tag but <mark> and </mark> and, unmarked and unescaped, are text of
// their paragraph; the search and reader pages show the markup as text and
// carry a CSP without inline script, nosniff and frame-ancestors. (The
// headless-browser test in web/ui checks that no script runs.)
func TestHostileDocumentThroughTheBinary(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("..", "web", "testdata", "upload_report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The hostile paragraphs go after the first body paragraph.
	text := string(base)
	i := strings.Index(text, "一、")
	if i < 0 {
		t.Fatal("upload_report.txt has no first heading")
	}
	text = text[:i] + strings.Join(hostileLines, "\n\n") + "\n\n" + text[i:]

	srv := serve(t, seedIndex(t))
	status, body, err := do("POST", srv.url("/api/reports?source=hostile_2024.txt"), adminKey, "text/plain; charset=utf-8", strings.NewReader(text))
	if err != nil || status != 201 {
		t.Fatalf("upload: %d %v %s", status, err, body)
	}
	var added struct{ Reports []struct{ ID string } }
	if err := json.Unmarshal(body, &added); err != nil || len(added.Reports) != 1 {
		t.Fatalf("upload answer: %s", body)
	}
	reportID := added.Reports[0].ID

	status, body, err = do("GET", srv.url("/api/search?highlight=true&size=100&q="+url.QueryEscape("恶意脚本测试")), searchKey, "", nil)
	if err != nil || status != 200 {
		t.Fatalf("search: %d %v %s", status, err, body)
	}
	var resp struct {
		Total int
		Hits  []struct {
			Text       string
			Highlights []string
		}
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Total != len(hostileLines) {
		t.Errorf("search found %d hostile paragraphs, want %d (did the parser drop or merge any?)", resp.Total, len(hostileLines))
	}
	for _, h := range resp.Hits {
		if len(h.Highlights) == 0 {
			t.Errorf("no highlight for %q", h.Text)
		}
		for _, frag := range h.Highlights {
			for _, tag := range tagRE.FindAllString(frag, -1) {
				if tag != "<mark>" && tag != "</mark>" {
					t.Errorf("fragment carries the tag %s: %s", tag, frag)
				}
			}
			plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(frag))
			plain = strings.Trim(plain, "…")
			if !strings.Contains(h.Text, plain) {
				t.Errorf("fragment is not text of its paragraph:\nfragment %s\nparagraph %s", frag, h.Text)
			}
		}
	}

	// The pages: hostile text appears escaped, never as markup.
	for _, page := range []struct{ name, path string }{
		{"search page", "/?q=" + url.QueryEscape("恶意脚本测试")},
		{"report page", "/reports/" + url.PathEscape(reportID)},
	} {
		t.Run(page.name, func(t *testing.T) { checkHostilePage(t, srv, page.path) })
	}
}

// checkHostilePage checks that the page at path shows the hostile
// paragraphs escaped and sends the headers that keep scripts out.
func checkHostilePage(t *testing.T, srv *proc, path string) {
	req, _ := http.NewRequest("GET", srv.url(path), nil)
	req.Header.Set("Accept", "text/html")
	req.SetBasicAuth("reader", searchKey)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	for _, raw := range []string{"<script>window.__pwned", "<img src=x", `onmouseover="alert`, "</mark><script>"} {
		if strings.Contains(page, raw) {
			t.Errorf("GET %s: the page carries the raw markup %q", path, raw)
		}
	}
	if !strings.Contains(page, "恶意脚本测试") {
		t.Errorf("GET %s: the hostile paragraphs are not shown", path)
	}
	csp := res.Header.Get("Content-Security-Policy")
	scriptSrc := ""
	for d := range strings.SplitSeq(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") || (scriptSrc == "" && strings.HasPrefix(d, "default-src")) {
			scriptSrc = d
		}
	}
	if scriptSrc == "" || strings.Contains(scriptSrc, "unsafe-inline") || strings.Contains(scriptSrc, "unsafe-eval") ||
		!strings.Contains(csp, "frame-ancestors 'none'") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET %s: security headers: CSP %q, nosniff %q", path, csp, res.Header.Get("X-Content-Type-Options"))
	}
}

// readAll returns a response body as text and closes it.
func readAll(t testing.TB, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
