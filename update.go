package managedagents

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// This file is the one way an update clears a field. Every update params
// struct sends only the fields that are set (the zero value of a field keeps
// the stored value) and has a Clear list: the JSON names of the fields to send
// as null, which clears them. A nested field is named with a dot, e.g.
// "agent.tools". Each params struct documents the names it accepts; any other
// name, a name given twice, or a field both set and cleared is a
// *ValidationError before anything is sent.

// jsonNull is the JSON null literal.
var jsonNull = json.RawMessage("null")

// marshalUpdate encodes body, an update's params without their MarshalJSON
// method, and adds a null member for each field in clear.
func marshalUpdate(body any, clear []string) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil || len(clear) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, f := range clear {
		parent, child, nested := strings.Cut(f, ".")
		if !nested {
			m[f] = jsonNull
			continue
		}
		sub := map[string]json.RawMessage{}
		if raw, ok := m[parent]; ok {
			if err := json.Unmarshal(raw, &sub); err != nil {
				return nil, err
			}
		}
		sub[child] = jsonNull
		if m[parent], err = json.Marshal(sub); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// validateClear checks the Clear list of an update: each name is one of
// clearable, named once, and not also set in body (the params without their
// MarshalJSON method).
func validateClear(clear, clearable []string, body any) error {
	if len(clear) == 0 {
		return nil
	}
	set, err := setFields(body)
	if err != nil {
		return err
	}
	for i, f := range clear {
		field := "clear[" + strconv.Itoa(i) + "]"
		switch {
		case !slices.Contains(clearable, f):
			return invalid(field, strconv.Quote(f)+" is not a field this update can clear ("+strings.Join(clearable, ", ")+")")
		case slices.Contains(clear[:i], f):
			return invalid(field, strconv.Quote(f)+" is named twice")
		case set[f]:
			return invalid(f, "cannot be both set and cleared")
		}
	}
	return nil
}

// setFields returns the names of the members body encodes, and of the members
// of its object members as "parent.child".
func setFields(body any) (map[string]bool, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(m))
	for k, raw := range m {
		set[k] = true
		var sub map[string]json.RawMessage
		if json.Unmarshal(raw, &sub) == nil {
			for c := range sub {
				set[k+"."+c] = true
			}
		}
	}
	return set, nil
}
