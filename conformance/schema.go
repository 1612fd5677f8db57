package conformance

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/anthropics/anthropic-sdk-go/v2/packages/respjson"
)

// Checker walks values decoded by the official SDK and reports every field the
// answer got wrong by the SDK's own schema: a required field missing, a
// required field null where the API never sends null, a value of the wrong
// JSON type, a field the SDK does not know, a union variant it does not know.
//
// The schema is read from the SDK's types by reflection: a field is required
// when its struct tag says api:"required", and each response struct carries a
// JSON struct of respjson.Field that records what the decoder saw. Nothing is
// hand-picked, so every field of every answer is checked.
type Checker struct {
	// Nullable lists the required fields that may be null, as
	// "GoTypeName.json_name". The SDK's tags cannot say so; its docs and the
	// reference do (archived_at, multiagent, ...).
	Nullable map[string]bool
	// Extra lists the fields an answer may carry that the SDK's type lacks,
	// as "GoTypeName.json_name", or "*Suffix.json_name" for every type whose
	// name ends in Suffix: fields the reference documents and the SDK reads
	// elsewhere (error.details) or not yet.
	Extra map[string]bool
	// Variants lists the union types a union of the SDK has no variant for
	// but that the SDK names elsewhere (an enum), as "UnionTypeName.type":
	// the value decodes, only its variant struct is missing.
	Variants map[string]bool

	// Problems are the findings, each "path: what is wrong".
	Problems []string
	// Objects counts the structs checked; Fields the fields checked.
	Objects, Fields int
}

// Check walks v (a decoded SDK response, or a pointer to one) and adds its
// problems, with paths starting at root.
func (c *Checker) Check(root string, v any) {
	c.value(root, reflect.ValueOf(v))
}

func (c *Checker) problem(path, format string, args ...any) {
	c.Problems = append(c.Problems, path+": "+fmt.Sprintf(format, args...))
}

var fieldType = reflect.TypeFor[respjson.Field]()

func (c *Checker) value(path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			c.value(path, v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			c.value(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		for _, k := range keys {
			c.value(fmt.Sprintf("%s[%v]", path, k), v.MapIndex(k))
		}
	case reflect.Struct:
		meta := v.FieldByName("JSON")
		if !meta.IsValid() || meta.Kind() != reflect.Struct {
			return // time.Time and other leaves
		}
		if asAny := v.MethodByName("AsAny"); asAny.IsValid() {
			c.union(path, v, asAny)
			return
		}
		c.object(path, v, meta)
	}
}

// union checks the variant a union decodes to; a union with no variant for
// its type is a problem.
func (c *Checker) union(path string, v, asAny reflect.Value) {
	variant := asAny.Call(nil)[0]
	if variant.IsNil() {
		typ := v.FieldByName("Type")
		if c.Variants[typeName(v.Type())+"."+fmt.Sprint(typ)] {
			c.Objects++
			return
		}
		c.problem(path, "%s: no variant for type %v", v.Type().Name(), typ)
		return
	}
	c.value(path, variant.Elem())
}

// object checks each field of a response struct against its JSON metadata.
func (c *Checker) object(path string, v, meta reflect.Value) {
	c.Objects++
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		m := meta.FieldByName(f.Name)
		if !m.IsValid() || m.Type() != fieldType {
			continue
		}
		c.Fields++
		field := m.Interface().(respjson.Field)
		required := f.Tag.Get("api") == "required"
		at := path + "." + name
		switch raw := field.Raw(); {
		case raw == respjson.Omitted:
			if required {
				c.problem(at, "required field missing (%s.%s)", t.Name(), f.Name)
			}
		case raw == respjson.Null:
			if required && !c.Nullable[typeName(t)+"."+name] {
				c.problem(at, "required field is null (%s.%s)", t.Name(), f.Name)
			}
		case !field.Valid():
			c.problem(at, "%s does not decode into %s (%s.%s)", raw, f.Type, t.Name(), f.Name)
		default:
			c.value(at, v.Field(i))
		}
	}
	if extra := meta.FieldByName("ExtraFields"); extra.IsValid() && extra.Kind() == reflect.Map && !takesExtraFields(t) {
		keys := extra.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if !c.extraAllowed(typeName(t), k.String()) {
				c.problem(path+"."+k.String(), "field unknown to the official SDK (%s)", t.Name())
			}
		}
	}
}

// takesExtraFields reports whether t keeps unknown fields by design (a JSON
// Schema, say): it has a field tagged api:"extrafields".
func takesExtraFields(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("api") == "extrafields" {
			return true
		}
	}
	return false
}

// extraAllowed reports whether Extra lets a type named typ carry field.
func (c *Checker) extraAllowed(typ, field string) bool {
	if c.Extra[typ+"."+field] {
		return true
	}
	for k := range c.Extra {
		suffix, ok := strings.CutPrefix(k, "*")
		if ok && strings.HasSuffix(typ+"."+field, suffix) && strings.HasSuffix(suffix, "."+field) {
			return true
		}
	}
	return false
}

// typeName is the name of t without the type arguments of a generic type.
func typeName(t reflect.Type) string {
	name, _, _ := strings.Cut(t.Name(), "[")
	return name
}
