package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/natstest"
)

// runHelper is the body of the test binary when it runs as a helper
// process; it returns the exit status.
//
//	index DIR PATH...     build (no index yet, or a stale one) or update
//	                      the index, as `govsearch index` does
//	rebuild DIR PATH...   build a new generation, as `govsearch index --rebuild`
//	nats-node FLAGS...    run a NATS cluster node (natstest.NodeMain)
func runHelper(mode string, args []string) int {
	// The test binary's own flags come first; the helper's follow "--".
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	switch mode {
	case "nats-node":
		return natstest.NodeMain(args)
	case "index", "rebuild":
		if len(args) < 2 {
			fmt.Fprintf(os.Stderr, "helper %s: want DIR PATH...\n", mode)
			return 2
		}
		if err := helperIndex(args[0], args[1:], mode == "rebuild"); err != nil {
			fmt.Fprintf(os.Stderr, "helper %s: %v\n", mode, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// helperIndex builds the index in dir from paths, or updates it when it
// exists and rebuild is false, by the rule `govsearch index` follows.
func helperIndex(dir string, paths []string, rebuild bool) error {
	inputs, err := ingest.InputsFromPaths(paths)
	if err != nil {
		return err
	}
	// Small batches give a build many commits for kills to land between.
	res, err := index.Refresh(context.Background(), dir, inputs, index.RefreshOptions{
		BuildOptions: index.BuildOptions{BatchSize: 50}, Rebuild: rebuild})
	if err != nil {
		return err
	}
	if err := res.Index.Close(); err != nil {
		return err
	}
	st := res.Stats
	if len(st.Errors) > 0 {
		return fmt.Errorf("files skipped: %v", st.Errors)
	}
	fmt.Printf("indexed %d reports, %d paragraphs\n", st.Reports, st.Paragraphs)
	return nil
}

var (
	indexCmdOnce sync.Once
	indexCmdOK   bool
)

// haveIndexCommand reports whether the built binary has the `index`
// subcommand.
func haveIndexCommand(t testing.TB) bool {
	t.Helper()
	needBinary(t)
	indexCmdOnce.Do(func() {
		out, _ := exec.Command(binary, "index", "-h").CombinedOutput()
		indexCmdOK = !strings.Contains(string(out), "unknown command")
	})
	return indexCmdOK
}

// indexCommand returns the command line that indexes paths into dir: the
// binary's `govsearch index` when it has one, else this test binary as a
// helper doing the same through the index package. With rebuild it builds
// a new generation even when an index exists.
func indexCommand(t testing.TB, dir string, paths []string, rebuild bool) *exec.Cmd {
	t.Helper()
	if haveIndexCommand(t) {
		// Small batches give a build many commits for kills to land between.
		args := []string{"index", "--index", dir, "--batch", "50"}
		if rebuild {
			args = append(args, "--rebuild")
		}
		cmd := exec.Command(binary, append(args, paths...)...)
		cmd.Env = cleanEnv()
		return cmd
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mode := "index"
	if rebuild {
		mode = "rebuild"
	}
	cmd := exec.Command(self, append([]string{"-test.run=^$", "--", dir}, paths...)...)
	cmd.Env = append(cleanEnv(), helperEnv+"="+mode)
	return cmd
}
