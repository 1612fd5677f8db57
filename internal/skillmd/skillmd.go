// Package skillmd reads the frontmatter of a skill's SKILL.md: the YAML block
// between two "---" lines at the top of the file, of which a skill needs
// name (its kebab-case slug) and description (more-resources.md §6.2, §6.3).
// It reads the part of YAML such a block uses (plain, quoted and block
// scalars; other keys and nested values are skipped), without a YAML
// library, which the SDK's module may not depend on.
package skillmd

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the frontmatter, as the Agent Skills format gives them.
const (
	// MaxNameLen is the longest name, in characters.
	MaxNameLen = 64
	// MaxDescriptionLen is the longest description, in characters.
	MaxDescriptionLen = 1024
)

// Frontmatter is what a skill's SKILL.md says of it.
type Frontmatter struct {
	// Name is the skill's slug: lowercase letters, digits and single hyphens.
	Name string
	// Description says what the skill does and when to use it.
	Description string
}

// ErrFrontmatter is matched (errors.Is) by every error of [Parse].
var ErrFrontmatter = errors.New("SKILL.md frontmatter")

func fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFrontmatter, fmt.Sprintf(format, args...))
}

// Parse reads the frontmatter at the top of data, the content of a SKILL.md,
// and checks name and description: both present, name a slug of at most
// [MaxNameLen] characters, description one of at most [MaxDescriptionLen].
func Parse(data []byte) (Frontmatter, error) {
	values, err := Values(data)
	if err != nil {
		return Frontmatter{}, err
	}
	fm := Frontmatter{Name: values["name"], Description: values["description"]}
	return fm, fm.check()
}

// Values returns the top-level values of the frontmatter at the top of data,
// unchecked: a key whose value is nested (a mapping, a sequence) maps to "".
func Values(data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, fail("not UTF-8 text")
	}
	lines := strings.Split(string(data), "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	if strings.TrimRight(lines[0], " \t") != "---" {
		return nil, fail(`the file must start with a "---" line`)
	}
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimRight(lines[i], " \t"); l == "---" || l == "..." {
			return topLevel(lines[1:i])
		}
	}
	return nil, fail(`no closing "---" line`)
}

func (fm Frontmatter) check() error {
	switch n := utf8.RuneCountInString(fm.Name); {
	case n == 0:
		return fail("name is required")
	case n > MaxNameLen:
		return fail("name has %d characters, more than %d", n, MaxNameLen)
	case !IsSlug(fm.Name):
		return fail("name %q must be lowercase letters, digits and single hyphens (kebab-case)", fm.Name)
	}
	switch n := utf8.RuneCountInString(fm.Description); {
	case strings.TrimSpace(fm.Description) == "":
		return fail("description is required")
	case n > MaxDescriptionLen:
		return fail("description has %d characters, more than %d", n, MaxDescriptionLen)
	}
	return nil
}

// IsSlug reports whether s is kebab-case: lowercase ASCII letters and digits
// in groups joined by single hyphens.
func IsSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// topLevel returns the scalar values of the mapping's top-level keys; a key
// whose value is nested (a mapping, a sequence) maps to "".
func topLevel(lines []string) (map[string]string, error) {
	values := map[string]string{}
	for i := 0; i < len(lines); {
		line := lines[i]
		if blank(line) || line[0] == ' ' || line[0] == '\t' {
			i++ // a comment, an empty line, or the inside of a nested value
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
			return nil, fail("line %q is not a key: value pair", line)
		}
		key = strings.TrimSpace(key)
		if uq, err := unquoteKey(key); err == nil {
			key = uq
		}
		if _, dup := values[key]; dup {
			return nil, fail("key %s appears twice", key)
		}
		i++
		// The lines that continue the value: more indented, or blank.
		j := i
		for j < len(lines) && (blank(lines[j]) || lines[j][0] == ' ' || lines[j][0] == '\t') {
			j++
		}
		v, err := scalar(key, strings.TrimSpace(rest), lines[i:j])
		if err != nil {
			return nil, err
		}
		values[key] = v
		i = j
	}
	return values, nil
}

func blank(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || t[0] == '#'
}

func unquoteKey(k string) (string, error) {
	if len(k) >= 2 && (k[0] == '"' || k[0] == '\'') && k[len(k)-1] == k[0] {
		return quoted(k, nil)
	}
	return k, nil
}

// scalar returns the value of key: head is the text after the colon, more
// the indented lines that follow.
func scalar(key, head string, more []string) (string, error) {
	switch {
	case head == "" || head[0] == '#':
		// A nested mapping or sequence, or a plain scalar starting on the next line.
		if len(more) > 0 {
			first := strings.TrimSpace(more[0])
			if strings.HasPrefix(first, "- ") || first == "-" || isKeyLine(first) {
				return "", nil
			}
		}
		return plain(head, more), nil
	case head[0] == '|' || head[0] == '>':
		return block(key, head, more)
	case head[0] == '"' || head[0] == '\'':
		return quoted(head, more)
	case head[0] == '[' || head[0] == '{':
		return "", nil // a flow collection
	}
	return plain(head, more), nil
}

// isKeyLine reports whether a trimmed line looks like "key: value".
func isKeyLine(s string) bool {
	k, rest, ok := strings.Cut(s, ":")
	return ok && k != "" && !strings.ContainsAny(k, " \t") && (rest == "" || rest[0] == ' ')
}

// plain folds a plain scalar: its lines joined by spaces (an empty line is a
// newline), comments removed.
func plain(head string, more []string) string {
	parts := []string{stripComment(head)}
	for _, l := range more {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") {
			break // a comment ends a plain scalar
		}
		parts = append(parts, stripComment(t))
	}
	return fold(parts)
}

// fold joins lines with spaces, and turns each empty line into a newline.
func fold(lines []string) string {
	var b strings.Builder
	pendingBreak := false
	for _, l := range lines {
		if l == "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
				pendingBreak = true
			}
			continue
		}
		if b.Len() > 0 && !pendingBreak {
			b.WriteByte(' ')
		}
		b.WriteString(l)
		pendingBreak = false
	}
	return strings.TrimRight(b.String(), "\n")
}

func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// quoted reads a single- or double-quoted scalar that starts head and may go
// on over more.
func quoted(head string, more []string) (string, error) {
	q := head[0]
	text := head
	for _, l := range more {
		text += "\n" + l
	}
	// Find the closing quote.
	end := -1
	for i := 1; i < len(text); i++ {
		if q == '"' && text[i] == '\\' {
			i++
			continue
		}
		if text[i] == q {
			if q == '\'' && i+1 < len(text) && text[i+1] == '\'' {
				i++
				continue
			}
			end = i
			break
		}
	}
	if end < 0 {
		return "", fail("unterminated quoted value %s", firstLine(head))
	}
	if rest := strings.TrimSpace(text[end+1:]); rest != "" && rest[0] != '#' {
		return "", fail("text after the quoted value %s", firstLine(head))
	}
	body := text[1:end]
	lines := strings.Split(body, "\n")
	for i := range lines {
		if i > 0 {
			lines[i] = strings.TrimLeft(lines[i], " \t")
		}
		if i < len(lines)-1 {
			lines[i] = strings.TrimRight(lines[i], " \t")
		}
	}
	folded := fold(lines)
	if q == '\'' {
		return strings.ReplaceAll(folded, "''", "'"), nil
	}
	s, err := strconv.Unquote(`"` + strings.ReplaceAll(folded, "\n", `\n`) + `"`)
	if err != nil {
		return "", fail("bad escape in %s", firstLine(head))
	}
	return s, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// block reads a literal (|) or folded (>) block scalar.
func block(key, head string, more []string) (string, error) {
	style := head[0]
	indicator := stripComment(head[1:])
	keep, strip := strings.Contains(indicator, "+"), strings.Contains(indicator, "-")
	if strings.Trim(indicator, "+-0123456789") != "" {
		return "", fail("%s: bad block scalar header %q", key, head)
	}
	indent := -1
	var lines []string
	for _, l := range more {
		if strings.TrimSpace(l) == "" {
			lines = append(lines, "")
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if indent < 0 {
			indent = n
		}
		if n < indent {
			return "", fail("%s: a block line is less indented than the first", key)
		}
		lines = append(lines, l[indent:])
	}
	var text string
	if style == '|' {
		text = strings.Join(lines, "\n")
	} else {
		text = foldBlock(lines)
	}
	switch trimmed := strings.TrimRight(text, "\n"); {
	case keep:
		return text + "\n", nil
	case strip || trimmed == "":
		return trimmed, nil
	default:
		return trimmed + "\n", nil
	}
}

// foldBlock folds the lines of a ">" block: lines join with a space; each
// empty line is a newline (the break before it is dropped); the breaks
// around a more indented line are kept.
func foldBlock(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			switch {
			case l == "":
				b.WriteByte('\n')
			case prev == "":
			case strings.HasPrefix(l, " ") || strings.HasPrefix(prev, " "):
				b.WriteByte('\n')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
