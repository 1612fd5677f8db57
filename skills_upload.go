package managedagents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/skillarchive"
	"github.com/go-managedagents/managedagents/internal/skillmd"
	"github.com/go-managedagents/managedagents/option"
)

// Limits of a skill upload, checked before anything is sent: those of the
// archives the SDK unpacks ([SkillVersionService.Unpack]), so that what is
// uploaded can be installed again.
const (
	// MaxSkillFiles is the most files a skill upload may hold.
	MaxSkillFiles = skillarchive.MaxMembers
	// MaxSkillBytes is the most bytes the files of a skill upload may hold.
	MaxSkillBytes = skillarchive.MaxBytes
	// maxSkillMDBytes is how much of SKILL.md is read for its frontmatter.
	maxSkillMDBytes = 1 << 20
	// maxDisplayNameLen is the longest display name, in characters.
	maxDisplayNameLen = 255
)

// SkillCreateParams is the body of POST /v1/skills: the files of a skill,
// from a directory on disk or an fs.FS, sent as they are read.
//
// The skill's files lie in one directory with SKILL.md at its top. SKILL.md
// starts with a frontmatter block (between two "---" lines) giving name, the
// skill's kebab-case slug (at most 64 characters), and description (at most
// 1024 characters); both are checked before anything is sent. Each file is
// sent as one part, named after the slug and the file's path from the top,
// "invoice-parser/scripts/parse.py". Every regular file is sent, hidden ones
// too; a symbolic link or another special file is refused; empty directories
// are left out.
type SkillCreateParams struct {
	// Dir is the skill's directory on disk. Set Dir or FS.
	Dir string
	// FS holds the skill's directory at its root, instead of Dir: an
	// os.DirFS, an embed.FS narrowed with fs.Sub, a testing/fstest.MapFS.
	FS fs.FS
	// DisplayName is the skill's label: one line of at most 255 characters,
	// not unique. Empty means the name in SKILL.md.
	DisplayName string
}

// SkillVersionCreateParams is the body of POST
// /v1/skills/{skill_id}/versions: the files of the new version, as for
// [SkillCreateParams]. Its SKILL.md must give the skill's name.
type SkillVersionCreateParams struct {
	// Dir is the skill's directory on disk. Set Dir or FS.
	Dir string
	// FS holds the skill's directory at its root, instead of Dir.
	FS fs.FS
}

// Create uploads a skill: its first version, from params.Dir or params.FS.
// The files are checked first (SKILL.md, the limits [MaxSkillFiles] and
// [MaxSkillBytes]), then streamed: memory use does not grow with their size.
// A file that changes size while it is sent fails the upload. Like every
// create it is not repeated once it may have reached the server, except
// after a 429.
//
// POST /v1/skills
func (s *SkillService) Create(ctx context.Context, params SkillCreateParams, opts ...option.RequestOption) (*SkillMetadata, error) {
	if err := checkDisplayName(params.DisplayName); err != nil {
		return nil, err
	}
	src, err := openSkillSource(params.Dir, params.FS)
	if err != nil {
		return nil, err
	}
	defer src.close()
	parts := src.parts()
	if params.DisplayName != "" {
		parts = append(parts, formPart{name: "display_name", value: params.DisplayName})
	}
	up, err := multipartUpload(parts, true)
	if err != nil {
		return nil, err
	}
	return doJSON[SkillMetadata](ctx, s.client, skillsCreate.At().WithUpload(up), opts)
}

// Create uploads a new version of a skill, from params.Dir or params.FS,
// checked and streamed as by [SkillService.Create].
//
// POST /v1/skills/{skill_id}/versions
func (s *SkillVersionService) Create(ctx context.Context, skillID string, params SkillVersionCreateParams, opts ...option.RequestOption) (*SkillVersion, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	src, err := openSkillSource(params.Dir, params.FS)
	if err != nil {
		return nil, err
	}
	defer src.close()
	up, err := multipartUpload(src.parts(), true)
	if err != nil {
		return nil, err
	}
	return doJSON[SkillVersion](ctx, s.client, skillsVersionsCreate.At(skillID).WithUpload(up), opts)
}

func checkDisplayName(name string) error {
	if n := utf8.RuneCountInString(name); n > maxDisplayNameLen {
		return invalid("display_name", fmt.Sprintf("has %d characters, more than %d", n, maxDisplayNameLen))
	}
	if strings.ContainsAny(name, "\r\n") {
		return invalid("display_name", "must be one line")
	}
	return checkHeaderText("display_name", name)
}

// skillSource is a skill's files, checked and ready to be sent.
type skillSource struct {
	fsys  fs.FS
	root  *os.Root // the directory of Dir, closed by close; nil for an FS
	slug  string   // the name in SKILL.md: the top directory of every part
	files []skillFile
}

// skillFile is one file of a skill: its slash-separated path from the top,
// and its size when it was checked.
type skillFile struct {
	path string
	size int64
}

// openSkillSource lists and checks the files of the skill in dir or fsys
// (exactly one of them set).
func openSkillSource(dir string, fsys fs.FS) (*skillSource, error) {
	field := "fs"
	src := &skillSource{fsys: fsys}
	switch {
	case dir != "" && fsys != nil:
		return nil, invalid("dir", "set dir or fs, not both")
	case dir == "" && fsys == nil:
		return nil, invalid("dir", "is required (or fs)")
	case dir != "":
		field = "dir"
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, invalid("dir", err.Error())
		}
		src.root, src.fsys = root, root.FS()
	}
	if err := src.list(field); err != nil {
		src.close()
		return nil, err
	}
	return src, nil
}

func (s *skillSource) close() {
	if s.root != nil {
		_ = s.root.Close()
	}
}

// list walks the skill's files, checks the limits, and reads SKILL.md.
func (s *skillSource) list(field string) error {
	var total int64
	err := fs.WalkDir(s.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return invalid(field, p+" is not a regular file (a symbolic link or a special file): a skill holds regular files only")
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := checkHeaderText(field, p); err != nil {
			return err
		}
		total += info.Size()
		s.files = append(s.files, skillFile{path: p, size: info.Size()})
		switch {
		case len(s.files) > MaxSkillFiles:
			return invalid(field, "holds more than "+strconv.Itoa(MaxSkillFiles)+" files")
		case total > MaxSkillBytes:
			return invalid(field, "holds more than "+strconv.FormatInt(MaxSkillBytes, 10)+" bytes")
		}
		return nil
	})
	var ve *ValidationError
	if errors.As(err, &ve) {
		return err
	}
	if err != nil {
		return invalid(field, err.Error())
	}
	data, err := s.readSkillMD()
	if err != nil {
		return invalid(field, err.Error())
	}
	fm, err := skillmd.Parse(data)
	if err != nil {
		return invalid(field, err.Error())
	}
	s.slug = fm.Name
	return nil
}

// readSkillMD reads the head of SKILL.md, at the top of the skill.
func (s *skillSource) readSkillMD() ([]byte, error) {
	f, err := s.fsys.Open("SKILL.md")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("no SKILL.md at the top of the skill")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errors.New("SKILL.md is not a regular file")
	}
	return io.ReadAll(io.LimitReader(f, maxSkillMDBytes))
}

// parts returns one "files[]" part per file, named slug/path.
func (s *skillSource) parts() []formPart {
	parts := make([]formPart, 0, len(s.files)+1)
	for _, f := range s.files {
		parts = append(parts, formPart{
			name: "files[]", filename: s.slug + "/" + f.path, contentType: contentTypeOf(f.path), size: f.size,
			open: func() (io.ReadCloser, error) { return s.fsys.Open(f.path) },
		})
	}
	return parts
}
