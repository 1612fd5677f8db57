package agenttoolset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-managedagents/managedagents/internal/skillarchive"
)

// SkillsDir is the directory of the working directory that skills are
// installed in, one directory per skill (self-hosted.md §3.6).
const SkillsDir = "skills"

// ErrSkillArchive is matched (errors.Is) by every error about the content of
// a skill archive: an unknown or corrupt format, a member escaping the skill
// directory, a name given twice, no file, too many members or bytes. It is
// the error of the SDK's one unpacker, which SkillVersionService.Unpack of
// the client uses too (managedagents.ErrSkillArchive).
var ErrSkillArchive = skillarchive.ErrArchive

// InstallSkill unpacks the skill archive held by archive (size bytes: the
// body of GET /v1/skills/{skill_id}/versions/{version}/content) into
// {workdir}/skills/<name>, and returns that directory. name is the skill
// version's name; when it is not one safe path segment, skillID is used. An
// existing directory of that name is replaced.
//
// The archive is a zip when it starts with "PK\x03\x04", else a tar, plain or
// compressed with gzip or bzip2. When every member lies under one top-level
// directory, that directory is stripped. Only regular files and directories
// are written (links, devices and the like are skipped), files with mode 0755
// when executable and 0644 otherwise. A member whose name is absolute or has a
// ".." segment, a backslash or a drive letter makes the whole archive
// refused, as do a name given twice, an archive without a file, more than
// 10,000 members or more than 1 GiB once decompressed. Every write goes
// through a handle on the skill directory that refuses to leave it, so a
// symbolic link planted in the working directory cannot redirect one. On
// failure the skill directory is removed.
func (t *Toolset) InstallSkill(name, skillID string, archive io.ReaderAt, size int64) (string, error) {
	if t.isClosed() {
		return "", ErrClosed
	}
	dirname, err := skillDirName(name, skillID)
	if err != nil {
		return "", err
	}
	work := t.fs.roots[0]
	rel := SkillsDir + "/" + dirname
	abs := filepath.Join(work.path, SkillsDir, dirname)
	if err := work.dir.MkdirAll(SkillsDir, 0o755); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: create %s: %s", skillID, SkillsDir, fsErrorMessage(err))
	}
	if err := work.dir.RemoveAll(rel); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: clear %s: %s", skillID, rel, fsErrorMessage(err))
	}
	if err := work.dir.Mkdir(rel, 0o755); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: create %s: %s", skillID, rel, fsErrorMessage(err))
	}
	t.mu.Lock()
	t.skills = append(t.skills, rel)
	t.mu.Unlock()
	dest, err := work.dir.OpenRoot(rel)
	if err == nil {
		err = skillarchive.Unpack(dest, archive, size, skillarchive.Limits{MaxMembers: t.lim.skillMaxMembers, MaxBytes: t.lim.skillMaxBytes})
		_ = dest.Close()
	}
	if err != nil {
		_ = work.dir.RemoveAll(rel)
		return "", fmt.Errorf("agenttoolset: skill %s: %w", skillID, err)
	}
	return abs, nil
}

// InstallSkillFrom is [Toolset.InstallSkill] for an archive read from r, such
// as the body of the download response: it is copied to a temporary file
// first (at most 1 GiB), since a zip must be read out of order.
func (t *Toolset) InstallSkillFrom(name, skillID string, r io.Reader) (string, error) {
	tmp, err := os.CreateTemp("", "agenttoolset-skill-*")
	if err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: %w", skillID, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(r, t.lim.skillMaxBytes+1))
	if err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: read the archive: %w", skillID, err)
	}
	if n > t.lim.skillMaxBytes {
		return "", fmt.Errorf("agenttoolset: skill %s: %w: the archive exceeds %d bytes", skillID, ErrSkillArchive, t.lim.skillMaxBytes)
	}
	return t.InstallSkill(name, skillID, tmp, n)
}

// RemoveSkills removes the skill directories this toolset installed, and
// nothing else: the skills directory and whatever else it holds stay.
func (t *Toolset) RemoveSkills() error {
	t.mu.Lock()
	dirs := t.skills
	t.skills = nil
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	var errs []error
	for _, rel := range dirs {
		if err := t.fs.roots[0].dir.RemoveAll(rel); err != nil {
			errs = append(errs, fmt.Errorf("agenttoolset: remove %s: %s", rel, fsErrorMessage(err)))
		}
	}
	return errors.Join(errs...)
}

// skillDirName returns the skill's directory name: name when it is one safe
// path segment, else skillID when it is, else an error.
func skillDirName(name, skillID string) (string, error) {
	for _, candidate := range []string{strings.TrimSpace(name), skillID} {
		if candidate != "" && candidate != "." && candidate != ".." &&
			!strings.ContainsAny(candidate, "/\\\x00") && !strings.HasPrefix(candidate, "~") {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("agenttoolset: skill %q has no name usable as a directory", skillID)
}
