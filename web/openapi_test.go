package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// openAPIDoc is the part of an OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title, Version, Description string
	} `json:"info"`
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas    map[string]openAPISchema `json:"schemas"`
		Parameters map[string]openAPIParam  `json:"parameters"`
	} `json:"components"`
}

type openAPIOp struct {
	OperationID string                     `json:"operationId"`
	Parameters  []openAPIParam             `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

type openAPIParam struct {
	Ref         string        `json:"$ref"`
	Name        string        `json:"name"`
	In          string        `json:"in"`
	Required    bool          `json:"required"`
	Description string        `json:"description"`
	Schema      openAPISchema `json:"schema"`
}

type openAPISchema struct {
	Type       string                   `json:"type"`
	Properties map[string]openAPISchema `json:"properties"`
	Required   []string                 `json:"required"`
	Enum       []string                 `json:"enum"`
	Items      *openAPISchema           `json:"items"`
	Pattern    string                   `json:"pattern"`
	Maximum    *int                     `json:"maximum"`
	MaxLength  *int                     `json:"maxLength"`
}

func loadOpenAPI(t *testing.T) (openAPIDoc, []byte) {
	t.Helper()
	ts := newTestServer(t, newFakeSearcher(), Options{})
	w := ts.get(t, "/api/openapi.json")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var doc openAPIDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc, w.Body.Bytes()
}

func TestOpenAPIValid(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Fatalf("not an OpenAPI 3 document: openapi %q info %+v", doc.OpenAPI, doc.Info)
	}
	// Every reference resolves.
	var all any
	json.Unmarshal(raw, &all)
	refs := regexp.MustCompile(`"\$ref":\s*"([^"]+)"`).FindAllStringSubmatch(string(raw), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref at all")
	}
	for _, m := range refs {
		node := all
		for _, part := range strings.Split(strings.TrimPrefix(m[1], "#/"), "/") {
			obj, ok := node.(map[string]any)
			if !ok || obj[part] == nil {
				t.Errorf("unresolved reference %s", m[1])
				break
			}
			node = obj[part]
		}
	}
	// Every operation has an id, a success response and declares its path
	// parameters.
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: missing or repeated operationId %q", method, path, op.OperationID)
			}
			ids[op.OperationID] = true
			if !slices.ContainsFunc(mapKeys(op.Responses), func(s string) bool { return strings.HasPrefix(s, "2") }) {
				t.Errorf("%s %s: no success response", method, path)
			}
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(resolveParams(doc, op.Parameters), func(p openAPIParam) bool {
					return p.Name == m[1] && p.In == "path" && p.Required
				}) {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func resolveParams(doc openAPIDoc, ps []openAPIParam) []openAPIParam {
	var out []openAPIParam
	for _, p := range ps {
		if p.Ref != "" {
			p = doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
		}
		out = append(out, p)
	}
	return out
}

// TestOpenAPICoversRoutes: the document and the router list the same API
// routes, and each documents the query parameters its handler reads.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	engine := New(newFakeSearcher(), Options{})
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		if !isAPIPath(r.Path) {
			continue // pages belong to web/ui
		}
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+p] = true
		if !documented[r.Method+" "+p] {
			t.Errorf("route %s %s is not documented", r.Method, p)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("documented %s has no route", k)
		}
	}

	var filters []string
	for _, f := range index.Facets() {
		filters = append(filters, f.Param)
	}
	queryParams := map[string][]string{
		"GET /api/search":    append([]string{"q", "match", "sort", "from", "size", "facets", "highlight", "search_after"}, filters...),
		"GET /api/trend":     append([]string{"q", "match", "format", "bom"}, filters...),
		"GET /api/export":    append([]string{"q", "match", "sort", "format", "bom"}, filters...),
		"GET /api/diffusion": append([]string{"q", "match", "format", "bom"}, filters...),
		"GET /api/kwic":      append([]string{"q", "match", "sort", "width", "from", "size", "format", "bom"}, filters...),
		"GET /api/matrix":    append([]string{"q", "match", "format", "bom"}, filters...),
		"GET /api/reports":   {"region", "level", "year", "sort"},
		"GET /api/analyze":   {"text"},
		"POST /api/reports":  {"source"},
	}
	for key, want := range queryParams {
		method, path, _ := strings.Cut(key, " ")
		op := doc.Paths[path][strings.ToLower(method)]
		var got []string
		for _, p := range resolveParams(doc, op.Parameters) {
			if p.In == "query" {
				got = append(got, p.Name)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s documents query parameters %v, the handler reads %v", key, got, want)
		}
	}
}

// TestOpenAPIFacets: the document's facet parts agree with the index's
// registry of facets: a filter parameter per facet with its values, the
// facet names of the facets parameter and of the Facets schema, and the
// query-language fields in the description of q.
func TestOpenAPIFacets(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	params := doc.Components.Parameters
	for _, f := range index.Facets() {
		t.Run(f.Name, func(t *testing.T) {
			p, ok := params[f.Param]
			if !ok || p.Name != f.Param || p.In != "query" || p.Schema.Type != "array" || p.Schema.Items == nil {
				t.Fatalf("no array query parameter %s: %+v", f.Param, p)
			}
			items := p.Schema.Items
			switch {
			case f.Values != nil && !slices.Equal(items.Enum, f.Values):
				t.Errorf("parameter %s lists %v, the facet takes %v", f.Param, items.Enum, f.Values)
			case f.Values == nil && items.Enum != nil:
				t.Errorf("parameter %s lists %v, the facet takes any text", f.Param, items.Enum)
			}
			if f.YearRanges {
				re := regexp.MustCompile(items.Pattern)
				for _, v := range []string{"2020", "2018..2021", "2018..", "..2021"} {
					if _, err := index.ParseYearRange(v); err != nil || !re.MatchString(v) {
						t.Errorf("year value %s: pattern %s, index %v", v, items.Pattern, err)
					}
				}
			}
			if !strings.Contains(params["q"].Description, f.Prefix+":") {
				t.Errorf("the description of q does not name the field %s:", f.Prefix)
			}
		})
	}
	if got := params["facets"].Schema.Items; got == nil || !slices.Equal(sorted(got.Enum), sorted(index.AllFacets)) {
		t.Errorf("facets parameter %+v, index facets %v", got, index.AllFacets)
	}
}

// TestOpenAPILimits: the documented limits are the index's request rules.
func TestOpenAPILimits(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	params := doc.Components.Parameters
	for _, tc := range []struct {
		name  string
		got   *int
		limit int
	}{
		{"q maxLength", params["q"].Schema.MaxLength, index.MaxQueryLength},
		{"size maximum", params["size"].Schema.Maximum, index.MaxSize},
		{"from maximum", params["from"].Schema.Maximum, index.MaxWindow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got == nil || *tc.got != tc.limit {
				t.Errorf("documented %v, the index's limit is %d", tc.got, tc.limit)
			}
		})
	}
	if want := fmt.Sprintf("at most %d filter values", index.MaxFilterValues); !strings.Contains(strings.ToLower(doc.Info.Description), want) {
		t.Errorf("the description does not say %q", want)
	}
}

// TestOpenAPIErrorCodes: the error schema lists exactly the codes of the
// table, and the description documents each with its status.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	enum := slices.Clone(doc.Components.Schemas["Error"].Properties["code"].Enum)
	codes := errcode.Codes()
	sort.Strings(enum)
	sort.Strings(codes)
	if !slices.Equal(enum, codes) {
		t.Errorf("documented codes %v, table %v", enum, codes)
	}
	for _, code := range codes {
		row := "| " + code + " | " + strconv.Itoa(errcode.Status(code)) + " |"
		if !strings.Contains(doc.Info.Description, row) {
			t.Errorf("the description lacks the row %q", row)
		}
	}
}

// TestOpenAPISchemasMatchTypes: each response schema has exactly the JSON
// fields of the Go type the handler encodes.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	for name, typ := range map[string]reflect.Type{
		"Meta":            reflect.TypeFor[ingest.Meta](),
		"Paragraph":       reflect.TypeFor[citedParagraph](),
		"Record":          reflect.TypeFor[citedRecord](),
		"Hit":             reflect.TypeFor[index.Hit](),
		"FacetValue":      reflect.TypeFor[index.FacetValue](),
		"SearchResponse":  reflect.TypeFor[index.Response](),
		"ReportSummary":   reflect.TypeFor[index.ReportSummary](),
		"ReportList":      reflect.TypeFor[reportsBody](),
		"UploadResult":    reflect.TypeFor[uploadBody](),
		"UploadFile":      reflect.TypeFor[uploadFile](),
		"Report":          reflect.TypeFor[citedReport](),
		"TrendCell":       reflect.TypeFor[index.TrendCell](),
		"Trend":           reflect.TypeFor[index.Trend](),
		"ExportRow":       reflect.TypeFor[index.ExportRow](),
		"Diffusion":       reflect.TypeFor[index.Diffusion](),
		"DiffusionRegion": reflect.TypeFor[index.DiffusionRegion](),
		"NeverRegion":     reflect.TypeFor[index.NeverRegion](),
		"AdoptionYear":    reflect.TypeFor[index.AdoptionYear](),
		"KWICRow":         reflect.TypeFor[index.KWICRow](),
		"KWICPage":        reflect.TypeFor[kwicBody](),
		"Matrix":          reflect.TypeFor[matrixBody](),
		"LexiconEntry":    reflect.TypeFor[index.LexiconEntry](),
		"Lexicon":         reflect.TypeFor[lexiconBody](),
		"Token":           reflect.TypeFor[analyzer.Token](),
		"Analysis":        reflect.TypeFor[analyzeBody](),
		"Error":           reflect.TypeFor[Error](),
		"ErrorBody":       reflect.TypeFor[errorBody](),
		"Ready":           reflect.TypeFor[readyBody](),
	} {
		t.Run(name, func(t *testing.T) {
			schema, ok := doc.Components.Schemas[name]
			if !ok {
				t.Errorf("schema %s missing", name)
				return
			}
			got := mapKeys(schema.Properties)
			want := jsonFields(typ)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("schema %s has %v, type %v encodes %v", name, got, typ, want)
			}
			for _, r := range schema.Required {
				if _, ok := schema.Properties[r]; !ok {
					t.Errorf("schema %s requires unknown %s", name, r)
				}
			}
		})
	}
	// The facet keys are the index's facet names.
	if got := mapKeys(doc.Components.Schemas["Facets"].Properties); !slices.Equal(got, sorted(index.AllFacets)) {
		t.Errorf("Facets schema %v, index facets %v", got, index.AllFacets)
	}
	// The CSV columns are the ExportRow fields in order.
	if !slices.Equal(exportHeader, jsonFields(reflect.TypeFor[index.ExportRow]())) {
		t.Errorf("CSV header %v, ExportRow %v", exportHeader, jsonFields(reflect.TypeFor[index.ExportRow]()))
	}
	if !slices.Equal(kwicHeader, jsonFields(reflect.TypeFor[index.KWICRow]())) {
		t.Errorf("concordance CSV header %v, KWICRow %v", kwicHeader, jsonFields(reflect.TypeFor[index.KWICRow]()))
	}
	// The panel columns are the TrendCell fields after the query, region
	// and level first as a panel keys them.
	cell := jsonFields(reflect.TypeFor[index.TrendCell]())
	if got := append([]string{"query"}, cell...); !slices.Equal(sorted(panelHeader), sorted(got)) {
		t.Errorf("panel CSV header %v, TrendCell %v", panelHeader, cell)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// jsonFields lists the JSON field names of a struct type as encoding/json
// writes them, embedded structs flattened, in order.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			out = append(out, jsonFields(ft)...)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// TestOpenAPIExternalValidator checks the document with the independent
// openapi-spec-validator (Python) when the machine has it.
func TestOpenAPIExternalValidator(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: skipping openapi-spec-validator")
	}
	if err := exec.Command(py, "-c", "import openapi_spec_validator").Run(); err != nil {
		t.Skip("python3 has no openapi_spec_validator module: skipping")
	}
	cmd := exec.Command(py, "-c", "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))")
	cmd.Stdin = bytes.NewReader(bytes.Clone(openAPI))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openapi-spec-validator rejects web/openapi.json: %v\n%s", err, out)
	}
}

// schemaNode is the subset of an OpenAPI schema that conform checks.
type schemaNode struct {
	Ref        string                `json:"$ref"`
	Type       string                `json:"type"`
	Properties map[string]schemaNode `json:"properties"`
	Required   []string              `json:"required"`
	Items      *schemaNode           `json:"items"`
	Enum       []any                 `json:"enum"`
}

// conform reports where value (decoded JSON) breaks schema: wrong types,
// missing required or undocumented properties, values outside an enum.
func conform(schemas map[string]schemaNode, s schemaNode, v any, at string) []string {
	if s.Ref != "" {
		return conform(schemas, schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], v, at)
	}
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, at+": "+fmt.Sprintf(f, a...)) }
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
		bad("%v is not in %v", v, s.Enum)
	}
	switch s.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("not an object")
			break
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				bad("lacks required %q", r)
			}
		}
		for k, val := range obj {
			ps, ok := s.Properties[k]
			if !ok && s.Properties != nil {
				bad("undocumented property %q", k)
				continue
			}
			errs = append(errs, conform(schemas, ps, val, at+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("not an array")
			break
		}
		for i, e := range arr {
			errs = append(errs, conform(schemas, *s.Items, e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad("not a string: %v", v)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			bad("not an integer: %v", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			bad("not a number: %v", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("not a boolean: %v", v)
		}
	}
	return errs
}

// TestResponsesMatchOpenAPI checks real responses of the seed index against
// the schemas the document gives for them.
func TestResponsesMatchOpenAPI(t *testing.T) {
	raw := bytes.Clone(openAPI)
	var doc struct {
		Components struct {
			Schemas map[string]schemaNode `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	ix := seedIndex(t)
	ts := newTestServer(t, ix, Options{AdminKey: adminKey})
	var list reportsBody
	json.Unmarshal(ts.get(t, "/api/reports").Body.Bytes(), &list)
	rid := list.Reports[0].ID
	rep, _ := ix.Report(context.Background(), rid)
	q := url.QueryEscape("一网通办")
	for _, tc := range []struct{ target, schema string }{
		{"/api/search?q=" + q, "SearchResponse"},
		{"/api/search?q=" + q + "&facets=region&highlight=false&sort=year&size=100", "SearchResponse"},
		{"/api/search?q=" + url.QueryEscape("不存在的词语"), "SearchResponse"},
		{"/api/trend?q=" + q, "Trend"},
		{"/api/trend?q=" + q + "&level=district&part=plan", "Trend"},
		{"/api/diffusion?q=" + q, "Diffusion"},
		{"/api/kwic?q=" + q + "&sort=left&width=8&size=3", "KWICPage"},
		{"/api/matrix?q=" + q + "&q=" + url.QueryEscape("放管服 OR 营商环境"), "Matrix"},
		{"/api/reports?level=district&sort=chars", "ReportList"},
		{"/api/reports", "ReportList"},
		{"/api/reports/" + url.PathEscape(rid), "Report"},
		{"/api/paragraphs/" + url.PathEscape(rep.Paragraphs[3].ID), "Record"},
		{"/api/lexicon", "Lexicon"},
		{"/api/analyze?text=" + q, "Analysis"},
		{"/readyz", "Ready"},
		{"/healthz", "Health"},
		{"/api/search?q=a&size=abc", "ErrorBody"},
		{"/api/reports/nope", "ErrorBody"},
	} {
		t.Run(fmt.Sprintf("%.60s", tc.target), func(t *testing.T) {
			w := ts.get(t, tc.target)
			var v any
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Errorf("%s: %v", tc.target, err)
				return
			}
			for _, e := range conform(schemas, schemas[tc.schema], v, tc.schema) {
				t.Errorf("%s: %s", tc.target, e)
			}
		})
	}
	for _, tc := range []struct{ target, schema string }{
		{"/api/export?format=jsonl&q=" + q, "ExportRow"},
		{"/api/kwic?format=jsonl&q=" + q, "KWICRow"},
	} {
		w := ts.get(t, tc.target)
		for line := range strings.SplitSeq(strings.TrimSpace(w.Body.String()), "\n") {
			var v any
			json.Unmarshal([]byte(line), &v)
			for _, e := range conform(schemas, schemas[tc.schema], v, tc.schema) {
				t.Errorf("%s: %s", tc.target, e)
			}
		}
	}
}
