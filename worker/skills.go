package worker

import (
	"context"
	"fmt"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/agenttoolset"
)

// installSkills downloads each skill of the session's agent with the item's
// token and unpacks it into {workdir}/skills/<name> (self-hosted.md §3.6): a
// version given as "latest" or empty is resolved first. A skill that cannot
// be installed is logged and counted; the item goes on without it. The
// toolset removes them when the item ends.
func (it *item) installSkills(ctx context.Context, ts *agenttoolset.Toolset, sess *managedagents.Session) {
	for _, sk := range sess.Agent.Skills {
		if ctx.Err() != nil {
			return
		}
		dir, err := it.installSkill(ctx, ts, sk)
		if err != nil {
			it.w.counters.skillErrors.Add(1)
			it.log.Warn("worker: skill not installed; going on without it", "skill_id", sk.SkillID, "version", sk.Version, "error", err.Error())
			continue
		}
		it.w.counters.skills.Add(1)
		it.log.Debug("worker: skill installed", "skill_id", sk.SkillID, "dir", dir)
	}
}

func (it *item) installSkill(ctx context.Context, ts *agenttoolset.Toolset, sk managedagents.SkillRef) (string, error) {
	version := sk.Version
	if version == "" {
		version = managedagents.SkillVersionLatest
	}
	v, err := it.ic.Skills.Versions.Get(ctx, sk.SkillID, version, managedagents.SkillVersionGetParams{})
	if err != nil {
		return "", err
	}
	d, err := it.ic.Skills.Versions.Download(ctx, sk.SkillID, v.ID, managedagents.SkillVersionDownloadParams{})
	if err != nil {
		return "", err
	}
	defer d.Close()
	dir, err := ts.InstallSkillFrom(v.Name, sk.SkillID, d)
	if err != nil {
		return "", fmt.Errorf("unpacking version %s: %w", v.ID, err)
	}
	return dir, nil
}
