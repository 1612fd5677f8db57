package skillmd

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, md, wantName, wantDesc string
	}{
		{"plain", "---\nname: pdf\ndescription: Reads PDFs.\n---\nbody", "pdf", "Reads PDFs."},
		{"CRLF and BOM", "\ufeff---\r\nname: pdf\r\ndescription: Reads PDFs.\r\n---\r\n", "pdf", "Reads PDFs."},
		{"comments and other keys", "---\n# a comment\nname: pdf # the slug\nlicense: MIT\nallowed-tools: [Read, Bash]\nmetadata:\n  version: \"1.0\"\n  tags:\n    - a\ndescription: Reads PDFs.\n---\n", "pdf", "Reads PDFs."},
		{"double quoted with escapes", "---\nname: \"pdf\"\ndescription: \"Reads \\\"PDFs\\\": tables, forms.\\tDone\"\n---\n", "pdf", "Reads \"PDFs\": tables, forms.\tDone"},
		{"single quoted", "---\nname: 'pdf'\ndescription: 'It''s for PDFs: all of them'\n---\n", "pdf", "It's for PDFs: all of them"},
		{"plain over lines", "---\nname: pdf\ndescription: Reads PDFs\n  and fills forms.\n\n  Use for invoices.\n---\n", "pdf", "Reads PDFs and fills forms.\nUse for invoices."},
		{"plain on the next line", "---\nname: pdf\ndescription:\n  Reads PDFs.\n---\n", "pdf", "Reads PDFs."},
		{"folded block", "---\nname: pdf\ndescription: >\n  Reads PDFs\n  and forms.\n\n  Use it.\n---\n", "pdf", "Reads PDFs and forms.\nUse it.\n"},
		{"folded block, strip", "---\nname: pdf\ndescription: >-\n  Reads PDFs\n  and forms.\n---\n", "pdf", "Reads PDFs and forms."},
		{"literal block", "---\nname: pdf\ndescription: |\n  Line one\n    indented\n  Line three\n---\n", "pdf", "Line one\n  indented\nLine three\n"},
		{"quoted over lines", "---\nname: pdf\ndescription: \"Reads PDFs\n  and forms.\"\n---\n", "pdf", "Reads PDFs and forms."},
		{"quoted key", "---\n\"name\": pdf\ndescription: d\n---\n", "pdf", "d"},
		{"three dots end", "---\nname: pdf\ndescription: d\n...\n", "pdf", "d"},
		{"colon in a plain value", "---\nname: pdf\ndescription: Use when: a PDF is given\n---\n", "pdf", "Use when: a PDF is given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fm, err := Parse([]byte(tc.md))
			require.NoError(t, err)
			require.Equal(t, tc.wantName, fm.Name)
			require.Equal(t, tc.wantDesc, fm.Description)
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, md, want string }{
		{"empty", "", `start with a "---" line`},
		{"no frontmatter", "# Title\n", `start with a "---" line`},
		{"not at the top", "\n---\nname: a\ndescription: d\n---\n", `start with a "---" line`},
		{"unclosed", "---\nname: a\ndescription: d\n", "closing"},
		{"no name", "---\ndescription: d\n---\n", "name is required"},
		{"nested name", "---\nname:\n  first: a\ndescription: d\n---\n", "name is required"},
		{"upper case", "---\nname: PDF\ndescription: d\n---\n", "kebab-case"},
		{"space", "---\nname: my skill\ndescription: d\n---\n", "kebab-case"},
		{"double hyphen", "---\nname: a--b\ndescription: d\n---\n", "kebab-case"},
		{"leading hyphen", "---\nname: -a\ndescription: d\n---\n", "kebab-case"},
		{"too long", "---\nname: " + strings.Repeat("a", 65) + "\ndescription: d\n---\n", "65 characters"},
		{"blank description", "---\nname: a\ndescription: \"  \"\n---\n", "description is required"},
		{"description too long", "---\nname: a\ndescription: " + strings.Repeat("é", 1025) + "\n---\n", "1025 characters"},
		{"twice", "---\nname: a\nname: b\ndescription: d\n---\n", "appears twice"},
		{"not a pair", "---\nname a\ndescription: d\n---\n", "not a key: value"},
		{"unterminated quote", "---\nname: \"a\ndescription: d\n---\n", "unterminated"},
		{"text after quote", "---\nname: \"a\" b\ndescription: d\n---\n", "after the quoted"},
		{"bad escape", "---\nname: a\ndescription: \"\\q\"\n---\n", "bad escape"},
		{"bad block header", "---\nname: a\ndescription: |x\n  d\n---\n", "block scalar header"},
		{"not UTF-8", "---\nname: a\ndescription: \xff\n---\n", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.md))
			require.ErrorIs(t, err, ErrFrontmatter)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestIsSlug(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"pdf": true, "invoice-parser": true, "a1-b2-3": true,
		"": false, "-a": false, "a-": false, "a--b": false, "A": false, "a_b": false, "a.b": false, "a b": false, "é": false,
	} {
		require.Equal(t, want, IsSlug(s), s)
	}
}

// FuzzParse checks that Parse never panics, and that what it accepts meets
// the rules it promises.
func FuzzParse(f *testing.F) {
	f.Add([]byte("---\nname: pdf\ndescription: >\n  a\n\n  b\n---\n"))
	f.Add([]byte("---\nname: 'a''b'\ndescription: \"x\\ny\"\n---\n"))
	f.Add([]byte("---\nmetadata:\n  - x\nname: a\ndescription: |+\n  d\n\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrFrontmatter) {
				t.Fatalf("error outside ErrFrontmatter: %v", err)
			}
			return
		}
		if !IsSlug(fm.Name) || len(fm.Name) > MaxNameLen || strings.TrimSpace(fm.Description) == "" {
			t.Fatalf("accepted %+v", fm)
		}
	})
}
