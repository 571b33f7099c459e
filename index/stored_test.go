package index

import (
	"context"
	"reflect"
	"testing"
)

// TestStoredRecordsRoundTrip checks that every paragraph read back from the
// index, through Paragraph, Report and Search, equals the record ingest
// made of it: the compact stored form and the report metadata stored once
// lose nothing.
func TestStoredRecordsRoundTrip(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	byReport := map[string]int{}
	for i := range c.records {
		want := c.records[i]
		byReport[want.ReportID]++
		got, err := c.ix.Paragraph(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("Paragraph(%s) =\n%+v\nwant\n%+v", want.ID, *got, want)
		}
	}
	for id, n := range byReport {
		r, err := c.ix.Report(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Paragraphs) != n {
			t.Fatalf("report %s: %d paragraphs, want %d", id, len(r.Paragraphs), n)
		}
		for _, rec := range r.Records() {
			got, _ := c.ix.Paragraph(ctx, rec.ID)
			if !reflect.DeepEqual(rec, *got) {
				t.Fatalf("Report(%s) paragraph %s differs from Paragraph", id, rec.ID)
			}
		}
	}
	res, err := c.ix.Search(ctx, Request{Query: "发展", Size: MaxSize})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{}
	for _, r := range c.records {
		want[r.ID] = r
	}
	for _, h := range res.Hits {
		if !reflect.DeepEqual(h.Record, want[h.ID]) {
			t.Fatalf("search hit %s differs from its record", h.ID)
		}
	}
}
