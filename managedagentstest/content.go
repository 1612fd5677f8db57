package managedagentstest

import "strconv"

// Content block types allowed in each place (reference §4.15, §5.4).
var (
	messageBlocks = []string{"text", "image", "document", "redacted"}
	resultBlocks  = []string{"text", "image", "document", "search_result"}
	systemBlocks  = []string{"text"}
)

var imageMediaTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// normBlocks resolves a content list into the response form of its blocks,
// refusing block types not in allowed. required makes an absent or empty
// list an error.
func normBlocks(v any, where string, required bool, allowed []string) ([]any, error) {
	if v == nil {
		if required {
			return nil, errBadRequest("%s: field required", where)
		}
		return nil, nil
	}
	list, ok := isList(v)
	if !ok || (required && len(list) == 0) {
		return nil, errBadRequest("%s: must be a non-empty array of content blocks", where)
	}
	if len(list) > 1000 {
		return nil, errBadRequest("%s: at most 1000 content blocks", where)
	}
	out := []any{}
	for i, b := range list {
		bw := where + "[" + strconv.Itoa(i) + "]"
		typ := typeOf(b)
		known := false
		for _, a := range allowed {
			known = known || a == typ
		}
		if !known {
			return nil, errBadRequest("%s.type: %q is not a content block allowed here", bw, typ)
		}
		block, err := normBlock(b.(obj), typ, bw)
		if err != nil {
			return nil, err
		}
		out = append(out, block)
	}
	return out, nil
}

// normBlock resolves one content block of type typ.
func normBlock(m obj, typ, where string) (obj, error) {
	switch typ {
	case "text":
		text, ok := m["text"].(string)
		if err := onlyKeys(m, where, "type", "text"); err != nil || !ok {
			return nil, errBadRequest("%s: a text block has a text string and nothing else", where)
		}
		return obj{"type": "text", "text": text}, nil
	case "redacted":
		if err := onlyKeys(m, where, "type"); err != nil {
			return nil, err
		}
		return obj{"type": "redacted"}, nil
	case "image":
		if err := onlyKeys(m, where, "type", "source"); err != nil {
			return nil, err
		}
		src, err := normSource(m["source"], where+".source", map[string]bool{"base64": true, "url": true, "file": true},
			func(mt any) bool { s, _ := mt.(string); return imageMediaTypes[s] })
		if err != nil {
			return nil, err
		}
		return obj{"type": "image", "source": src}, nil
	case "document":
		if err := onlyKeys(m, where, "type", "source", "title", "context"); err != nil {
			return nil, err
		}
		src, err := normSource(m["source"], where+".source", map[string]bool{"base64": true, "text": true, "url": true, "file": true},
			func(mt any) bool { return mt == "application/pdf" })
		if err != nil {
			return nil, err
		}
		out := obj{"type": "document", "source": src, "title": nil, "context": nil}
		for _, k := range []string{"title", "context"} {
			if s, ok := m[k].(string); ok {
				out[k] = s
			} else if m[k] != nil {
				return nil, errBadRequest("%s.%s: must be a string", where, k)
			}
		}
		return out, nil
	case "search_result":
		if err := onlyKeys(m, where, "type", "source", "title", "content", "citations"); err != nil {
			return nil, err
		}
		source, _ := m["source"].(string)
		title, _ := m["title"].(string)
		if source == "" || title == "" {
			return nil, errBadRequest("%s: a search result needs a source and a title", where)
		}
		content, err := normBlocks(m["content"], where+".content", true, []string{"text"})
		if err != nil {
			return nil, err
		}
		enabled := false
		if c, ok := isObj(m["citations"]); ok {
			if err := onlyKeys(c, where+".citations", "enabled"); err != nil {
				return nil, err
			}
			enabled, _ = c["enabled"].(bool)
		}
		return obj{"type": "search_result", "source": source, "title": title, "content": content,
			"citations": obj{"enabled": enabled}}, nil
	}
	return nil, errBadRequest("%s.type: unknown content block type %q", where, typ)
}

// normSource resolves the source of an image or document block: base64
// (with a media type mediaOK accepts), plain text, url or file.
func normSource(v any, where string, kinds map[string]bool, mediaOK func(any) bool) (obj, error) {
	m, ok := isObj(v)
	typ := typeOf(v)
	if !ok || !kinds[typ] {
		return nil, errBadRequest("%s.type: not a source this block takes", where)
	}
	field := map[string]string{"base64": "data", "text": "data", "url": "url", "file": "file_id"}[typ]
	keys := []string{"type", field}
	if typ == "base64" || typ == "text" {
		keys = append(keys, "media_type")
	}
	if err := onlyKeys(m, where, keys...); err != nil {
		return nil, err
	}
	val, _ := m[field].(string)
	if val == "" {
		return nil, errBadRequest("%s.%s: field required", where, field)
	}
	out := obj{"type": typ, field: val}
	switch typ {
	case "base64":
		if !mediaOK(m["media_type"]) {
			return nil, errBadRequest("%s.media_type: %v is not a media type this block takes", where, m["media_type"])
		}
		out["media_type"] = m["media_type"]
	case "text":
		if mt, ok := m["media_type"]; ok && mt != "text/plain" {
			return nil, errBadRequest("%s.media_type: must be text/plain", where)
		}
		out["media_type"] = "text/plain"
	}
	return out, nil
}
