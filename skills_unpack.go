package managedagents

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-managedagents/managedagents/internal/skillarchive"
	"github.com/go-managedagents/managedagents/option"
)

// ErrSkillArchive is matched (errors.Is) by the errors of
// [SkillVersionService.Unpack] about the archive's content: an unknown or
// corrupt format, a member that would leave the directory, a name given
// twice, more than [MaxSkillFiles] members or [MaxSkillBytes] bytes.
var ErrSkillArchive = skillarchive.ErrArchive

// SkillVersionUnpackParams are the parameters of [SkillVersionService.Unpack].
type SkillVersionUnpackParams struct {
	// Dir is the directory that receives the skill's files (the archive's
	// top directory, named after the skill, is stripped). Required. It must
	// not exist or be empty, unless Replace is set.
	Dir string
	// Replace replaces an existing Dir: the new files are put in place
	// first, then the old directory is removed.
	Replace bool
}

// Unpack downloads a version of a skill and unpacks its files into
// params.Dir, and returns the version. version is its id or
// [SkillVersionLatest] (resolved first, with Get). The archive goes to a
// temporary file (a zip is read out of order), then its files to a new
// directory next to Dir, renamed to Dir once complete: on failure nothing is
// left behind, and Dir never holds part of a skill.
//
// Unpacking is safe whatever the archive holds: a member whose name is
// absolute or leaves the directory ("..", a backslash, a drive letter) makes
// the archive refused, symbolic links and special files are skipped, every
// write goes through an os.Root on the new directory, files get mode 0644
// (0755 when executable), and the archive and its content are capped at
// [MaxSkillBytes] bytes and [MaxSkillFiles] members (counted as written,
// not as declared). Such refusals match [ErrSkillArchive].
//
// GET /v1/skills/{skill_id}/versions/{version}, then GET
// /v1/skills/{skill_id}/versions/{version}/content
func (s *SkillVersionService) Unpack(ctx context.Context, skillID, version string, params SkillVersionUnpackParams, opts ...option.RequestOption) (*SkillVersion, error) {
	if params.Dir == "" {
		return nil, invalid("dir", "is required")
	}
	// The version's id names it in the download's path: an answer whose id
	// cannot is a *ResponseError of the Get, not a fault of params.
	var v SkillVersion
	err := s.client.send(ctx, skillsVersionsRetrieve.At(skillID, version), opts, func(data []byte) error {
		if err := jsonInto(&v)(data); err != nil {
			return err
		}
		if err := cmp.Or(checkID("id", v.ID), refuseLatest(v.ID)); err != nil {
			return fmt.Errorf("the version's id %q cannot name it in a path: %s", v.ID, causeText(err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d, err := s.Download(ctx, skillID, v.ID, SkillVersionDownloadParams{}, opts...)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	archive, size, err := spool(d, skillarchive.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("%sskill %s version %s: %w", errPrefix, skillID, v.ID, err)
	}
	defer os.Remove(archive.Name())
	defer archive.Close()
	if err := unpackInto(params.Dir, params.Replace, archive, size); err != nil {
		return nil, fmt.Errorf("%sskill %s version %s: %w", errPrefix, skillID, v.ID, err)
	}
	return &v, nil
}

// spool copies r, at most max bytes of it, to a new temporary file, and
// returns the file and its size.
func spool(r io.Reader, max int64) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "managedagents-skill-*.archive")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if err == nil && n > max {
		err = fmt.Errorf("%w: the archive has more than %d bytes", ErrSkillArchive, max)
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, 0, err
	}
	return f, n, nil
}

// unpackInto unpacks the archive into a new directory next to dir, then
// renames it to dir (replacing dir when replace is set, or when it is an
// empty directory).
func unpackInto(dir string, replace bool, archive io.ReaderAt, size int64) error {
	dir = filepath.Clean(dir)
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	existing, err := existingDir(dir, replace)
	if err != nil {
		return err
	}
	staging, err := os.MkdirTemp(parent, "."+base+".*.unpack")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(staging)
		}
	}()
	root, err := os.OpenRoot(staging)
	if err != nil {
		return err
	}
	err = skillarchive.Unpack(root, archive, size, skillarchive.DefaultLimits)
	if cerr := root.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(staging, 0o755)
	}
	if err != nil {
		return err
	}
	var old string
	if existing {
		// Move the old directory aside, then the new one in.
		old = staging + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(staging, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	done = true
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// existingDir reports whether dir exists and may be replaced: a directory
// that is empty, or any when replace is set. A dir that exists otherwise is
// an error.
func existingDir(dir string, replace bool) (bool, error) {
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !info.IsDir():
		return false, fmt.Errorf("%s exists and is not a directory", dir)
	case replace:
		return true, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%s exists and is not empty (set Replace to replace it)", dir)
	}
	return true, nil
}
