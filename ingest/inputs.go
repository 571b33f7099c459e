package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Input discovery: which files of a directory tree are report files. Every
// program that reads reports from disk or from an embedded corpus lists
// them here, so that parsing (govsearch ingest), indexing (govsearch
// index, the seed index of govsearch serve) and the benchmark agree on what
// a corpus holds.
//
// A path named directly is taken as the user gave it: a file is a report
// file whatever its name, a directory is walked, a symbolic link is
// followed, and anything else (a missing path, a device, a socket) is an
// error naming the path. Below a directory:
//   - hidden files and directories (names starting with ".") are skipped;
//   - a file counts when its name ends in .txt, in any letter case; a
//     directory named x.txt is a directory;
//   - a symbolic link to a regular file counts as that file, under the
//     link's name; a link to a directory is not followed (it may loop or
//     leave the tree);
//   - a .txt name that is not a regular file (a named pipe, a device, a
//     broken link) and a directory that cannot be read are errors naming
//     the path; the walk goes on past them.
//
// Files are listed in lexical order, directory by directory; nothing is
// read until Input.Read is called.

// Input is one report file found by InputsFromPaths or InputsFromFS.
type Input struct {
	Name string // the source name given to Parse: the path as found
	Size int64  // bytes, for progress reports
	Read func() ([]byte, error)
}

// Parse reads and parses the input. A failure is a *FileError naming it.
func (in Input) Parse() (*File, error) {
	data, err := in.Read()
	if err != nil {
		return nil, pathError(in.Name, err)
	}
	return Parse(in.Name, data)
}

// errNotRegular is the error for a report file name that is not a regular
// file.
var errNotRegular = errors.New("not a regular file or directory")

// reportExt is the extension of report files found below a directory;
// ReportFiles names them in messages.
const (
	reportExt   = ".txt"
	ReportFiles = "*" + reportExt
)

// isReportName reports whether a file found below a directory is a report
// file by its name.
func isReportName(name string) bool {
	return !hidden(name) && strings.EqualFold(filepath.Ext(name), reportExt)
}

// hidden reports a name that a directory walk skips.
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// InputsFromPaths lists the report files named by paths (see the rules
// above). The error joins one *FileError per path that could not be
// listed; the inputs found are returned with it.
func InputsFromPaths(paths []string) ([]Input, error) {
	ins, errs := listPaths(paths)
	return ins, errors.Join(errs...)
}

// InputsFromFS lists the report files below the root of fsys, for example
// the embedded seed corpus, by the rules for a directory above. The error
// joins one *FileError per entry that could not be listed.
func InputsFromFS(fsys fs.FS) ([]Input, error) {
	ins, errs := listTree(fsys, func(p string) string { return p })
	return ins, errors.Join(errs...)
}

func listPaths(paths []string) (ins []Input, errs []error) {
	for _, root := range paths {
		fi, err := os.Stat(root)
		switch {
		case err != nil:
			errs = append(errs, pathError(root, err))
		case fi.Mode().IsRegular():
			ins = append(ins, fileInput(root, fi.Size()))
		case fi.IsDir():
			// os.DirFS reads the directory a named link points to.
			found, ferrs := listTree(os.DirFS(root), func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) })
			ins, errs = append(ins, found...), append(errs, ferrs...)
		default:
			errs = append(errs, pathError(root, errNotRegular))
		}
	}
	return ins, errs
}

func fileInput(path string, size int64) Input {
	return Input{Name: path, Size: size, Read: func() ([]byte, error) { return os.ReadFile(path) }}
}

// listTree walks fsys from its root; name turns a slash path of fsys into
// the name an input is given and files are read by.
func listTree(fsys fs.FS, name func(string) string) (ins []Input, errs []error) {
	// The callback never returns an error other than SkipDir, so WalkDir
	// does not fail: a failure is recorded and the walk goes on.
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// The root or a directory could not be read.
			errs = append(errs, pathError(name(p), err))
			return nil
		}
		if p == "." {
			return nil
		}
		if hidden(d.Name()) && d.IsDir() {
			return fs.SkipDir
		}
		if d.IsDir() || !isReportName(d.Name()) {
			return nil
		}
		// A link is judged by what it points to; fs.Stat follows it.
		var fi fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err = fs.Stat(fsys, p)
		} else {
			fi, err = d.Info()
		}
		switch {
		case err != nil:
			errs = append(errs, pathError(name(p), err))
		case fi.IsDir() && d.Type()&fs.ModeSymlink != 0:
			// A link to a directory is not followed.
		case !fi.Mode().IsRegular():
			errs = append(errs, pathError(name(p), errNotRegular))
		default:
			ins = append(ins, fsInput(fsys, p, name(p), fi.Size()))
		}
		return nil
	})
	return ins, errs
}

func fsInput(fsys fs.FS, p, name string, size int64) Input {
	return Input{Name: name, Size: size, Read: func() ([]byte, error) { return fs.ReadFile(fsys, p) }}
}

// pathError is a *FileError naming path. The operation and path an
// *fs.PathError adds would repeat what the FileError already says.
func pathError(path string, err error) *FileError {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &FileError{Path: path, Err: err}
}

// ReadPaths parses the report files named by paths (see InputsFromPaths)
// in order. Files that cannot be listed, read or parsed are reported in
// errs as *FileError; the others are still parsed.
func ReadPaths(paths []string) (files []*File, errs []error) {
	ins, errs := listPaths(paths)
	return parseInputs(ins, errs)
}

// ReadFS parses the report files of fsys (see InputsFromFS), e.g. the
// embedded seed corpus, like ReadPaths.
func ReadFS(fsys fs.FS) (files []*File, errs []error) {
	ins, errs := listTree(fsys, func(p string) string { return p })
	return parseInputs(ins, errs)
}

func parseInputs(ins []Input, errs []error) ([]*File, []error) {
	var files []*File
	for _, in := range ins {
		if f, err := in.Parse(); err != nil {
			errs = append(errs, err)
		} else {
			files = append(files, f)
		}
	}
	return files, errs
}
