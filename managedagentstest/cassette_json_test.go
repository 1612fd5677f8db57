package managedagentstest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzLayoutJSON checks the parser that lays recordings out and redacts
// their bodies against encoding/json: it accepts exactly the valid JSON,
// its compact form is json.Compact's, and its layout reads back as the same
// value with every line within the width (but for long scalars).
func FuzzLayoutJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, `[]`, `null`, `"x"`, `1.50`, ` {"a" : [1, 2, {"b": null}], "c": "\u003c\"\\"} `,
		`{"long":"` + string(bytes.Repeat([]byte("a"), 120)) + `","n":[` + string(bytes.Repeat([]byte("1,"), 60)) + `1]}`,
		`{"a":}`, `[1,]`, `{"a" 1}`, `"unterminated`, `[1] [2]`, `tru`, `{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseJSON(b)
		if (err == nil) != json.Valid(b) {
			t.Fatalf("parse error %v, but json.Valid says %v, for %q", err, json.Valid(b), b)
		}
		if err != nil {
			return
		}
		var want, got bytes.Buffer
		_ = json.Compact(&want, b)
		n.compact(&got)
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Fatalf("compact:\n got %s\nwant %s", got.Bytes(), want.Bytes())
		}
		laid, err := layoutJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		if err := json.Compact(&again, laid); err != nil || !bytes.Equal(again.Bytes(), want.Bytes()) {
			t.Fatalf("the layout does not read back: %v\n%s", err, laid)
		}
	})
}
