package index

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/blevesearch/bleve/v2"
)

// This file is what replication needs of an index directory: a consistent
// copy of an open index after a committed write, and a way to add a
// generation made elsewhere (downloaded from the writer) that is checked
// before it becomes current.

// Manifest is what a generation records about itself: the format and
// analyzer versions it was written with, its report and paragraph counts,
// and when it was last written.
type Manifest = manifest

// Manifest returns the manifest of the open index as of its last committed
// write.
func (ix *Index) Manifest() Manifest { return *ix.man.Load() }

// CopyTarget receives the files of a copy of an index (bleve's
// index.Directory): GetWriter creates the file at path, relative to the
// copy's root, and returns its writer; the bolt root "store/root.bolt" must
// be an *os.File.
type CopyTarget interface {
	GetWriter(path string) (io.WriteCloser, error)
}

// CopyDir is the CopyTarget that writes the files below dir.
func CopyDir(dir string) CopyTarget { return bleve.FileSystemDirectory(dir) }

// CopyCommitted writes a complete bleve index into dst (CopyDir of a
// directory that does not exist yet or is empty), equal to the open index
// as of its last committed write, and returns that write's manifest. Writes
// wait while the copy runs, so it never holds half of one (a write is two
// batches: the documents with the manifest, then the field statistics);
// searches go on. Segment files are copied, not linked, because the copy
// outlives them.
func (ix *Index) CopyCommitted(dst CopyTarget) (Manifest, error) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	c, ok := ix.bi.(bleve.IndexCopyable)
	if !ok {
		return Manifest{}, errors.New("index: this bleve index cannot be copied online")
	}
	if err := c.CopyTo(dst); err != nil {
		return Manifest{}, fmt.Errorf("index: copying %s: %w", ix.gen, err)
	}
	return *ix.man.Load(), nil
}

// AddGeneration adds a generation to the index directory dir from files
// written elsewhere. fill writes a bleve index (as CopyCommitted does) into
// the directory it is given. The generation is then opened, which checks its
// manifest against this program's format and analyzer and against its
// document count, and accept checks it further; only if all pass does it
// become current (see switchCurrent). It returns the open generation; on any
// failure the new generation is removed and CURRENT is left as it was.
//
// number names the generation (gen-number) when it is positive and no
// directory has that name yet; otherwise the next free number is taken.
func AddGeneration(dir string, number int, fill func(bleveDir string) error, accept func(*Index) error) (*Index, error) {
	gen, err := claimGeneration(dir, number)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(gen)
		}
	}()
	if err := fill(filepath.Join(gen, bleveDir)); err != nil {
		return nil, err
	}
	ix, err := openGeneration(dir, gen)
	if err != nil {
		return nil, err
	}
	if accept != nil {
		if err := accept(ix); err != nil {
			ix.Close()
			return nil, err
		}
	}
	if err := syncDir(gen); err != nil {
		ix.Close()
		return nil, err
	}
	if err := switchCurrent(dir, gen); err != nil {
		ix.Close()
		return nil, err
	}
	ok = true
	ix.warm()
	return ix, nil
}

// claimGeneration creates the directory of generation number in dir, or of
// the next free one (see AddGeneration).
func claimGeneration(dir string, number int) (string, error) {
	if number <= 0 {
		return newGeneration(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	gen := filepath.Join(dir, genPrefix+strconv.Itoa(number))
	err := os.Mkdir(gen, 0o755)
	if errors.Is(err, os.ErrExist) {
		return newGeneration(dir)
	}
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	return gen, nil
}

// RemoveGenerationsExcept deletes every generation directory of dir other
// than the current one and keep (which may be ""). A replica calls it once
// the generation it served before has no reader left.
func RemoveGenerationsExcept(dir, keep string) {
	cur, _ := currentGeneration(dir)
	for _, n := range generations(dir) {
		gen := filepath.Join(dir, genPrefix+strconv.Itoa(n))
		if gen != cur && gen != keep {
			_ = os.RemoveAll(gen)
		}
	}
}

// BleveDir returns the directory of the open generation's bleve index, the
// directory AddGeneration's fill writes.
func (ix *Index) BleveDir() string { return filepath.Join(ix.gen, bleveDir) }
