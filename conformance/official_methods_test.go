package conformance

import (
	"bufio"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// officialRoots are the services of the official client that call the
// Managed Agents API (its beta services and the GA Files and Skills, which
// call the same routes as their beta twins).
func officialRoots() map[string]reflect.Value {
	c := anthropic.NewClient()
	beta := reflect.ValueOf(c.Beta)
	roots := map[string]reflect.Value{
		"client.Files":  reflect.ValueOf(c.Files),
		"client.Skills": reflect.ValueOf(c.Skills),
	}
	for _, n := range []string{"Agents", "Environments", "Sessions", "Deployments", "DeploymentRuns", "Vaults", "MemoryStores", "Files", "Skills"} {
		roots["client.Beta."+n] = beta.FieldByName(n)
	}
	return roots
}

// officialMethods returns "client.Beta.Deployments.New" and the like: every
// exported method of the official services and of the services nested in
// them (fields of a type named …Service).
func officialMethods() []string {
	var out []string
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		pt := reflect.PointerTo(v.Type())
		for i := range pt.NumMethod() {
			out = append(out, prefix+"."+pt.Method(i).Name)
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Type.Kind() == reflect.Struct && strings.HasSuffix(f.Type.Name(), "Service") {
				walk(prefix+"."+f.Name, v.Field(i))
			}
		}
	}
	for prefix, v := range officialRoots() {
		walk(prefix, v)
	}
	return out
}

// ourMethods returns "client.Deployments.Create" and the like: every method
// of every service of our client.
func ourMethods() []string {
	var out []string
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		for i := range v.Type().NumMethod() {
			out = append(out, prefix+"."+v.Type().Method(i).Name)
		}
		st := v.Elem()
		for i := range st.NumField() {
			f := st.Type().Field(i)
			if f.IsExported() && f.Type.Kind() == reflect.Pointer && strings.HasSuffix(f.Type.Elem().Name(), "Service") {
				walk(prefix+"."+f.Name, st.Field(i))
			}
		}
	}
	c := reflect.ValueOf(managedagents.NewClient()).Elem()
	for i := range c.NumField() {
		f := c.Type().Field(i)
		if f.IsExported() && f.Type.Kind() == reflect.Pointer && strings.HasSuffix(f.Type.Elem().Name(), "Service") {
			walk("client."+f.Name, c.Field(i))
		}
	}
	return out
}

// ourFunctions are the functions of our packages the table may name in
// place of a client method.
var ourFunctions = map[string]any{"toolrunner.New": toolrunner.New}

// methodRow is a row of a table of OFFICIAL_SDK.md: an official method (""
// for a method only we have) and ours.
type methodRow struct{ official, ours string }

var tableCell = regexp.MustCompile("^`([A-Za-z.]+)`$")

// readMethodTable reads the rows of every table of the file at path whose
// second column names a method of ours.
func readMethodTable(t *testing.T, path string) []methodRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []methodRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		if len(cells) < 2 {
			continue
		}
		ours := tableCell.FindStringSubmatch(strings.TrimSpace(cells[1]))
		if ours == nil {
			continue
		}
		row := methodRow{ours: ours[1]}
		switch off := strings.TrimSpace(cells[0]); off {
		case "—":
		default:
			m := tableCell.FindStringSubmatch(off)
			if m == nil {
				t.Fatalf("row %q: the first cell is an official method in backquotes, or —", sc.Text())
			}
			row.official = m[1]
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOfficialMethodTable: OFFICIAL_SDK.md maps every method of the official
// SDK's Managed Agents services to ours, once, names only methods that exist
// on both sides, and lists every method of ours.
func TestOfficialMethodTable(t *testing.T) {
	rows := readMethodTable(t, "../OFFICIAL_SDK.md")
	official, ours := officialMethods(), ourMethods()
	if len(official) == 0 || len(ours) == 0 || len(rows) == 0 {
		t.Fatalf("found %d official methods, %d of ours, %d rows", len(official), len(ours), len(rows))
	}

	mapped := map[string]bool{}
	named := map[string]bool{}
	for _, r := range rows {
		if r.official != "" {
			if mapped[r.official] {
				t.Errorf("%s is in the table twice", r.official)
			}
			if !slices.Contains(official, r.official) {
				t.Errorf("the table names %s, which the official SDK does not have", r.official)
			}
			mapped[r.official] = true
		}
		if _, ok := ourFunctions[r.ours]; !ok && !slices.Contains(ours, r.ours) {
			t.Errorf("the table names %s, which this SDK does not have", r.ours)
		}
		named[r.ours] = true
	}
	if missing := notIn(official, mapped); len(missing) > 0 {
		t.Errorf("official methods the table does not map:\n%s", strings.Join(missing, "\n"))
	}
	if missing := notIn(ours, named); len(missing) > 0 {
		t.Errorf("methods of ours the table does not name:\n%s", strings.Join(missing, "\n"))
	}
}

// notIn returns the names of all that are not in seen, sorted.
func notIn(all []string, seen map[string]bool) []string {
	var out []string
	for _, n := range all {
		if !seen[n] {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
