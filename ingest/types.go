// Package ingest turns raw report files into reports and paragraphs with
// metadata. It imports no search library: its output is plain data that the
// index, the CLI and other tools read.
package ingest

// Levels of government a report can come from.
const (
	LevelDistrict = "district"
	LevelCity     = "city"
	LevelProvince = "province"
	LevelNational = "national"
)

// Part kinds: what a top-level part of a report is about.
const (
	PartOpening      = "opening"        // the title block and the salutation before the first part
	PartReview       = "review"         // the past year's or the past five years' work and results
	PartPlan         = "plan"           // the coming year's targets and tasks
	PartFiveYearPlan = "five_year_plan" // a five-year plan (“十五五”时期…)
	PartSelfBuilding = "self_building"  // the government's own conduct (政府自身建设)
	PartAppendix     = "appendix"       // appendices: lists of projects, practical matters
	PartGlossary     = "glossary"       // explanations of terms
	PartOther        = "other"          // a part none of the above fits
)

// Paragraph kinds.
const (
	KindHeading  = "heading"
	KindBody     = "body"
	KindList     = "list"
	KindGlossary = "glossary"
)

// The values each enumerated field can take, in display order. Filters and
// query parsers check against these.
var (
	Levels    = []string{LevelDistrict, LevelCity, LevelProvince, LevelNational}
	PartKinds = []string{PartOpening, PartReview, PartPlan, PartFiveYearPlan, PartSelfBuilding, PartAppendix, PartGlossary, PartOther}
	Kinds     = []string{KindHeading, KindBody, KindList, KindGlossary}
)

// Meta is a report's metadata. Its JSON names are a contract shared by
// `govsearch ingest --json`, the HTTP API and the export.
type Meta struct {
	Title        string `json:"title"`
	Region       string `json:"region"`
	Level        string `json:"level"`
	Parent       string `json:"parent"`
	Year         int    `json:"year"`
	Date         string `json:"date"`
	Speaker      string `json:"speaker"`
	SpeakerTitle string `json:"speaker_title"`
	Session      string `json:"session"`
	Source       string `json:"source"`
}

// Report is one government work report: its metadata and its paragraphs in
// reading order.
type Report struct {
	ID string `json:"id"`
	Meta
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Paragraph is the unit of search. Start and End are byte offsets of the
// paragraph's span in the source file (after decoding to UTF-8), so a
// citation can point back into the original.
type Paragraph struct {
	ID       string `json:"id"`
	ReportID string `json:"report_id"`
	Ordinal  int    `json:"ordinal"`
	Part     string `json:"part"`
	PartKind string `json:"part_kind"`
	Section  string `json:"section"`
	Kind     string `json:"kind"`
	// Term and Definition are set on glossary paragraphs (名词解释 entries).
	Term       string `json:"term"`
	Definition string `json:"definition"`
	Text       string `json:"text"`
	Start      int    `json:"start"`
	End        int    `json:"end"`
}

// Record is a paragraph together with its report's metadata: one line of
// `govsearch ingest --json`, and the shape of a search hit.
type Record struct {
	Paragraph
	Meta
}

// Records flattens a report into one record per paragraph.
func (r *Report) Records() []Record {
	out := make([]Record, len(r.Paragraphs))
	for i, p := range r.Paragraphs {
		out[i] = Record{Paragraph: p, Meta: r.Meta}
	}
	return out
}
