package managedagents

import (
	"bytes"
	"encoding/json"
	"errors"
)

// This file holds a small JSON scanner used to find the discriminating "type"
// of an object without decoding it, so that each event and block is unmarshalled
// exactly once into its concrete type. It never decodes values and never
// validates more than it needs: json.Unmarshal validates the whole input
// afterwards. Every index is bounds-checked; malformed input gives an error.

var errSyntax = errors.New("malformed JSON")

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at data[i]
// (which must be '"') and whether the string holds a backslash escape.
func skipString(data []byte, i int) (end int, escaped bool, err error) {
	i++ // opening quote
	for i < len(data) {
		// Fast path: jump to the next quote or backslash.
		j := bytes.IndexAny(data[i:], `"\`)
		if j < 0 {
			return 0, false, errSyntax
		}
		i += j
		if data[i] == '"' {
			return i + 1, escaped, nil
		}
		escaped = true
		i += 2 // backslash and the escaped byte; \uXXXX's hex digits are plain bytes
	}
	return 0, false, errSyntax
}

// skipValue returns the index just past the JSON value starting at data[i]
// (i must point at its first byte, not at whitespace).
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errSyntax
	}
	switch data[i] {
	case '"':
		end, _, err := skipString(data, i)
		return end, err
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				end, _, err := skipString(data, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errSyntax
	default:
		// Number, true, false or null: up to the next delimiter.
		start := i
		for i < len(data) {
			switch c := data[i]; {
			case c == ',' || c == '}' || c == ']' || c == ':' || isSpace(c):
				if i == start {
					return 0, errSyntax
				}
				return i, nil
			case c == '{' || c == '[' || c == '"':
				return 0, errSyntax
			}
			i++
		}
		if i == start {
			return 0, errSyntax
		}
		return i, nil
	}
}

// typeKey is the key scanType looks for.
var typeKey = []byte("type")

// scanType finds the top-level "type" member of the JSON object in data and
// returns its string value; nested objects, arrays and strings are skipped, so a
// "type" inside them is never taken. found is false when the object has no such
// member or its value is not a string. The first top-level "type" wins. The scan
// stops there: the rest of the object is checked by json.Unmarshal later.
func scanType(data []byte) (typ []byte, found bool, err error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false, errors.New("not a JSON object")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil, false, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, false, errSyntax
		}
		keyStart := i
		keyEnd, keyEsc, err := skipString(data, i)
		if err != nil {
			return nil, false, err
		}
		key := data[keyStart+1 : keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return nil, false, errSyntax
		}
		i = skipSpace(data, i+1)
		isType := bytes.Equal(key, typeKey)
		if !isType && keyEsc {
			isType = unquote(data[keyStart:keyEnd]) == "type"
		}
		if isType {
			if i >= len(data) || data[i] != '"' {
				return nil, false, nil
			}
			end, esc, err := skipString(data, i)
			if err != nil {
				return nil, false, err
			}
			if esc {
				s := unquote(data[i:end])
				return []byte(s), true, nil
			}
			return data[i+1 : end-1], true, nil
		}
		end, err := skipValue(data, i)
		if err != nil {
			return nil, false, err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, false, errSyntax
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil, false, nil
		default:
			return nil, false, errSyntax
		}
	}
}

// unquote decodes a JSON string literal holding escapes; "" when it is invalid.
func unquote(lit []byte) string {
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return ""
	}
	return s
}

// eachElement calls fn with the raw JSON of each element of the JSON array in
// data, in order; a JSON null is an empty array. The slices passed to fn alias
// data.
func eachElement(data []byte, fn func(elem []byte) error) error {
	i := skipSpace(data, 0)
	if i+4 <= len(data) && string(data[i:i+4]) == "null" {
		return nil
	}
	if i >= len(data) || data[i] != '[' {
		return errors.New("not a JSON array")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return nil
	}
	for {
		end, err := skipValue(data, i)
		if err != nil {
			return err
		}
		if err := fn(data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return errSyntax
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return nil
		default:
			return errSyntax
		}
	}
}

// typeOf returns the top-level "type" string of the JSON object b, for the
// decoders of unions (tools, environment configs). It takes scanType's answer,
// which reads only the keys up to "type", and falls back to encoding/json for
// anything scanType does not find (a key spelled "Type", invalid JSON), so the
// result is the same as decoding into struct{ Type string }. The caller still
// decodes (and so validates) b as a whole.
func typeOf(b []byte) (string, error) {
	if typ, found, err := scanType(b); err == nil && found {
		return string(typ), nil
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", err
	}
	return head.Type, nil
}

// checkJSON returns the syntax error of b, if any: for union variants kept as
// raw JSON without being decoded.
func checkJSON(b []byte) error {
	var skip struct{}
	return json.Unmarshal(b, &skip)
}

// splitArray returns the elements of the JSON array b as subslices of b (no
// copies: a decoder that keeps one must copy it), or nil for null. It checks
// only the array's own punctuation: each element is validated when it is
// decoded. A malformed array gives encoding/json's error.
func splitArray(b []byte) ([][]byte, error) {
	i := skipSpace(b, 0)
	if bytes.Equal(bytes.TrimSpace(b[i:]), []byte("null")) {
		return nil, nil
	}
	elems, ok := scanArray(b, i)
	if !ok {
		var raws []json.RawMessage
		if err := json.Unmarshal(b, &raws); err != nil {
			return nil, err
		}
		return nil, errSyntax
	}
	return elems, nil
}

func scanArray(b []byte, i int) ([][]byte, bool) {
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	elems := [][]byte{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return elems, skipSpace(b, i+1) == len(b)
	}
	for {
		end, err := skipValue(b, i)
		if err != nil {
			return nil, false
		}
		elems = append(elems, b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return elems, skipSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}
