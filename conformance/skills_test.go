package conformance

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaSkill](managedagentstest.RouteCreateSkill, managedagentstest.RouteGetSkill)
	answers[pagination.PageCursor[anthropic.BetaSkill]](managedagentstest.RouteListSkills)
	answers[anthropic.BetaDeletedSkill](managedagentstest.RouteDeleteSkill)
	answers[anthropic.BetaSkillVersion](managedagentstest.RouteCreateSkillVersion, managedagentstest.RouteGetSkillVersion)
	answers[pagination.PageCursor[anthropic.BetaSkillVersion]](managedagentstest.RouteListSkillVersions)
	answers[anthropic.BetaDeletedSkillVersion](managedagentstest.RouteDeleteSkillVersion)
	schemas[managedagentstest.RouteDownloadSkillVersion] = rawContent
}

// skillFiles returns the parts of a skill upload, named "<dir>/<path>" as
// the reference requires (the SDK would send only a file's base name).
func skillFiles(dir, description string) []io.Reader {
	md := "---\nname: invoice-parser\ndescription: " + description + "\n---\n\n# Invoice parser\n"
	return []io.Reader{
		anthropic.File(strings.NewReader(md), dir+"/SKILL.md", "text/markdown"),
		anthropic.File(strings.NewReader("#!/usr/bin/env python3\nprint('total')\n"), dir+"/scripts/parse.py", "text/x-python"),
	}
}

// Skills and their versions through the beta and the GA services: created
// from uploaded directories, read, listed by source, downloaded as a zip,
// deleted; and an agent that loads the skill.
func TestSkills(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	skills := h.client.Beta.Skills

	sk := must(skills.New(ctx, anthropic.BetaSkillNewParams{Files: skillFiles("invoice-parser", "Parses invoices."), DisplayName: anthropic.String("Invoice parser")}))(t)
	if sk.DisplayName != "Invoice parser" || sk.Source.Type != "custom" || sk.LatestVersionID == "" {
		t.Errorf("create: %s", sk.RawJSON())
	}
	ga := must(h.client.Skills.New(ctx, anthropic.SkillNewParams{Files: skillFiles("other-dir", "Also parses invoices.")}))(t)
	if ga.DisplayName != "invoice-parser" {
		t.Errorf("GA create: the display name defaults to SKILL.md's name: %s", ga.RawJSON())
	}

	v2 := must(skills.Versions.New(ctx, sk.ID, anthropic.BetaSkillVersionNewParams{Files: skillFiles("invoice-parser", "Parses invoices, v2.")}))(t)
	if v2.Name != "invoice-parser" || v2.SkillID != sk.ID || v2.Description != "Parses invoices, v2." {
		t.Errorf("version create: %s", v2.RawJSON())
	}
	gav := must(h.client.Skills.Versions.New(ctx, sk.ID, anthropic.SkillVersionNewParams{Files: skillFiles("invoice-parser", "v3")}))(t)

	if got := must(skills.Get(ctx, sk.ID, anthropic.BetaSkillGetParams{}))(t); got.LatestVersionID != gav.ID {
		t.Errorf("get: %s", got.RawJSON())
	}
	if got := must(h.client.Skills.Get(ctx, ga.ID, anthropic.SkillGetParams{}))(t); got.ID != ga.ID {
		t.Errorf("GA get: %s", got.RawJSON())
	}
	latest := must(skills.Versions.Get(ctx, "latest", anthropic.BetaSkillVersionGetParams{SkillID: sk.ID}))(t)
	if latest.ID != gav.ID {
		t.Errorf("latest: %s", latest.RawJSON())
	}
	if got := must(h.client.Skills.Versions.Get(ctx, v2.ID, anthropic.SkillVersionGetParams{SkillID: sk.ID}))(t); got.Description != "Parses invoices, v2." {
		t.Errorf("GA version get: %s", got.RawJSON())
	}

	n := 0
	pager := skills.ListAutoPaging(ctx, anthropic.BetaSkillListParams{Source: anthropic.String("custom"), Limit: anthropic.Int(1)})
	for pager.Next() {
		n++
	}
	if err := pager.Err(); err != nil || n != 2 {
		t.Errorf("listed %d custom skills (%v), want 2", n, err)
	}
	if page := must(h.client.Skills.List(ctx, anthropic.SkillListParams{Source: anthropic.String("anthropic")}))(t); len(page.Data) != 4 {
		t.Errorf("GA list of Anthropic skills: %s", page.RawJSON())
	}
	versions := must(skills.Versions.List(ctx, sk.ID, anthropic.BetaSkillVersionListParams{Limit: anthropic.Int(2)}))(t)
	if len(versions.Data) != 2 || versions.NextPage == "" {
		t.Errorf("versions page: %s", versions.RawJSON())
	}
	if page := must(h.client.Skills.Versions.List(ctx, sk.ID, anthropic.SkillVersionListParams{Page: anthropic.String(versions.NextPage)}))(t); len(page.Data) != 1 {
		t.Errorf("GA versions, second page: %s", page.RawJSON())
	}

	resp := must(skills.Versions.Download(ctx, v2.ID, anthropic.BetaSkillVersionDownloadParams{SkillID: sk.ID}))(t)
	archive := readAll(t, resp.Body)
	zr, err := zip.NewReader(bytes.NewReader([]byte(archive)), int64(len(archive)))
	if err != nil {
		t.Fatalf("the archive is not a zip: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "invoice-parser/ invoice-parser/SKILL.md invoice-parser/scripts/ invoice-parser/scripts/parse.py" {
		t.Errorf("archive members: %s", got)
	}

	// An agent loads the custom skill, pinned and at its latest.
	agent := must(h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "Accountant",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-sonnet-5-5"},
		Skills: []anthropic.BetaManagedAgentsSkillParamsUnion{
			{OfCustom: &anthropic.BetaManagedAgentsCustomSkillParams{SkillID: sk.ID, Version: anthropic.String(v2.ID)}},
			{OfAnthropic: &anthropic.BetaManagedAgentsAnthropicSkillParams{SkillID: "xlsx"}},
		},
	}))(t)
	if len(agent.Skills) != 2 || agent.Skills[0].SkillID != sk.ID {
		t.Errorf("agent skills: %s", agent.RawJSON())
	}

	if del := must(skills.Versions.Delete(ctx, v2.ID, anthropic.BetaSkillVersionDeleteParams{SkillID: sk.ID}))(t); del.ID != v2.ID || del.Type != "skill_version_deleted" {
		t.Errorf("version delete: %s", del.RawJSON())
	}
	if del := must(h.client.Skills.Versions.Delete(ctx, gav.ID, anthropic.SkillVersionDeleteParams{SkillID: sk.ID}))(t); del.ID != gav.ID {
		t.Errorf("GA version delete: %s", del.RawJSON())
	}
	if del := must(skills.Delete(ctx, sk.ID, anthropic.BetaSkillDeleteParams{}))(t); del.ID != sk.ID || del.Type != "skill_deleted" {
		t.Errorf("delete: %s", del.RawJSON())
	}
	if del := must(h.client.Skills.Delete(ctx, ga.ID, anthropic.SkillDeleteParams{}))(t); del.ID != ga.ID {
		t.Errorf("GA delete: %s", del.RawJSON())
	}

	// The official SDK's pitfall: an *os.File-like part with only a base
	// name has no directory, which the API refuses.
	_, err = skills.New(ctx, anthropic.BetaSkillNewParams{Files: []io.Reader{anthropic.File(strings.NewReader("---\nname: a\ndescription: d\n---\n"), "SKILL.md", "text/markdown")}})
	h.wantError(err, 400, "invalid_request_error")
	_, err = skills.Get(ctx, sk.ID, anthropic.BetaSkillGetParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = skills.Delete(ctx, "xlsx", anthropic.BetaSkillDeleteParams{})
	h.wantError(err, 403, "permission_error")
}
