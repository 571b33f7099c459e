package index

import (
	"context"
	"errors"
)

// RefreshOptions tune Refresh.
type RefreshOptions struct {
	BuildOptions
	// Rebuild builds a new generation even when the index is current.
	Rebuild bool
	// KeepCurrent uses a current index as it is instead of indexing the
	// inputs into it, once Verify has passed it (an index that fails is
	// stale): a server starts on the index it was given.
	KeepCurrent bool
	// BeforeBuild, when set, is called before a build with the reason: an
	// error wrapping ErrNoIndex or ErrStale, or nil when Rebuild asked for
	// the build. An error it returns ends Refresh without building.
	BeforeBuild func(reason error) error
}

// Refreshed says what Refresh did.
type Refreshed struct {
	Index *Index      // the index, open; the caller closes it
	Built bool        // a new generation was built; otherwise the current one was updated or kept
	Stats *BuildStats // the build or update; nil when the index was kept
}

// Refresh brings the index in dir up to date with inputs, choosing between
// the two ways of writing an index:
//
//   - dir holds no index (ErrNoIndex), or one this program cannot use
//     as it is (ErrStale: another analyzer or layout version, or documents
//     that disagree with the manifest): Build a new generation from inputs;
//   - dir holds a current index: Update it with inputs, so each file's
//     reports replace those it produced before; with KeepCurrent, leave it
//     as it is; with Rebuild, build a new generation instead.
//
// Any other failure to open the index, such as ErrLocked, is returned as
// it is: rebuilding would not cure it.
func Refresh(ctx context.Context, dir string, inputs []Input, opts RefreshOptions) (*Refreshed, error) {
	if opts.Rebuild {
		return buildAndOpen(ctx, dir, inputs, opts, nil)
	}
	ix, err := Open(dir)
	if err == nil {
		return refreshCurrent(ctx, ix, dir, inputs, opts)
	}
	if errors.Is(err, ErrNoIndex) || errors.Is(err, ErrStale) {
		return buildAndOpen(ctx, dir, inputs, opts, err)
	}
	return nil, err
}

// refreshCurrent updates or keeps the open index ix of dir.
func refreshCurrent(ctx context.Context, ix *Index, dir string, inputs []Input, opts RefreshOptions) (*Refreshed, error) {
	if opts.KeepCurrent {
		// Open checks the manifest's totals; Verify checks every report's
		// paragraphs, so a partial report is never served.
		err := ix.Verify(ctx)
		if err == nil {
			return &Refreshed{Index: ix}, nil
		}
		ix.Close()
		if !errors.Is(err, ErrStale) {
			return nil, err
		}
		return buildAndOpen(ctx, dir, inputs, opts, err)
	}
	st, err := ix.Update(ctx, inputs, opts.BuildOptions)
	if err != nil {
		ix.Close()
		return nil, err
	}
	return &Refreshed{Index: ix, Stats: st}, nil
}

// buildAndOpen builds a new generation in dir for Refresh and opens it.
func buildAndOpen(ctx context.Context, dir string, inputs []Input, opts RefreshOptions, reason error) (*Refreshed, error) {
	if opts.BeforeBuild != nil {
		if err := opts.BeforeBuild(reason); err != nil {
			return nil, err
		}
	}
	st, err := Build(ctx, dir, inputs, opts.BuildOptions)
	if err != nil {
		return nil, err
	}
	ix, err := Open(dir)
	if err != nil {
		return nil, err
	}
	return &Refreshed{Index: ix, Built: true, Stats: st}, nil
}
