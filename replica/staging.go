package replica

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"govsearch/index"
)

// staging is where the writer's copy of its index goes before upload. A
// segment file the last publication already listed (same name, same size)
// is not written again: segment files are immutable and one index never
// reuses a name, so its checksum is known and its object is in the store.
// Only the new segments and the small files that change with every write
// reach the disk, which keeps a publication's cost near the size of the
// write rather than of the index.
type staging struct {
	root  string
	known map[string]File // segment files of the last publication, by path

	mu      sync.Mutex
	used    []string                // every path the copy wrote, slash-separated
	skipped map[string]*countWriter // known segments, not written
}

// wasSkipped reports whether the file at path was not written.
func (s *staging) wasSkipped(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.skipped[path]
	return ok
}

func newStaging(root string, known map[string]File) *staging {
	return &staging{root: root, known: known, skipped: map[string]*countWriter{}}
}

// GetWriter implements index.CopyTarget.
func (s *staging) GetWriter(path string) (io.WriteCloser, error) {
	rel := filepath.ToSlash(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used = append(s.used, rel)
	if f, ok := s.known[rel]; ok && isSegment(rel) {
		w := &countWriter{want: f.Size}
		s.skipped[rel] = w
		return w, nil
	}
	return index.CopyDir(s.root).GetWriter(path)
}

// files lists the copy's files with their checksums, hashing only the ones
// written, and returns the segment files for the next round's known.
func (s *staging) files() ([]File, map[string]File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	segments := map[string]File{}
	for _, rel := range s.used {
		f, ok := s.known[rel]
		if w, skipped := s.skipped[rel]; skipped {
			if !ok || w.n != f.Size {
				return nil, nil, fmt.Errorf("segment %s was %d bytes and is now %d", rel, f.Size, w.n)
			}
		} else {
			size, sum, err := hashFile(filepath.Join(s.root, filepath.FromSlash(rel)))
			if err != nil {
				return nil, nil, err
			}
			f = File{Path: rel, Size: size, SHA256: sum}
		}
		out = append(out, f)
		if isSegment(rel) {
			segments[rel] = f
		}
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, segments, nil
}

// isSegment reports whether a path names a scorch segment file.
func isSegment(path string) bool { return strings.HasSuffix(path, ".zap") }

// countWriter counts and discards what it is given.
type countWriter struct {
	want, n int64
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func (w *countWriter) Close() error { return nil }
