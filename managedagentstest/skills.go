package managedagentstest

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/skillmd"
)

// skillRec is a stored skill and its versions, oldest first.
type skillRec struct {
	seq      int64
	created  time.Time
	v        obj // the skill as answered
	name     string
	builtin  bool // an Anthropic skill: read-only
	versions []*skillVersionRec
}

// skillVersionRec is one upload of a skill.
type skillVersionRec struct {
	seq     int64
	created time.Time
	v       obj
	files   []skillFile
}

// skillFile is a file of a version: its path below the skill's directory.
type skillFile struct {
	path string
	data []byte
}

// anthropicSkills are the Anthropic skills every server lists (source
// "anthropic"), by id, with their descriptions.
var anthropicSkills = [][2]string{
	{"docx", "Create, edit and analyze Word documents."},
	{"pdf", "Extract text and tables from PDFs, fill forms, merge documents."},
	{"pptx", "Create and edit PowerPoint presentations."},
	{"xlsx", "Create, edit and analyze spreadsheets with formulas and charts."},
}

// skillUpload is a parsed skill upload.
type skillUpload struct {
	displayName *string
	name        string
	description string
	files       []skillFile
}

// readSkillUpload parses the multipart body of a skill or version create:
// files[] parts whose filenames put every file under one top directory with
// SKILL.md directly inside it, and, on create, an optional display_name.
func (s *Server) readSkillUpload(r *http.Request, create bool) (*skillUpload, *apiError) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errBadRequest("the body must be multipart/form-data: %v", err)
	}
	up := &skillUpload{}
	var total int64
	seen := map[string]bool{}
	top := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errBadRequest("reading the multipart body: %v", err)
		}
		switch name := part.FormName(); {
		case name == "display_name" && create:
			data, e := readPart(part, 4096, errBadRequest("display_name: too long"))
			if e != nil {
				return nil, e
			}
			dn := string(data)
			up.displayName = &dn
		case name == "files[]":
			// Part.FileName keeps only the base name: read the full one.
			_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
			rel, dir, e := skillPath(params["filename"])
			if e != nil {
				return nil, e
			}
			switch {
			case top == "":
				top = dir
			case dir != top:
				return nil, errBadRequest("files[]: every file must be in the same top-level directory (%s, %s)", top, dir)
			}
			if seen[rel] {
				return nil, errBadRequest("files[]: %s/%s given twice", dir, rel)
			}
			seen[rel] = true
			data, e := readPart(part, s.maxFileSize-total, s.errTooLarge())
			if e != nil {
				return nil, e
			}
			total += int64(len(data))
			up.files = append(up.files, skillFile{path: rel, data: data})
		default:
			return nil, errBadRequest("%s: unexpected form field", name)
		}
	}
	if len(up.files) == 0 {
		return nil, errBadRequest("files[]: field required")
	}
	if !seen["SKILL.md"] {
		return nil, errBadRequest("files[]: SKILL.md is required at the top of the skill directory (%s/SKILL.md)", top)
	}
	for _, f := range up.files {
		if f.path != "SKILL.md" {
			continue
		}
		values, err := skillmd.Values(f.data)
		if err != nil {
			return nil, errBadRequest("SKILL.md: %v", err)
		}
		up.name, up.description = values["name"], strings.TrimSpace(values["description"])
	}
	if up.name == "" {
		up.name = top
	}
	if !skillmd.IsSlug(up.name) || len(up.name) > skillmd.MaxNameLen {
		return nil, errBadRequest("SKILL.md: name %q must be a kebab-case slug of at most %d characters", up.name, skillmd.MaxNameLen)
	}
	if up.description == "" {
		return nil, errBadRequest("SKILL.md: the frontmatter must give a description")
	}
	if dn := up.displayName; dn != nil && (len([]rune(*dn)) > 255 || strings.ContainsAny(*dn, "\r\n")) {
		return nil, errBadRequest("display_name: one line of at most 255 characters")
	}
	return up, nil
}

// skillPath splits a part's filename into the top directory and the path
// below it; a name that is absolute, has "." or ".." segments, or lies at
// the top level is refused.
func skillPath(filename string) (rel, top string, _ *apiError) {
	segs := strings.Split(filename, "/")
	if filename == "" || len(segs) < 2 {
		return "", "", errBadRequest("files[]: %q must be a path under the skill's top-level directory", filename)
	}
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." || strings.Contains(seg, `\`) {
			return "", "", errBadRequest("files[]: %q is not a relative path", filename)
		}
	}
	return strings.Join(segs[1:], "/"), segs[0], nil
}

// createSkill is POST /v1/skills.
func (s *Server) createSkill(w http.ResponseWriter, r *http.Request) {
	up, e := s.readSkillUpload(r, true)
	if e != nil {
		writeError(w, e)
		return
	}
	s.writeJSON(w, func() (any, error) {
		display := up.name
		if up.displayName != nil && *up.displayName != "" {
			display = *up.displayName
		}
		sk := s.newSkill(s.newID("skill"), up.name, display, "custom")
		s.addVersion(sk, up)
		return sk.v, nil
	})
}

// newSkill stores a skill without versions; s.mu must be held.
func (s *Server) newSkill(id, name, display, source string) *skillRec {
	now := s.now()
	sk := &skillRec{seq: s.nextSeq(), created: now, name: name, builtin: source != "custom"}
	sk.v = obj{
		"id": id, "type": "skill", "display_name": display, "latest_version_id": nil,
		"source": obj{"type": source}, "created_at": ts(now), "updated_at": ts(now),
	}
	s.skills[id] = sk
	return sk
}

// addVersion adds the version of up to sk and makes it the latest; s.mu must
// be held.
func (s *Server) addVersion(sk *skillRec, up *skillUpload) *skillVersionRec {
	now := s.now()
	v := &skillVersionRec{seq: s.nextSeq(), created: now, files: up.files}
	v.v = obj{
		"id": s.newID("skver"), "type": "skill_version", "skill_id": sk.v["id"],
		"name": sk.name, "description": up.description, "created_at": ts(now),
	}
	sk.versions = append(sk.versions, v)
	sk.v["latest_version_id"] = v.v["id"]
	sk.v["updated_at"] = ts(now)
	return v
}

func (s *Server) skill(id string) (*skillRec, error) {
	sk, ok := s.skills[id]
	if !ok {
		return nil, errNotFound("skill " + id + " not found")
	}
	return sk, nil
}

// customSkill returns a skill that may change: not an Anthropic one.
func (s *Server) customSkill(id string) (*skillRec, error) {
	sk, err := s.skill(id)
	if err == nil && sk.builtin {
		err = &apiError{status: 403, typ: "permission_error", msg: "skill " + id + " is an Anthropic skill: it is read-only"}
	}
	return sk, err
}

// version returns the version of sk named id ("latest" resolves only when
// latestOK).
func (sk *skillRec) version(id string, latestOK bool) (*skillVersionRec, int, error) {
	if id == "latest" {
		if !latestOK {
			return nil, 0, errBadRequest("version: use a version id; the alias latest is resolved only when retrieving a version")
		}
		return sk.versions[len(sk.versions)-1], len(sk.versions) - 1, nil
	}
	for i, v := range sk.versions {
		if v.v["id"] == id {
			return v, i, nil
		}
	}
	return nil, 0, errNotFound("skill version " + id + " not found")
}

func (s *Server) getSkill(r *http.Request, _ obj) (any, error) {
	sk, err := s.skill(r.PathValue("skill_id"))
	if err != nil {
		return nil, err
	}
	return sk.v, nil
}

// listSkills is GET /v1/skills: newest first, by source.
func (s *Server) listSkills(r *http.Request, _ obj) (any, error) {
	source := r.URL.Query().Get("source")
	switch source {
	case "", "custom", "anthropic":
	default:
		return nil, errBadRequest("source: must be custom or anthropic")
	}
	limit, order, c, err := listParams(r, "skills", 20, 1000, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, sk := range s.skills {
		if source == "" || typeOf(sk.v["source"]) == source {
			items = append(items, listItem{t: sk.created, seq: sk.seq, v: sk.v})
		}
	}
	return paginate(items, "skills", order, limit, c).json(false), nil
}

// deleteSkill is DELETE /v1/skills/{skill_id}: the skill and its versions.
func (s *Server) deleteSkill(r *http.Request, _ obj) (any, error) {
	id := r.PathValue("skill_id")
	if _, err := s.customSkill(id); err != nil {
		return nil, err
	}
	delete(s.skills, id)
	return obj{"id": id, "type": "skill_deleted"}, nil
}

// createSkillVersion is POST /v1/skills/{skill_id}/versions: its SKILL.md
// must resolve to the skill's name.
func (s *Server) createSkillVersion(w http.ResponseWriter, r *http.Request) {
	up, e := s.readSkillUpload(r, false)
	if e != nil {
		writeError(w, e)
		return
	}
	s.writeJSON(w, func() (any, error) {
		sk, err := s.customSkill(r.PathValue("skill_id"))
		if err != nil {
			return nil, err
		}
		if up.name != sk.name {
			return nil, errBadRequest("SKILL.md: name %q differs from the skill's name %q", up.name, sk.name)
		}
		return s.addVersion(sk, up).v, nil
	})
}

func (s *Server) getSkillVersion(r *http.Request, _ obj) (any, error) {
	sk, err := s.skill(r.PathValue("skill_id"))
	if err != nil {
		return nil, err
	}
	v, _, err := sk.version(r.PathValue("version"), true)
	if err != nil {
		return nil, err
	}
	return v.v, nil
}

// listSkillVersions is GET /v1/skills/{skill_id}/versions, newest first.
func (s *Server) listSkillVersions(r *http.Request, _ obj) (any, error) {
	sk, err := s.skill(r.PathValue("skill_id"))
	if err != nil {
		return nil, err
	}
	limit, order, c, err := listParams(r, "skill_versions:"+sk.v["id"].(string), 20, 1000, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, v := range sk.versions {
		items = append(items, listItem{t: v.created, seq: v.seq, v: v.v})
	}
	return paginate(items, "skill_versions:"+sk.v["id"].(string), order, limit, c).json(false), nil
}

// deleteSkillVersion is DELETE /v1/skills/{skill_id}/versions/{version}. A
// skill keeps at least one version: its last one is deleted with the skill.
func (s *Server) deleteSkillVersion(r *http.Request, _ obj) (any, error) {
	sk, err := s.customSkill(r.PathValue("skill_id"))
	if err != nil {
		return nil, err
	}
	v, i, err := sk.version(r.PathValue("version"), false)
	if err != nil {
		return nil, err
	}
	if len(sk.versions) == 1 {
		return nil, errBadRequest("version: the only version of a skill cannot be deleted; delete the skill")
	}
	sk.versions = append(sk.versions[:i], sk.versions[i+1:]...)
	sk.v["latest_version_id"] = sk.versions[len(sk.versions)-1].v["id"]
	return obj{"id": v.v["id"], "type": "skill_version_deleted"}, nil
}

// downloadSkillVersion is GET /v1/skills/{skill_id}/versions/{version}/content:
// a zip of the version's files under one directory named after the skill.
// A file that starts with "#!" is marked executable.
func (s *Server) downloadSkillVersion(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var archive []byte
	sk, err := s.skill(r.PathValue("skill_id"))
	var v *skillVersionRec
	if err == nil {
		v, _, err = sk.version(r.PathValue("version"), false)
	}
	if err == nil {
		archive, err = skillZip(sk.name, v)
	}
	s.mu.Unlock()
	writeAnswer(w, "application/zip", archive, err)
}

// skillZip returns the zip of a version's files under the directory name.
func skillZip(name string, v *skillVersionRec) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	dirs := map[string]bool{}
	add := func(h *zip.FileHeader, data []byte) error {
		h.Modified = v.created
		w, err := zw.CreateHeader(h)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	}
	for _, f := range v.files {
		full := name + "/" + f.path
		for d := full; strings.Contains(d, "/"); {
			d = d[:strings.LastIndex(d, "/")]
			if dirs[d] {
				break
			}
			dirs[d] = true
			h := &zip.FileHeader{Name: d + "/"}
			h.SetMode(fs.ModeDir | 0o755)
			if err := add(h, nil); err != nil {
				return nil, err
			}
		}
		h := &zip.FileHeader{Name: full, Method: zip.Deflate}
		mode := fs.FileMode(0o644)
		if bytes.HasPrefix(f.data, []byte("#!")) {
			mode = 0o755
		}
		h.SetMode(mode)
		if err := add(h, f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// skillRoutes registers the Skills endpoints and lists Anthropic's skills.
func (s *Server) skillRoutes() {
	s.skills = map[string]*skillRec{}
	s.handleRaw(RouteCreateSkill, s.createSkill)
	s.handle(RouteGetSkill, s.getSkill)
	s.handle(RouteListSkills, s.listSkills, "limit", "page", "source")
	s.handle(RouteDeleteSkill, s.deleteSkill)
	s.handleRaw(RouteCreateSkillVersion, s.createSkillVersion)
	s.handle(RouteGetSkillVersion, s.getSkillVersion)
	s.handle(RouteListSkillVersions, s.listSkillVersions, "limit", "page")
	s.handle(RouteDeleteSkillVersion, s.deleteSkillVersion)
	s.handleRaw(RouteDownloadSkillVersion, s.downloadSkillVersion)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range anthropicSkills {
		id, desc := a[0], a[1]
		sk := s.newSkill(id, id, strings.ToUpper(id[:1])+id[1:], "anthropic")
		md := "---\nname: " + id + "\ndescription: " + desc + "\n---\n\n# " + id + "\n"
		s.addVersion(sk, &skillUpload{name: id, description: desc, files: []skillFile{{path: "SKILL.md", data: []byte(md)}}})
	}
}
