package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// asset is one embedded static file, ready to serve.
type asset struct {
	data  []byte
	ctype string
	etag  string // quoted, from the content hash
}

// assets maps a file name under /static/ to its content. Types are set
// explicitly because pages are served with nosniff.
var assets = func() map[string]asset {
	types := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".svg": "image/svg+xml",
	}
	out := map[string]asset{}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := types[path.Ext(p)]
		if !ok {
			panic("ui: no content type for embedded asset " + p)
		}
		sum := sha256.Sum256(data)
		out[strings.TrimPrefix(p, "static/")] = asset{data: data, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the embedded tree is fixed at compile time
	}
	return out
}()

// assetURL returns the URL of an embedded asset with its content hash, so
// it can be cached for long and still change with each build.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("ui: template references unknown asset " + name)
	}
	return "/static/" + name + "?v=" + strings.Trim(a.etag, `"`)
}

func serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("filepath"), "/")
	a, ok := assets[name]
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if !ok {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found: /static/"+name+"\n"))
		return
	}
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "public, max-age=86400")
	if match := c.GetHeader("If-None-Match"); match == a.etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, a.ctype, a.data)
}

// funcs are the helpers templates use.
var funcs = template.FuncMap{
	"asset":   assetURL,
	"num":     groupDigits,
	"add":     func(a, b int) int { return a + b },
	"partLbl": PartLabel,
	"kindLbl": KindLabel,
	"f1":      trimFloat,
	"barsOf": func(c barChart, id, class string) chartArgs[barChart] {
		return chartArgs[barChart]{Chart: c, ID: id, Class: class}
	},
	"curveOf": func(c curveChart, id, class string) chartArgs[curveChart] {
		return chartArgs[curveChart]{Chart: c, ID: id, Class: class}
	},
	"linesOf": func(c lineChart, id, class, metric string) chartArgs[lineChart] {
		return chartArgs[lineChart]{Chart: c, ID: id, Class: class, Metric: metric}
	},
	"reportTitle": index.ReportTitle,
	"metricLabel": metricLabel,
	"levelLbl":    LevelLabel,
	"queryBox": func(label, q, placeholder, button string) queryBox {
		return queryBox{Label: label, Q: q, Placeholder: placeholder, Button: button}
	},
}

// queryBox is the query field of a research page's form.
type queryBox struct{ Label, Q, Placeholder, Button string }

// trimFloat formats an SVG coordinate with at most one decimal.
func trimFloat(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// chartArgs feeds the templates that draw one of a page's charts in one of
// its layouts (wide or narrow).
type chartArgs[C any] struct {
	Chart             C
	ID, Class, Metric string
}

// pages holds one template set per page, each the layout plus that page.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"search", "reader", "error"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	// The research pages share the filter form and the links between them.
	for _, name := range []string{"trend", "diffusion", "kwic", "compare"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/research.html", "templates/"+name+".html"))
	}
	return out
}()
