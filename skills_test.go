package managedagents

import (
	"testing/fstest"
)

// testSkillMD is the SKILL.md of the test skill.
const testSkillMD = "---\nname: invoice-parser\ndescription: Extracts line items and totals from PDF invoices.\n---\n\n# Invoice parser\n"

// testSkillFS returns the test skill: SKILL.md and one executable script.
func testSkillFS() fstest.MapFS {
	return fstest.MapFS{
		"SKILL.md":         {Data: []byte(testSkillMD), Mode: 0o644},
		"scripts/parse.py": {Data: []byte("print('total')\n"), Mode: 0o755},
	}
}
