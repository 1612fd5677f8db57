package managedagents

import (
	"context"
	"iter"
	"net/url"
	"strconv"

	"github.com/go-managedagents/managedagents/option"
)

// SkillService uploads, lists, reads and deletes skills: /v1/skills. Get it
// from [Client.Skills]. Its requests send no beta header of their own.
type SkillService struct {
	client *Client
	// Versions manages the versions of a skill.
	Versions *SkillVersionService
}

// SkillVersionService manages skill versions: /v1/skills/{skill_id}/versions.
// Get it from [SkillService.Versions].
type SkillVersionService struct{ client *Client }

// SkillMetadata describes a skill ("type":"skill"): its name for people, its
// newest version and where it comes from. Its files are in its versions
// ([SkillVersion]). To load a skill into an agent, name it in the agent's
// Skills with [NewSkillCustom] (or [NewSkillAnthropic] for Anthropic's).
type SkillMetadata struct {
	// ObjectMeta holds the id (skill_… for a custom skill, a short name such
	// as "xlsx" for Anthropic's), the type ("skill"), the timestamps and the
	// raw JSON.
	ObjectMeta
	// DisplayName is the skill's label: one line, at most 255 characters, not
	// unique; by default the name in its SKILL.md.
	DisplayName string `json:"display_name"`
	// LatestVersionID is the id of the newest version (skver_…): what
	// "latest" resolves to. A skill always has a version.
	LatestVersionID string `json:"latest_version_id"`
	// Source says where the skill comes from.
	Source SkillSource `json:"source"`
}

// UnmarshalJSON decodes a skill and keeps its raw JSON.
func (s *SkillMetadata) UnmarshalJSON(b []byte) error {
	type plain SkillMetadata
	return decodeObject(b, (*plain)(s), &s.ObjectMeta)
}

// SkillSource says where a skill comes from: {"type":"custom"}.
type SkillSource struct {
	// Type is one of the SkillSource… constants, or a newer one.
	Type string `json:"type"`
}

// Skill sources.
const (
	// SkillSourceCustom: uploaded by your organization; private to its workspace.
	SkillSourceCustom = "custom"
	// SkillSourceAnthropic: published by Anthropic; shared and read-only.
	SkillSourceAnthropic = "anthropic"
	// SkillSourceAnthropicExample: a sample skill published by Anthropic.
	SkillSourceAnthropicExample = "anthropic_example"
	// SkillSourcePlugin: resolved from an installed plugin.
	SkillSourcePlugin = "plugin"
)

// SkillVersion is one upload of a skill ("type":"skill_version").
type SkillVersion struct {
	// ObjectMeta holds the id (skver_…, used in paths and to pin the
	// version), the type ("skill_version"), CreatedAt and the raw JSON.
	ObjectMeta
	// SkillID is the skill's id.
	SkillID string `json:"skill_id"`
	// Name is the skill's kebab-case slug, set by its first upload and the
	// same for every version: the directory of its files when mounted, and
	// the base name of its archive.
	Name string `json:"name"`
	// Description is the description of the version's SKILL.md.
	Description string `json:"description"`
}

// UnmarshalJSON decodes a skill version and keeps its raw JSON.
func (v *SkillVersion) UnmarshalJSON(b []byte) error {
	type plain SkillVersion
	return decodeObject(b, (*plain)(v), &v.ObjectMeta)
}

// SkillVersionLatest is the version alias that [SkillVersionService.Get] and
// [SkillVersionService.Unpack] resolve to the newest version. Other calls
// need a version's id.
const SkillVersionLatest = "latest"

// SkillGetParams are the parameters of GET /v1/skills/{skill_id}; it has
// none yet.
type SkillGetParams struct{}

// SkillDeleteParams are the parameters of DELETE /v1/skills/{skill_id}; it
// has none yet.
type SkillDeleteParams struct{}

// SkillListParams filters GET /v1/skills.
type SkillListParams struct {
	// Source lists only the skills of that source: SkillSourceCustom or
	// SkillSourceAnthropic. Empty lists all.
	Source string
	// Limit is the page size, 1 to 1000 (default 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// skillListQuery starts the query of a skills or versions list.
func skillListQuery(limit int, page string) (query, error) {
	if limit > 1000 {
		return nil, invalid("limit", "must be at most 1000")
	}
	return listQuery(limit, page)
}

// Get returns a skill.
//
// GET /v1/skills/{skill_id}
func (s *SkillService) Get(ctx context.Context, skillID string, params SkillGetParams, opts ...option.RequestOption) (*SkillMetadata, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	return doJSON[SkillMetadata](ctx, s.client, skillsRetrieve.At(skillID), opts)
}

// List returns one page of skills.
//
// GET /v1/skills
func (s *SkillService) List(ctx context.Context, params SkillListParams, opts ...option.RequestOption) (*Page[*SkillMetadata], error) {
	q, err := skillListQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	switch params.Source {
	case "", SkillSourceCustom, SkillSourceAnthropic:
	default:
		return nil, invalid("source", `must be "custom" or "anthropic", not `+strconv.Quote(params.Source))
	}
	q.str("source", params.Source)
	return doJSON[Page[*SkillMetadata]](ctx, s.client, skillsList.At().WithQuery(url.Values(q)), opts)
}

// ListAll iterates over the skills from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/skills
func (s *SkillService) ListAll(ctx context.Context, params SkillListParams, opts ...option.RequestOption) iter.Seq2[*SkillMetadata, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*SkillMetadata], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes a skill and all its versions.
//
// DELETE /v1/skills/{skill_id}
func (s *SkillService) Delete(ctx context.Context, skillID string, params SkillDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	return s.client.deleteResource(ctx, skillsDelete.At(skillID), "skill_deleted", opts)
}

// SkillVersionGetParams are the parameters of GET
// /v1/skills/{skill_id}/versions/{version}; it has none yet.
type SkillVersionGetParams struct{}

// SkillVersionDeleteParams are the parameters of DELETE
// /v1/skills/{skill_id}/versions/{version}; it has none yet.
type SkillVersionDeleteParams struct{}

// SkillVersionDownloadParams are the parameters of GET
// /v1/skills/{skill_id}/versions/{version}/content; it has none yet.
type SkillVersionDownloadParams struct{}

// SkillVersionListParams pages GET /v1/skills/{skill_id}/versions.
type SkillVersionListParams struct {
	// Limit is the page size, 1 to 1000 (default 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// checkVersionID checks the version of a call that needs an id: not the
// "latest" alias, which only Get resolves.
func checkVersionID(version string) error {
	if err := checkID("version", version); err != nil {
		return err
	}
	if version == SkillVersionLatest {
		return invalid("version", `must be a version's id: "latest" is resolved only by Get (use the id it returns)`)
	}
	return nil
}

// Get returns a version of a skill: version is its id (skver_…) or
// [SkillVersionLatest].
//
// GET /v1/skills/{skill_id}/versions/{version}
func (s *SkillVersionService) Get(ctx context.Context, skillID, version string, params SkillVersionGetParams, opts ...option.RequestOption) (*SkillVersion, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	if err := checkID("version", version); err != nil {
		return nil, err
	}
	return doJSON[SkillVersion](ctx, s.client, skillsVersionsRetrieve.At(skillID, version), opts)
}

// List returns one page of a skill's versions.
//
// GET /v1/skills/{skill_id}/versions
func (s *SkillVersionService) List(ctx context.Context, skillID string, params SkillVersionListParams, opts ...option.RequestOption) (*Page[*SkillVersion], error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	q, err := skillListQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*SkillVersion]](ctx, s.client, skillsVersionsList.At(skillID).WithQuery(url.Values(q)), opts)
}

// ListAll iterates over a skill's versions from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/skills/{skill_id}/versions
func (s *SkillVersionService) ListAll(ctx context.Context, skillID string, params SkillVersionListParams, opts ...option.RequestOption) iter.Seq2[*SkillVersion, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*SkillVersion], error) {
		p := params
		p.Page = page
		return s.List(ctx, skillID, p, opts...)
	})
}

// Delete deletes a version of a skill; version is its id.
//
// DELETE /v1/skills/{skill_id}/versions/{version}
func (s *SkillVersionService) Delete(ctx context.Context, skillID, version string, params SkillVersionDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	if err := checkVersionID(version); err != nil {
		return nil, err
	}
	return s.client.deleteResource(ctx, skillsVersionsDelete.At(skillID, version), "skill_version_deleted", opts)
}

// Download starts the download of a version's archive (a zip of the
// skill's files under one directory named after the skill) and returns it as
// it arrives: read the [Download], then close it. version is the version's
// id. To install the files, use [SkillVersionService.Unpack].
//
// GET /v1/skills/{skill_id}/versions/{version}/content
func (s *SkillVersionService) Download(ctx context.Context, skillID, version string, params SkillVersionDownloadParams, opts ...option.RequestOption) (*Download, error) {
	if err := checkID("skill_id", skillID); err != nil {
		return nil, err
	}
	if err := checkVersionID(version); err != nil {
		return nil, err
	}
	return s.client.download(ctx, skillsVersionsDownload.At(skillID, version), opts)
}
