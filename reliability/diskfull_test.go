package reliability

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"govsearch/index"
	"govsearch/internal/testcorpus"
)

// mountTmpfs mounts a tmpfs of sizeMB megabytes on a new directory and
// unmounts it when the test ends. It skips the test unless it runs as root
// and the mount succeeds.
func mountTmpfs(t *testing.T, sizeMB int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk-full tests mount a tmpfs and need root")
	}
	dir, err := os.MkdirTemp("", "govsearch-full-")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
		os.Remove(dir)
	})
	return dir
}

// resizeTmpfs gives a mounted tmpfs a new size.
func resizeTmpfs(t *testing.T, dir string, sizeMB int) {
	t.Helper()
	out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%dm", sizeMB), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("resizing the tmpfs: %v %s", err, out)
	}
}

// TestDiskFullDuringUpload fills a small tmpfs under a running server with
// uploads: an upload that cannot be written fails with a clear JSON error,
// searches keep answering, and once space returns re-uploading everything
// gives the exact counts, also after a restart.
func TestDiskFullDuringUpload(t *testing.T) {
	// National reports, newest first, are uploaded until the disk is full.
	// Uploading the seeds again would only replace what the server
	// indexed at start; the full disk of a seed build is
	// TestDiskFullDuringBuild.
	paths, _ := filepath.Glob(filepath.Join(testcorpus.Need(t, "national"), "*_国务院_政府工作报告.txt"))
	if len(paths) == 0 {
		t.Fatal("no national reports in the shared corpus")
	}
	slices.Reverse(paths)
	var files []corpusFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, corpusFile{name: filepath.Base(p), path: p, data: data})
	}
	mnt := mountTmpfs(t, envInt(t, "GOVSEARCH_DISKFULL_MB", 5))
	dir := filepath.Join(mnt, "index")

	srv := serve(t, dir)
	var failed *corpusFile
	acked := 0
	for i, f := range files {
		status, body, err := do("POST", srv.url("/api/reports?source="+url.QueryEscape(f.name)), adminKey, "text/plain", bytes.NewReader(f.data))
		if err != nil {
			t.Fatalf("POST %s: %v\n%s", f.name, err, lastLine(srv.stderr.String()))
		}
		if status == 201 {
			acked++
			continue
		}
		failed = &files[i]
		var e struct {
			Error struct{ Code, Message string }
		}
		if status < 500 || json.Unmarshal(body, &e) != nil || e.Error.Code == "" {
			t.Fatalf("POST %s on a full disk: status %d, body %s: want a JSON 5xx error", f.name, status, body)
		}
		t.Logf("POST %s on a full disk: %d %s", f.name, status, body)
		if msg := strings.ToLower(e.Error.Message); status != 507 || (!strings.Contains(msg, "space") && !strings.Contains(msg, "disk")) {
			t.Errorf("the error of an upload on a full disk does not say the disk is full: %d %s", status, body)
		}
		break
	}
	if failed == nil {
		t.Fatalf("all %d uploads fitted: make GOVSEARCH_DISKFULL_MB smaller", len(files))
	}
	t.Logf("%d uploads acknowledged before the disk was full", acked)
	// From here on the files are those uploaded and the one that failed.
	files = files[:acked+1]
	exp := expect(t, append(seedCorpus(t), files...))

	// Searches and reads keep answering on the full disk.
	for _, q := range []string{"一网通办", "经济", "放管服", "人民"} {
		t.Run("search "+q, func(t *testing.T) {
			status, body, err := do("GET", srv.url("/api/search?q="+url.QueryEscape(q)), searchKey, "", nil)
			if err != nil || status != 200 || !json.Valid(body) {
				t.Errorf("search %s on a full disk: %d %v %.200s", q, status, err, body)
			}
		})
	}
	if status, _, err := do("GET", srv.url("/readyz"), "", "", nil); err != nil || status != 200 {
		t.Errorf("readyz on a full disk: %d %v", status, err)
	}

	// Space returns: re-uploading everything succeeds.
	resizeTmpfs(t, mnt, 256)
	for _, f := range files {
		status, body, err := do("POST", srv.url("/api/reports?source="+url.QueryEscape(f.name)), adminKey, "text/plain", bytes.NewReader(f.data))
		if err != nil || status != 201 {
			t.Fatalf("POST %s after space returned: %d %v %s", f.name, status, err, body)
		}
	}
	srv.stop(t)

	ix, err := index.Open(dir)
	if err != nil {
		t.Fatalf("after a write failed on the full disk and the uploads were repeated, the index does not reopen: %v", err)
	}
	ix.Close()
	st := checkIndex(t, dir, exp, nil, nil, true)
	t.Logf("after space returned: %d reports, %d paragraphs", st.reports, st.paragraphs)
}

// TestDiskFullDuringBuild runs the indexer on a tmpfs too small for the
// seed index: it fails with a clear error, leaves no index and no partial
// generation behind, and once space returns a re-run gives the exact counts.
func TestDiskFullDuringBuild(t *testing.T) {
	// The seed index of format 11 takes about 1.7 MB; 1 MB cannot hold it.
	mnt := mountTmpfs(t, 1)
	dir := filepath.Join(mnt, "index")
	seeds := seedCorpus(t)
	exp := expect(t, seeds)
	paths := make([]string, len(seeds))
	for i, f := range seeds {
		paths[i] = f.path
	}
	cmd := indexCommand(t, dir, paths, false)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("indexing the seeds into 1 MB succeeded:\n%s", out)
	}
	t.Logf("indexer on a full disk: %v: %s", err, lastLine(string(out)))
	if !strings.Contains(string(out), "no space left on device") {
		t.Errorf("the indexer's error does not say the disk is full:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "CURRENT")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed build left CURRENT behind: %v", err)
	}
	if n := countGenerations(dir); n != 0 {
		t.Errorf("a failed build left %d generation directories behind", n)
	}

	resizeTmpfs(t, mnt, 256)
	runIndex(t, dir, paths)
	st := checkIndex(t, dir, exp, nil, nil, true)
	t.Logf("after space returned: %d reports, %d paragraphs", st.reports, st.paragraphs)
}
