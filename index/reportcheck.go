package index

import (
	"errors"
	"fmt"
	"strings"

	"govsearch/ingest"
)

// validateReports checks the reports of one file: ids present and unique,
// paragraphs that belong to their report. seen maps report ids already
// taken to their source; it is extended on success.
func validateReports(reports []ingest.Report, seen map[string]string, source string) error {
	local := map[string]bool{}
	for i := range reports {
		r := &reports[i]
		if err := validateReport(r); err != nil {
			return &ingest.FileError{Path: source, Err: err}
		}
		if other, dup := seen[r.ID]; dup {
			return &ingest.FileError{Path: source, Err: fmt.Errorf("report id %q is also produced by %s", r.ID, other)}
		}
		if local[r.ID] {
			return &ingest.FileError{Path: source, Err: fmt.Errorf("report id %q appears twice", r.ID)}
		}
		local[r.ID] = true
	}
	for id := range local {
		seen[id] = source
	}
	return nil
}

// validateReport checks one report; a paragraph without a report id gets
// its report's.
func validateReport(r *ingest.Report) error {
	if r.ID == "" {
		return errors.New("a report has no id")
	}
	if len(r.Paragraphs) == 0 {
		return fmt.Errorf("report %q has no paragraphs", r.ID)
	}
	ids := make(map[string]bool, len(r.Paragraphs))
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		switch {
		case p.ID == "":
			return fmt.Errorf("report %q: paragraph %d has no id", r.ID, i+1)
		case strings.HasPrefix(p.ID, reportDocPrefix):
			return fmt.Errorf("report %q: paragraph id %q is reserved", r.ID, p.ID)
		case ids[p.ID]:
			return fmt.Errorf("report %q: paragraph id %q appears twice", r.ID, p.ID)
		}
		if p.ReportID == "" {
			p.ReportID = r.ID
		} else if p.ReportID != r.ID {
			return fmt.Errorf("report %q: paragraph %q names report %q", r.ID, p.ID, p.ReportID)
		}
		ids[p.ID] = true
	}
	return nil
}
