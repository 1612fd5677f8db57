package managedagents

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of memory stores and memories, checked before anything is sent
// (more-resources.md §4.2, §4.3, §1.3; managed-agents-api.md §4.12). A
// "character" is a Unicode code point; the byte limits count UTF-8 bytes.
const (
	// MaxMemoryContentBytes is the largest content of a memory: 100 kB.
	MaxMemoryContentBytes = 102_400
	// MaxMemoryPathBytes is the longest memory path, in bytes.
	MaxMemoryPathBytes = 1024
	// MaxMemoryPathSegments is the most segments a memory path has.
	MaxMemoryPathSegments = 20
	// MaxMemoryStoreNameChars is the longest name of a memory store (at least 1).
	MaxMemoryStoreNameChars = 255
	// MaxMemoryStoreDescriptionChars is the longest description of a memory store.
	MaxMemoryStoreDescriptionChars = 1024
	// MaxMemoryStoreMetadataPairs is the most metadata pairs of a memory store.
	MaxMemoryStoreMetadataPairs = maxMetadataPairs
	// MaxMemoryStoreMetadataKeyChars is the longest metadata key of a memory
	// store (at least 1).
	MaxMemoryStoreMetadataKeyChars = maxMetadataKeyChars
	// MaxMemoryStoreMetadataValueChars is the longest metadata value of a
	// memory store.
	MaxMemoryStoreMetadataValueChars = maxMetadataValueChars
	// MaxMemoryListLimit is the largest page of the memory store, memory and
	// memory version lists.
	MaxMemoryListLimit = 100
	// MaxMemoryFullViewLimit is the largest page of the memory and memory
	// version lists with [MemoryViewFull].
	MaxMemoryFullViewLimit = 20
	// MaxMemoryStoresPerSession is the most memory stores mounted in one session.
	MaxMemoryStoresPerSession = 8
	// MaxMemoryStoreInstructionsChars is the longest instructions of a memory
	// store mounted in a session.
	MaxMemoryStoreInstructionsChars = 4096
)

// validateMemoryPath checks a memory path: it starts with "/", has 1 to 20
// segments, none empty, "." or "..", holds no control character, Unicode
// format character, U+2028 or U+2029, is valid UTF-8 and at most 1024 bytes.
// That it is in Unicode Normalization Form C is left to the server: checking
// it needs the Unicode composition tables, which the standard library lacks.
func validateMemoryPath(field, p string) error {
	if p == "" {
		return invalid(field, "is required")
	}
	if err := checkPathText(field, p); err != nil {
		return err
	}
	if p[0] != '/' {
		return invalid(field, `must start with "/"`)
	}
	return checkSegments(field, p[1:])
}

// validatePathPrefix checks the path_prefix of a memory list: empty (the
// whole store), "/", or a memory path followed by "/".
func validatePathPrefix(field, p string) error {
	if p == "" || p == "/" {
		return nil
	}
	if err := checkPathText(field, p); err != nil {
		return err
	}
	if p[0] != '/' || p[len(p)-1] != '/' {
		return invalid(field, `must start and end with "/", e.g. "/notes/"`)
	}
	return checkSegments(field, p[1:len(p)-1])
}

// checkPathText checks the bytes and characters of a path or prefix.
func checkPathText(field, p string) error {
	if !utf8.ValidString(p) {
		return invalid(field, "must be valid UTF-8")
	}
	if len(p) > MaxMemoryPathBytes {
		return invalid(field, fmt.Sprintf("is %d bytes long; at most %d", len(p), MaxMemoryPathBytes))
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return invalid(field, fmt.Sprintf("has the character %U, not allowed in a memory path (control, format and line or paragraph separator characters are not)", r))
		}
	}
	return nil
}

// checkSegments checks the segments of a path without its leading "/".
func checkSegments(field, rest string) error {
	n := 0
	for seg := range strings.SplitSeq(rest, "/") {
		n++
		switch seg {
		case "":
			return invalid(field, `has an empty segment (no "//" and no "/" at the end)`)
		case ".", "..":
			return invalid(field, `has a segment `+strconv.Quote(seg)+`; "." and ".." are not allowed`)
		}
	}
	if n > MaxMemoryPathSegments {
		return invalid(field, fmt.Sprintf("has %d segments; at most %d", n, MaxMemoryPathSegments))
	}
	return nil
}

// validateMemoryContent checks a memory's content: UTF-8 text of at most
// 102,400 bytes ("" is valid).
func validateMemoryContent(field, c string) error {
	if len(c) > MaxMemoryContentBytes {
		return invalid(field, fmt.Sprintf("is %d bytes long; at most %d (100 kB)", len(c), MaxMemoryContentBytes))
	}
	if !utf8.ValidString(c) {
		return invalid(field, "must be valid UTF-8 text")
	}
	return nil
}

// validateSHA256 checks a content hash: 64 lowercase hexadecimal characters.
func validateSHA256(field, h string) error {
	if len(h) != 64 || strings.IndexFunc(h, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) >= 0 {
		return invalid(field, "must be 64 lowercase hexadecimal characters (a SHA-256 of the content; see MemoryContentSHA256)")
	}
	return nil
}

// checkChars checks that s has from lo to hi characters and, if noControl,
// no control character.
func checkChars(field, s string, lo, hi int, noControl bool) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n < lo && lo == 1:
		return invalid(field, "must not be empty")
	case n < lo:
		return invalid(field, fmt.Sprintf("has %d characters; at least %d", n, lo))
	case n > hi:
		return invalid(field, fmt.Sprintf("has %d characters; at most %d", n, hi))
	}
	if noControl {
		if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return invalid(field, fmt.Sprintf("has the control character %U", r))
		}
	}
	return nil
}

// memoryListQuery starts the query of a memory or memory version list: its
// page size (at most 100, at most 20 with view=full), cursor and view.
func memoryListQuery(limit int, page string, view MemoryView) (query, error) {
	q, err := listQuery(limit, page)
	if err != nil {
		return nil, err
	}
	if err := view.check("view"); err != nil {
		return nil, err
	}
	switch {
	case limit > MaxMemoryListLimit:
		return nil, invalid("limit", fmt.Sprintf("is %d; at most %d", limit, MaxMemoryListLimit))
	case view == MemoryViewFull && limit > MaxMemoryFullViewLimit:
		return nil, invalid("limit", fmt.Sprintf("is %d; at most %d with view=full", limit, MaxMemoryFullViewLimit))
	}
	q.str("view", string(view))
	return q, nil
}
