package web

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"govsearch/index"
	"govsearch/ingest"
)

// formulaStart reports whether a CSV cell would run as a spreadsheet formula.
func formulaStart(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// TestExportDefusesFormulas: an uploaded paragraph that puts formulas at the
// start of the left, match and right cells comes out of the CSV as text, and
// out of the JSON lines exactly as stored.
func TestExportDefusesFormulas(t *testing.T) {
	reports := testReports()
	reports[0].Paragraphs = append(reports[0].Paragraphs, ingest.Paragraph{ID: "r1-3", ReportID: "r1", Ordinal: 3,
		Part: "一、工作回顾", PartKind: ingest.PartReview, Kind: ingest.KindBody,
		Text: `=HYPERLINK("http://evil.example/","点击")+互联网+@SUM(1+1)*cmd|' /C calc'!A0`})
	ts := newTestServer(t, newFakeSearcher(reports...), Options{})
	for q, want := range map[string][3]string{
		"互联网": {`'=HYPERLINK("http://evil.example/","点击")+`, "互联网", "'+@SUM(1+1)*cmd|' /C calc'!A0"},
		"+":   {`'=HYPERLINK("http://evil.example/","点击")`, "'+", "互联网+@SUM(1+1)*cmd|' /C calc'!A0"},
	} {
		w := ts.get(t, "/api/export?q="+url.QueryEscape(q))
		rows, err := csv.NewReader(w.Body).ReadAll()
		if w.Code != 200 || err != nil || len(rows) < 2 {
			t.Fatalf("export %q: %d %v %q", q, w.Code, err, rows)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if formulaStart(cell) {
					t.Errorf("q=%s: column %s = %q begins with a formula character", q, rows[0][i], cell)
				}
			}
		}
		if got := [3]string{rows[1][9], rows[1][10], rows[1][11]}; got != want {
			t.Errorf("q=%s: left, match, right = %q, want %q", q, got, want)
		}
		w = ts.get(t, "/api/export?format=jsonl&q="+url.QueryEscape(q))
		var row index.ExportRow
		if err := json.Unmarshal([]byte(strings.SplitN(w.Body.String(), "\n", 2)[0]), &row); err != nil {
			t.Fatal(err)
		}
		if got := [3]string{"'" + row.Left, row.Match, row.Right}; q == "+" && got != [3]string{want[0], "+", want[2]} {
			t.Errorf("jsonl changed the cells: %+v", row)
		}
	}
}

// TestExportSeedNoFormulaCells: the seed corpus yields cells such as a bare
// "+" (互联网+); none leaves the CSV as a formula.
func TestExportSeedNoFormulaCells(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	for _, q := range []string{"互联网", "一网通办"} {
		rows, err := csv.NewReader(ts.get(t, "/api/export?q="+url.QueryEscape(q)).Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if formulaStart(cell) {
					t.Errorf("q=%s: %s column %s = %q", q, row[0], rows[0][i], cell)
				}
			}
		}
	}
}
