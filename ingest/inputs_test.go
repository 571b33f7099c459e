package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// inputTree makes a directory tree with one file or link of each kind the
// walk rule decides about and returns its root.
func inputTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	outside := t.TempDir()
	file := func(rel string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(root, rel)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	for _, rel := range []string{"a.txt", "B.TXT", "notes.md", ".hidden.txt", ".git/c.txt", "sub/d.txt", "dir.txt/e.txt", "sub/.x/f.txt"} {
		file(rel)
	}
	if err := os.WriteFile(filepath.Join(outside, "g.txt"), []byte("g"), 0o644); err != nil {
		t.Fatal(err)
	}
	link(filepath.Join(outside, "g.txt"), "link.txt")
	link(filepath.Join(root, "sub"), "linkdir.txt")
	link(filepath.Join(root, "nowhere"), "broken.txt")
	link(filepath.Join(outside, "g.txt"), "link.md")
	if err := syscall.Mkfifo(filepath.Join(root, "pipe.txt"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return root
}

// TestInputsFromPaths checks the walk rule on a made-up tree: what counts
// as a report file, what is skipped and what is an error naming its path.
func TestInputsFromPaths(t *testing.T) {
	root := inputTree(t)
	everything := []string{"B.TXT", "a.txt", "dir.txt/e.txt", "link.txt", "sub/d.txt"}
	cases := []struct {
		name  string
		paths []string // relative to root; "." is root itself
		want  []string // inputs, relative to root
		bad   []string // paths of the errors, relative to root
	}{
		{name: "a directory: .txt files in any case, hidden ones and other names skipped, file links followed",
			paths: []string{"."}, want: everything, bad: []string{"broken.txt", "pipe.txt"}},
		{name: "a file named directly counts whatever its name", paths: []string{"notes.md"}, want: []string{"notes.md"}},
		{name: "a hidden file named directly counts", paths: []string{".hidden.txt"}, want: []string{".hidden.txt"}},
		{name: "a hidden directory named directly is walked", paths: []string{".git"}, want: []string{".git/c.txt"}},
		{name: "a link named directly is followed", paths: []string{"link.md"}, want: []string{"link.md"}},
		{name: "a directory link named directly is walked", paths: []string{"linkdir.txt"}, want: []string{"linkdir.txt/d.txt"}},
		{name: "a directory named x.txt is walked", paths: []string{"dir.txt"}, want: []string{"dir.txt/e.txt"}},
		{name: "a missing path is an error", paths: []string{"missing.txt", "a.txt"}, want: []string{"a.txt"}, bad: []string{"missing.txt"}},
		{name: "a broken link named directly is an error", paths: []string{"broken.txt"}, bad: []string{"broken.txt"}},
		{name: "a named pipe named directly is an error", paths: []string{"pipe.txt"}, bad: []string{"pipe.txt"}},
		{name: "paths are listed in the order given", paths: []string{"sub", "a.txt"}, want: []string{"sub/d.txt", "a.txt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var paths []string
			for _, p := range c.paths {
				paths = append(paths, filepath.Join(root, p))
			}
			ins, err := InputsFromPaths(paths)
			var got []string
			for _, in := range ins {
				got = append(got, relTo(t, root, in.Name))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("inputs %q, want %q", got, c.want)
			}
			if bad := errorPaths(t, root, err); !slices.Equal(bad, c.bad) {
				t.Errorf("errors for %q (%v), want %q", bad, err, c.bad)
			}
		})
	}
}

// relTo returns name relative to root, in slash form.
func relTo(t *testing.T, root, name string) string {
	t.Helper()
	rel, err := filepath.Rel(root, name)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// errorPaths returns the paths the *FileErrors joined in err name,
// relative to root, and fails on any other error.
func errorPaths(t *testing.T, root string, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FileError
		if !errors.As(e, &fe) {
			t.Fatalf("%v is not a *FileError", e)
		}
		if !strings.Contains(e.Error(), fe.Path+": ") {
			t.Errorf("%q does not start with its path", e.Error())
		}
		out = append(out, relTo(t, root, fe.Path))
	}
	return out
}

// TestInputsUnreadable checks that a directory that cannot be read is an
// error naming it and that a file that cannot be read is listed and fails
// when it is read, naming it.
func TestInputsUnreadable(t *testing.T) {
	root := t.TempDir()
	locked := filepath.Join(root, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(root, "secret.txt")
	if err := os.WriteFile(secret, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{locked, secret} {
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	if _, err := os.ReadFile(secret); err == nil {
		t.Skip("permissions are not enforced for this user")
	}
	ins, err := InputsFromPaths([]string{root})
	if bad := errorPaths(t, root, err); !slices.Equal(bad, []string{"locked"}) {
		t.Errorf("errors for %q (%v), want the locked directory", bad, err)
	}
	if len(ins) != 1 || ins[0].Name != secret {
		t.Fatalf("inputs %v, want %s", ins, secret)
	}
	_, err = ins[0].Parse()
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != secret || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("reading an unreadable file: %v, want a *FileError naming %s", err, secret)
	}
}

// deniedFS refuses to read the entries of denied, as a file system does
// with a directory or file its user may not read.
type deniedFS struct {
	fstest.MapFS
	denied map[string]bool
}

func (d deniedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if d.denied[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return d.MapFS.ReadDir(name)
}

func (d deniedFS) ReadFile(name string) ([]byte, error) {
	if d.denied[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return d.MapFS.ReadFile(name)
}

// TestInputsFromFS checks the rule below a directory on an in-memory
// file system, as the embedded seed corpus is walked; entries that cannot
// be read are errors naming them whoever runs the test.
func TestInputsFromFS(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":          {Data: []byte("a")},
		"B.Txt":          {Data: []byte("b")},
		"notes.md":       {Data: []byte("n")},
		".hidden.txt":    {Data: []byte("h")},
		".git/c.txt":     {Data: []byte("c")},
		"sub/d.txt":      {Data: []byte("dd")},
		"dir.txt/e.txt":  {Data: []byte("e")},
		"pipe.txt":       {Mode: fs.ModeNamedPipe},
		"sub/.x/f.txt":   {Data: []byte("f")},
		"sub/.keep":      {Data: nil},
		"sub/g.TXT.orig": {Data: []byte("g")},
		"locked/h.txt":   {Data: []byte("h")},
		"secret.txt":     {Data: []byte("s")},
	}
	denied := deniedFS{fsys, map[string]bool{"locked": true, "secret.txt": true}}
	ins, err := InputsFromFS(denied)
	var got []string
	for _, in := range ins {
		got = append(got, in.Name)
		data, rerr := in.Read()
		if in.Name == "secret.txt" {
			if _, perr := in.Parse(); !errors.Is(perr, fs.ErrPermission) || !strings.HasPrefix(perr.Error(), "secret.txt: ") {
				t.Errorf("parsing an unreadable file: %v, want an error naming secret.txt", perr)
			}
			continue
		}
		if rerr != nil || int64(len(data)) != in.Size {
			t.Errorf("%s: read %q, %v; size %d", in.Name, data, rerr, in.Size)
		}
	}
	if want := []string{"B.Txt", "a.txt", "dir.txt/e.txt", "secret.txt", "sub/d.txt"}; !slices.Equal(got, want) {
		t.Errorf("inputs %q, want %q", got, want)
	}
	if bad := errorPaths(t, ".", err); !slices.Equal(bad, []string{"locked", "pipe.txt"}) {
		t.Errorf("errors for %q (%v), want locked and pipe.txt", bad, err)
	}
}
