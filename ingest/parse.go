package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PLACEHOLDER: a naive splitter (blank-line paragraphs, one report per file)
// so that downstream packages can be built against the API below. It is
// replaced by the real parser.

// File is the outcome of parsing one input file.
type File struct {
	Source    string         // file name as given
	Reports   []Report       // reports found, in file order
	Dropped   int            // boilerplate units dropped
	DroppedBy map[string]int // dropped units per rule name
	Warnings  []string
}

// FileError reports a file that could not be parsed.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Parse parses one file's raw bytes. source names the file in metadata and errors.
func Parse(source string, data []byte) (*File, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	f := &File{Source: source, DroppedBy: map[string]int{}}
	id := strings.TrimSuffix(filepath.Base(source), filepath.Ext(source))
	r := Report{ID: id, Meta: Meta{Title: "政府工作报告", Region: "未知", Level: LevelDistrict, Year: 2020, Source: filepath.Base(source)}}
	off := 0
	for _, block := range strings.Split(text, "\n\n") {
		start := off
		off += len(block) + 2
		t := strings.TrimSpace(block)
		if t == "" {
			continue
		}
		n := len(r.Paragraphs) + 1
		r.Paragraphs = append(r.Paragraphs, Paragraph{ID: fmt.Sprintf("%s-%d", id, n), ReportID: id, Ordinal: n, Kind: KindBody, PartKind: PartOther, Text: t, Start: start, End: start + len(block)})
	}
	if len(r.Paragraphs) == 0 {
		return nil, &FileError{Path: source, Err: fmt.Errorf("no report found")}
	}
	f.Reports = []Report{r}
	return f, nil
}

// ParseFile reads and parses one file.
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return Parse(path, data)
}

// ReadPaths parses files and every regular file below directories. Files
// that fail are reported in errs; the others are still parsed.
func ReadPaths(paths []string) (files []*File, errs []error) {
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &FileError{Path: path, Err: err})
				return nil
			}
			if d.IsDir() {
				return nil
			}
			f, err := ParseFile(path)
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			files = append(files, f)
			return nil
		})
	}
	return files, errs
}

// ReadFS parses every regular file of fsys (e.g. the embedded seed corpus).
func ReadFS(fsys fs.FS) (files []*File, errs []error) {
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err == nil {
			var f *File
			if f, err = Parse(path, data); err == nil {
				files = append(files, f)
				return nil
			}
		}
		errs = append(errs, err)
		return nil
	})
	return files, errs
}
