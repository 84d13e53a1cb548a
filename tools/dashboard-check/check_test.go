package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readGood(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/good.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// mutate decodes the good dashboard, lets edit change it and encodes it again.
func mutate(t *testing.T, edit func(d map[string]any)) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(readGood(t), &d); err != nil {
		t.Fatal(err)
	}
	edit(d)
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func panel(d map[string]any, i int) map[string]any {
	return d["panels"].([]any)[i].(map[string]any)
}

func rename(m map[string]any, from, to string) {
	m[to] = m[from]
	delete(m, from)
}

func render(problems []Problem) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func TestGoodDashboardPasses(t *testing.T) {
	if problems := CheckDashboard(readGood(t)); len(problems) != 0 {
		t.Fatalf("good dashboard has problems:\n%s", render(problems))
	}
}

// The shipped dashboards are what users import; they must pass as they are.
func TestShippedDashboardsPass(t *testing.T) {
	files, _ := filepath.Glob("../../dashboards/*.json")
	if len(files) == 0 {
		t.Fatal("no dashboards found in ../../dashboards")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if problems := CheckDashboard(raw); len(problems) != 0 {
			t.Errorf("%s:\n%s", f, render(problems))
		}
	}
}

func TestBadDashboards(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want []string // each a line of the report, exactly
	}{
		{"misspelt top-level field", mutate(t, func(d map[string]any) { rename(d, "schemaVersion", "schemaVerison") }),
			[]string{
				"schemaVerison: unknown field (not in Grafana's dashboard schema)",
				"schemaVersion: required field is missing from input",
			}},
		{"misspelt panel field", mutate(t, func(d map[string]any) { rename(panel(d, 1), "gridPos", "gridPoz") }),
			[]string{"panels[1].gridPoz: unknown field (not in Grafana's dashboard schema)"}},
		{"misspelt query field", mutate(t, func(d map[string]any) {
			target := panel(d, 2)["targets"].([]any)[0].(map[string]any)
			rename(target, "expr", "exrp")
		}), []string{
			"panels[2].targets[0].expr: required field is missing from input",
			"panels[2].targets[0].exrp: unknown field (not in Grafana's dashboard schema)",
		}},
		{"misspelt fieldConfig field", mutate(t, func(d map[string]any) {
			rename(panel(d, 1)["fieldConfig"].(map[string]any)["defaults"].(map[string]any), "unit", "unti")
		}), []string{"panels[1].fieldConfig.defaults.unti: unknown field (not in Grafana's dashboard schema)"}},
		{"misspelt panel option", mutate(t, func(d map[string]any) {
			rename(panel(d, 1)["options"].(map[string]any)["legend"].(map[string]any), "showLegend", "showLegnd")
		}), []string{
			"panels[1].options.legend.showLegend: required field is missing from input",
			"panels[1].options.legend.showLegnd: unknown field (not in Grafana's dashboard schema)",
		}},
		{"misspelt link field", mutate(t, func(d map[string]any) {
			rename(d["links"].([]any)[0].(map[string]any), "keepTime", "keeptime")
		}), []string{
			"links[0].keepTime: required field is missing from input",
			"links[0].keeptime: unknown field (not in Grafana's dashboard schema)",
		}},
		{"string where a number belongs", mutate(t, func(d map[string]any) { d["schemaVersion"] = "39" }),
			[]string{"schemaVersion: wrong type: JSON string where the schema wants uint16"}},
		{"string in gridPos", mutate(t, func(d map[string]any) { panel(d, 2)["gridPos"].(map[string]any)["h"] = "8" }),
			[]string{"panels[2].gridPos.h: wrong type: JSON string where the schema wants uint32"}},
		{"misspelt panel type", mutate(t, func(d map[string]any) { panel(d, 1)["type"] = "timeserie" }),
			[]string{`panels[1].type: unknown panel type "timeserie" (not a panel in Grafana's schema)`}},
		{"panel without datasource", mutate(t, func(d map[string]any) { delete(panel(d, 1), "datasource") }),
			[]string{"panels[1].datasource: missing: the panel names no datasource"}},
		{"datasource without uid", mutate(t, func(d map[string]any) {
			delete(panel(d, 1)["datasource"].(map[string]any), "uid")
		}), []string{"panels[1].datasource.uid: missing or empty"}},
		{"panel without queries", mutate(t, func(d map[string]any) { panel(d, 2)["targets"] = []any{} }),
			[]string{"panels[2].targets: a stat panel without queries shows nothing"}},
		{"empty expression", mutate(t, func(d map[string]any) {
			panel(d, 2)["targets"].([]any)[0].(map[string]any)["expr"] = " "
		}), []string{"panels[2].targets[0].expr: empty PromQL expression"}},
		{"duplicate refId", mutate(t, func(d map[string]any) {
			p := panel(d, 1)
			p["targets"] = append(p["targets"].([]any), p["targets"].([]any)[0])
		}), []string{`panels[1].targets[1].refId: duplicate refId "A" in this panel`}},
		{"duplicate panel id", mutate(t, func(d map[string]any) { panel(d, 2)["id"] = 2 }),
			[]string{"panels[2].id: duplicate panel id 2 (also panels[1])"}},
		{"panel inside a collapsed row", mutate(t, func(d map[string]any) {
			row := panel(d, 0)
			row["collapsed"] = true
			inner := panel(d, 2)
			rename(inner, "title", "tilte")
			row["panels"] = []any{inner}
			d["panels"] = []any{row, panel(d, 1)}
		}), []string{"panels[0].panels[0].tilte: unknown field (not in Grafana's dashboard schema)"}},
		{"invalid JSON", []byte("{\n  \"title\": \"x\",\n  \"panels\": [}\n"),
			[]string{"(document): invalid JSON at line 3 column 14: invalid character '}' looking for beginning of value"}},
		{"not an object", []byte(`["a dashboard list?"]`),
			[]string{"(document): a dashboard is a JSON object, this document is a JSON array"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(CheckDashboard(c.raw))
			want := strings.Join(c.want, "\n") + "\n"
			if got != want {
				t.Errorf("report:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// Grafana's HTTP API takes {"dashboard": {...}, "overwrite": ...}; paths then start there.
func TestWrappedDashboard(t *testing.T) {
	wrap := func(inner []byte) []byte {
		return []byte(`{"dashboard": ` + string(inner) + `, "overwrite": true}`)
	}
	if problems := CheckDashboard(wrap(readGood(t))); len(problems) != 0 {
		t.Fatalf("wrapped good dashboard has problems:\n%s", render(problems))
	}
	bad := mutate(t, func(d map[string]any) { d["titel"] = "x" })
	got := render(CheckDashboard(wrap(bad)))
	if want := "dashboard.titel: unknown field (not in Grafana's dashboard schema)\n"; got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestPathOrder(t *testing.T) {
	if !pathLess("panels[2].id", "panels[10].id") || pathLess("panels[10].id", "panels[2].id") {
		t.Error("array indices must compare numerically")
	}
	if !pathLess("links", "panels") || !pathLess("panels", "panels[0]") {
		t.Error("other characters compare byte-wise, a prefix first")
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	good := readGood(t)
	bad := mutate(t, func(d map[string]any) { rename(d, "title", "titel") })
	write := func(name string, raw []byte) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goodPath := write("ok/a.json", good)
	write("ok/sub/b.json", good)
	write("ok/notes.txt", []byte("not a dashboard"))
	badPath := write("mixed/bad.json", bad)
	write("mixed/good.json", good)
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	run1 := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	if code, out, errOut := run1(filepath.Join(dir, "ok")); code != 0 || out != "ok: 2 dashboard(s) pass Grafana's schema\n" || errOut != "" {
		t.Errorf("directory of good dashboards: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut := run1(goodPath, filepath.Join(dir, "mixed"))
	wantErr := badPath + ": titel: unknown field (not in Grafana's dashboard schema)\n" +
		"pulse-dashboard-check: 1 of 3 dashboard(s) fail Grafana's schema\n"
	if code != 1 || out != "" || errOut != wantErr {
		t.Errorf("one bad dashboard: exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, out, errOut, wantErr)
	}
	if code, _, errOut := run1(filepath.Join(dir, "empty")); code != 2 || !strings.Contains(errOut, "no *.json files") {
		t.Errorf("empty directory: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run1(filepath.Join(dir, "missing.json")); code != 2 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run1(); code != 2 || !strings.Contains(errOut, "usage:") {
		t.Errorf("no arguments: exit %d, stderr %q", code, errOut)
	}
}
