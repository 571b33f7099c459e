package replica

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"govsearch/index"
)

// Generation is a published, immutable copy of the writer's index: the
// value of KeyCurrent. Its files are objects of BucketFiles named by
// ObjectName.
type Generation struct {
	// Name is "gen-" and Seq; replicas store the generation under it.
	Name string `json:"name"`
	// Seq numbers publications, one more than the previous one.
	Seq uint64 `json:"seq"`
	// Manifest is the index manifest the copy was taken with; a replica
	// refuses a generation whose index says otherwise.
	Manifest index.Manifest `json:"manifest"`
	// Files are the bleve index's files, sorted by path.
	Files []File `json:"files"`
	// Writer names the process that published it, Published when.
	Writer    string    `json:"writer"`
	Published time.Time `json:"published"`
	// Checksum is "sha256:" and the hex SHA-256 of the generation's JSON
	// with Checksum empty: it covers the name, the manifest and every
	// file's checksum.
	Checksum string `json:"checksum"`
}

// File is one file of a generation.
type File struct {
	Path   string `json:"path"` // slash-separated, relative to the bleve index directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// ObjectName is the name of the object that holds a file's content.
func (f File) ObjectName() string { return "files/" + f.SHA256 }

// genName names the generation of publication seq.
func genName(seq uint64) string { return "gen-" + strconv.FormatUint(seq, 10) }

// sum computes the generation's checksum.
func (g Generation) sum() (string, error) {
	g.Checksum = ""
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:]), nil
}

// Seal sets the checksum; a publisher calls it last.
func (g *Generation) Seal() error {
	s, err := g.sum()
	g.Checksum = s
	return err
}

// DecodeGeneration reads and checks a published generation (the value of
// KeyCurrent): its checksum, its name and its file list. The files
// themselves are checked when they are downloaded.
func DecodeGeneration(raw []byte) (*Generation, error) {
	var g Generation
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("the published generation is not valid JSON: %v", err)
	}
	want, err := g.sum()
	if err != nil {
		return nil, err
	}
	if g.Checksum != want {
		return nil, fmt.Errorf("generation %q: its checksum %q does not match its content (%s)", g.Name, g.Checksum, want)
	}
	if g.Name != genName(g.Seq) {
		return nil, fmt.Errorf("generation %q: the name does not match its number %d", g.Name, g.Seq)
	}
	if len(g.Files) == 0 {
		return nil, fmt.Errorf("generation %s lists no files", g.Name)
	}
	seen := map[string]bool{}
	for _, f := range g.Files {
		if err := checkFile(f); err != nil {
			return nil, fmt.Errorf("generation %s: %w", g.Name, err)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("generation %s lists %s twice", g.Name, f.Path)
		}
		seen[f.Path] = true
	}
	return &g, nil
}

// checkFile refuses a file entry that could write outside the generation
// or does not name a checksum.
func checkFile(f File) error {
	p := f.Path
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, `\`) {
		return fmt.Errorf("file path %q is not a plain relative path", p)
	}
	if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
		return fmt.Errorf("file %s: checksum %q is not a hex SHA-256", p, f.SHA256)
	}
	if f.Size < 0 {
		return fmt.Errorf("file %s: negative size", p)
	}
	return nil
}

// hashFile returns a file's size and hex SHA-256.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// listFiles lists every regular file below dir with its size and checksum,
// sorted by path; the files in unhashed get no checksum.
func listFiles(dir string, unhashed map[string]bool) ([]File, error) {
	var out []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if unhashed[rel] {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, File{Path: rel, Size: fi.Size()})
			return nil
		}
		size, sum, err := hashFile(p)
		if err != nil {
			return err
		}
		out = append(out, File{Path: rel, Size: size, SHA256: sum})
		return nil
	})
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, err
}

// errMismatch marks a generation whose content does not match what it
// claims; it is refused, not retried.
var errMismatch = errors.New("does not match the published generation")

// verifyFiles checks that dir holds exactly the files of g with their sizes
// and checksums. Files in linked are links to files of a generation that was
// verified when it was installed: only their sizes are checked.
func verifyFiles(dir string, g *Generation, linked map[string]bool) error {
	got, err := listFiles(dir, linked)
	if err != nil {
		return err
	}
	want := map[string]File{}
	for _, f := range g.Files {
		want[f.Path] = f
	}
	for _, f := range got {
		w, ok := want[f.Path]
		switch {
		case !ok:
			return fmt.Errorf("file %s is not part of generation %s: %w", f.Path, g.Name, errMismatch)
		case w.Size != f.Size || (!linked[f.Path] && w.SHA256 != f.SHA256):
			return fmt.Errorf("file %s: %d bytes with SHA-256 %s, the generation lists %d bytes with %s: %w", f.Path, f.Size, f.SHA256, w.Size, w.SHA256, errMismatch)
		}
		delete(want, f.Path)
	}
	for p := range want {
		return fmt.Errorf("file %s of generation %s is missing: %w", p, g.Name, errMismatch)
	}
	return nil
}

// sameManifest reports how the index's manifest differs from the published
// one, or nil.
func sameManifest(published, opened index.Manifest) error {
	if published != opened {
		return fmt.Errorf("the index's manifest (format %s, analyzer %s, %d reports, %d paragraphs, written %s) differs from the published one (format %s, analyzer %s, %d reports, %d paragraphs, written %s): %w",
			opened.Format, opened.Analyzer, opened.Reports, opened.Paragraphs, opened.Updated,
			published.Format, published.Analyzer, published.Reports, published.Paragraphs, published.Updated, errMismatch)
	}
	return nil
}

// descriptorFile, in a replica's generation directory, holds the Generation
// it was installed from, so a restarted replica knows what it serves.
const descriptorFile = "published.json"

// writeDescriptor stores g in the generation directory genDir.
func writeDescriptor(genDir string, g *Generation) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(genDir, descriptorFile))
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readDescriptor reads the Generation stored in genDir, or nil when there
// is none or it does not verify.
func readDescriptor(genDir string) *Generation {
	b, err := os.ReadFile(filepath.Join(genDir, descriptorFile))
	if err != nil {
		return nil
	}
	g, err := DecodeGeneration(b)
	if err != nil {
		return nil
	}
	return g
}
