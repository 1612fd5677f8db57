package agenttoolset

import (
	"errors"
	"path"
	"strconv"
	"strings"
)

// maxGlobSegments bounds a pattern's segments: match states are the bits of
// a uint64.
const maxGlobSegments = 63

// globPattern is a compiled glob pattern: segments separated by "/", where
// "**" is any number of path segments (zero included) and every other segment
// is matched against one path segment with shell matching (path.Match: *, ?,
// [...], \ escapes). It is matched one path segment at a time, as a set of
// positions in the pattern, so that a walk can prune a directory as soon as no
// position can match below it.
type globPattern struct {
	segs []globSegment
}

type globSegment struct {
	anyDepth bool     // "**"
	text     string   // the segment
	literal  bool     // text has no metacharacter: compare as is
	stars    []string // text has no metacharacter but "*": the parts between them
}

// globState is a set of positions in the pattern: bit i means "segment i is
// the next to match"; bit len(segs) means "the whole pattern matched".
type globState uint64

// compileGlob checks and compiles a relative glob pattern. Empty and "."
// segments are dropped (so "./src/" is "src"); consecutive "**" collapse.
func compileGlob(pattern string) (*globPattern, error) {
	if strings.HasPrefix(pattern, "/") {
		return nil, errors.New("pattern must be relative: an absolute pattern is not allowed; use path to choose where to search")
	}
	g := &globPattern{}
	for _, seg := range strings.Split(pattern, "/") {
		switch seg {
		case "", ".":
			continue
		case "..":
			return nil, errors.New(`pattern must not contain a ".." segment`)
		case "**":
			if n := len(g.segs); n > 0 && g.segs[n-1].anyDepth {
				continue
			}
			g.segs = append(g.segs, globSegment{anyDepth: true, text: seg})
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return nil, errors.New("pattern segment " + strconv.Quote(seg) + " is malformed")
		}
		g.segs = append(g.segs, compileSegment(seg))
	}
	if len(g.segs) == 0 {
		return nil, errors.New("pattern matches nothing")
	}
	if len(g.segs) > maxGlobSegments {
		return nil, errors.New("pattern has too many segments")
	}
	return g, nil
}

// compileSegment sorts a segment into a literal, a pattern of literal parts
// and "*" (the common "*.go", "*_test.go", "foo*"), matched without
// path.Match, or a general pattern.
func compileSegment(seg string) globSegment {
	switch {
	case !strings.ContainsAny(seg, `*?[\`):
		return globSegment{text: seg, literal: true}
	case !strings.ContainsAny(seg, `?[\`):
		return globSegment{text: seg, stars: strings.Split(seg, "*")}
	}
	return globSegment{text: seg}
}

// matchStars reports whether name matches the parts of a pattern split on
// "*": the first part begins it, the last ends it, and the others occur in
// between in order (taking each as early as possible loses no match).
func matchStars(parts []string, name string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(name) < len(first)+len(last) || !strings.HasPrefix(name, first) || !strings.HasSuffix(name, last) {
		return false
	}
	middle := name[len(first) : len(name)-len(last)]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(middle, part)
		if i < 0 {
			return false
		}
		middle = middle[i+len(part):]
	}
	return true
}

// start is the state before any path segment.
func (g *globPattern) start() globState { return g.closure(1) }

// closure adds, for every "**" in s, the position after it ("**" may match
// no segment at all).
func (g *globPattern) closure(s globState) globState {
	for i, seg := range g.segs {
		if seg.anyDepth && s&(1<<i) != 0 {
			s |= 1 << (i + 1)
		}
	}
	return s
}

// step returns the state after the path segment name; zero means nothing
// below can match.
func (g *globPattern) step(s globState, name string) globState {
	var next globState
	for i, seg := range g.segs {
		if s&(1<<i) == 0 {
			continue
		}
		switch {
		case seg.anyDepth:
			next |= 1 << i
		case seg.literal:
			if seg.text == name {
				next |= 1 << (i + 1)
			}
		case seg.stars != nil:
			if matchStars(seg.stars, name) {
				next |= 1 << (i + 1)
			}
		default:
			if ok, _ := path.Match(seg.text, name); ok {
				next |= 1 << (i + 1)
			}
		}
	}
	return g.closure(next)
}

// matched reports whether the path that led to s matches the whole pattern.
func (g *globPattern) matched(s globState) bool { return s&(1<<len(g.segs)) != 0 }

// alive reports whether a path below the one that led to s can still match.
func (g *globPattern) alive(s globState) bool { return s&^(1<<len(g.segs)) != 0 }

// match reports whether the slash-separated relative path rel matches.
func (g *globPattern) match(rel string) bool {
	s := g.start()
	for _, name := range strings.Split(rel, "/") {
		if s = g.step(s, name); s == 0 {
			return false
		}
	}
	return g.matched(s)
}
