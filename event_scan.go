package managedagents

import (
	"bytes"
	"encoding/json"
)

// This file holds the small JSON scanner of the fast path of DecodeEvent
// (event_fastcontent.go). It reads the top-level members of an object without
// decoding them: scanType guesses the event's type from the first "type"
// member, and countKey counts the members a key would fill. It never decides a
// result on its own: whatever it reads is checked against what encoding/json
// decodes (see decodeEventFast), and FuzzDecodeEventFastMatchesPlain checks the
// whole against encoding/json alone. Every index is bounds-checked; malformed
// input gives ok false.

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isDelimiter reports whether c ends a number or a literal.
func isDelimiter(c byte) bool { return c == ',' || c == '}' || c == ']' || c == ':' }

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at data[i]
// (which must be '"'), whether the string holds a backslash escape, and false
// when it does not end.
func skipString(data []byte, i int) (end int, escaped, ok bool) {
	i++ // opening quote
	for i < len(data) {
		// Jump to the next quote or backslash.
		j := bytes.IndexAny(data[i:], `"\`)
		if j < 0 {
			return 0, false, false
		}
		i += j
		if data[i] == '"' {
			return i + 1, escaped, true
		}
		escaped = true
		i += 2 // backslash and the escaped byte; \uXXXX's hex digits are plain bytes
	}
	return 0, false, false
}

// skipValue returns the index just past the JSON value starting at data[i]
// (i must point at its first byte, not at whitespace), and false when the
// value does not end. It checks only what it needs to find the end.
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		end, _, ok := skipString(data, i)
		return end, ok
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				end, _, ok := skipString(data, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		// Number, true, false or null: up to the next delimiter.
		start := i
		for i < len(data) && !isSpace(data[i]) && !isDelimiter(data[i]) {
			i++
		}
		return i, i > start
	}
}

// eachMember calls fn with the key (as written, quotes excluded), whether the
// key holds an escape, and the value of each member of the JSON object in
// data, in order, until fn returns false. It returns false when data is not an
// object it can read to its end (or to where fn stopped).
func eachMember(data []byte, fn func(key []byte, escaped bool, value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return false
		}
		keyEnd, escaped, ok := skipString(data, i)
		if !ok {
			return false
		}
		key := data[i+1 : keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		end, ok := skipValue(data, i)
		if !ok {
			return false
		}
		if !fn(key, escaped, data[i:end]) {
			return true
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
}

// scanType returns the value of the first top-level member of the object in
// data whose key is exactly "type", when that value is a string without
// escapes: the type DecodeEvent guesses before decoding. ok is false otherwise.
func scanType(data []byte) (typ []byte, ok bool) {
	eachMember(data, func(key []byte, escaped bool, value []byte) bool {
		if escaped || string(key) != "type" {
			return true
		}
		if len(value) >= 2 && value[0] == '"' && bytes.IndexByte(value, '\\') < 0 {
			typ, ok = value[1:len(value)-1], true
		}
		return false
	})
	return typ, ok
}

// countKey returns how many top-level members of the object in data
// encoding/json would decode into a struct field named name (lower case): the
// members whose key, unescaped, equals name case-insensitively. It returns -1
// when data cannot be read.
func countKey(data []byte, name string) int {
	n := 0
	ok := eachMember(data, func(key []byte, escaped bool, _ []byte) bool {
		if escaped {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s) != nil {
				n = -1
				return false
			}
			key = []byte(s)
		}
		if bytes.EqualFold(key, []byte(name)) {
			n++
		}
		return true
	})
	if !ok {
		return -1
	}
	return n
}
