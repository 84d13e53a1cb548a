package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func init() {
	// Without the panel and query plugins registered, the SDK decodes panel options,
	// fieldConfig.defaults.custom and targets into untyped bags and accepts anything there.
	plugins.RegisterDefaultPlugins()
}

// Problem is one violation found in a dashboard: Path is a dotted JSON path such as
// panels[3].targets[0].expr ("" means the document as a whole).
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return "(document): " + p.Message
	}
	return p.Path + ": " + p.Message
}

// panelTypesWithoutQueries are built-in panels that show no query result, so they need no
// datasource or targets.
var panelTypesWithoutQueries = map[string]bool{
	"row": true, "text": true, "news": true, "dashlist": true, "annolist": true, "welcome": true,
}

// CheckDashboard checks one dashboard document: Grafana's schema through the foundation SDK's
// strict decoder and its Validate, then what a dashboard needs to show data at all (every
// query panel names a datasource and has queries). The document is either a bare dashboard (what
// pulse writes and Grafana's file provisioning and sidecar read) or the HTTP API's
// {"dashboard": {...}} wrapper. Problems come back sorted by path so output is deterministic.
func CheckDashboard(raw []byte) []Problem {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return []Problem{{"", describeJSONError(raw, err)}}
	}
	prefix := ""
	if _, bare := top["schemaVersion"]; !bare {
		if inner, wrapped := top["dashboard"]; wrapped {
			raw, prefix = inner, "dashboard"
		}
	}
	problems := checkSchema(raw)
	problems = append(problems, checkPanels(raw)...)
	for i := range problems {
		problems[i].Path = joinPath(prefix, problems[i].Path)
	}
	sort.Slice(problems, func(i, j int) bool {
		if problems[i].Path != problems[j].Path {
			return pathLess(problems[i].Path, problems[j].Path)
		}
		return problems[i].Message < problems[j].Message
	})
	// Both checks may see the same fault (e.g. an unknown field inside a row's panel).
	unique := problems[:0]
	for i, p := range problems {
		if i == 0 || p != problems[i-1] {
			unique = append(unique, p)
		}
	}
	return unique
}

func checkSchema(raw []byte) []Problem {
	var d dashboard.Dashboard
	if err := d.UnmarshalJSONStrict(raw); err != nil {
		return fromSDKError(err)
	}
	if err := d.Validate(); err != nil {
		return fromSDKError(err)
	}
	return nil
}

// fromSDKError turns the SDK's errors into problems. The SDK reports an unknown field as
// "<TypeName>: unexpected field 'x'" at the path of the object holding it; rewrite that to the
// field's own path so the report names where the typo is.
func fromSDKError(err error) []Problem {
	var buildErrs cog.BuildErrors
	if !errors.As(err, &buildErrs) {
		return []Problem{{"", tidyMessage(err.Error())}}
	}
	out := make([]Problem, 0, len(buildErrs))
	for _, e := range buildErrs {
		path, msg := e.Path, tidyMessage(e.Message)
		if m := unexpectedField.FindStringSubmatch(e.Message); m != nil {
			path = joinPath(dropTypeName(path), m[1])
			msg = unknownFieldMessage
		}
		out = append(out, Problem{path, msg})
	}
	return out
}

const unknownFieldMessage = "unknown field (not in Grafana's dashboard schema)"

var (
	unexpectedField = regexp.MustCompile(`^unexpected field '(.*)'$`)
	typeMismatch    = regexp.MustCompile(`cannot unmarshal (\w+) into Go (?:struct field \S+ of type|value of type) (\S+)`)
)

// dropTypeName removes a trailing Go type name (the SDK's "panels[0].Panel") from a path;
// JSON field names in Grafana's schema start in lower case, Go type names in upper case.
func dropTypeName(path string) string {
	i := strings.LastIndexByte(path, '.')
	last := path[i+1:]
	if last != "" && last[0] >= 'A' && last[0] <= 'Z' {
		if i < 0 {
			return ""
		}
		return path[:i]
	}
	return path
}

func tidyMessage(msg string) string {
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("wrong type: JSON %s where the schema wants %s", m[1], m[2])
	}
	return strings.TrimPrefix(msg, "json: ")
}

// pathLess orders paths as a reader expects: array indices numerically (panels[2] before
// panels[10]), everything else byte-wise.
func pathLess(a, b string) bool {
	for a != "" && b != "" {
		if a[0] >= '0' && a[0] <= '9' && b[0] >= '0' && b[0] <= '9' {
			na, nb := leadingDigits(a), leadingDigits(b)
			x, _ := strconv.Atoi(a[:na])
			y, _ := strconv.Atoi(b[:nb])
			if x != y {
				return x < y
			}
			a, b = a[na:], b[nb:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case strings.HasPrefix(b, "["):
		return a + b
	}
	return a + "." + b
}

// checkPanels walks the raw panels (including those inside collapsed rows) for what the
// schema leaves optional but a working dashboard needs: a unique panel id, a datasource with
// type and uid, and at least one query, each with a refId (unique in its panel) and, for
// Prometheus, an expression. It reads the raw JSON so it still reports when the schema check
// already failed for the same panel.
func checkPanels(raw []byte) []Problem {
	var doc struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return nil // the schema check reports the type error
	}
	var problems []Problem
	ids := map[int64]string{}
	var walk func(path string, panels []json.RawMessage)
	walk = func(path string, panels []json.RawMessage) {
		for i, rawPanel := range panels {
			p := path + "[" + strconv.Itoa(i) + "]"
			var panel struct {
				ID          *int64            `json:"id"`
				Type        string            `json:"type"`
				Datasource  json.RawMessage   `json:"datasource"`
				Targets     []json.RawMessage `json:"targets"`
				Panels      []json.RawMessage `json:"panels"`
				FieldConfig json.RawMessage   `json:"fieldConfig"`
			}
			if json.Unmarshal(rawPanel, &panel) != nil {
				continue // the schema check reports it
			}
			if panel.ID != nil {
				if first, seen := ids[*panel.ID]; seen {
					problems = append(problems, Problem{p + ".id", fmt.Sprintf("duplicate panel id %d (also %s)", *panel.ID, first)})
				} else {
					ids[*panel.ID] = p
				}
			}
			walk(p+".panels", panel.Panels)
			problems = append(problems, unknownFieldConfigFields(p+".fieldConfig", panel.FieldConfig)...)
			if panelTypesWithoutQueries[panel.Type] || panel.Type == "" {
				continue // a missing type is the schema check's to report
			}
			// The SDK accepts any type string (and then decodes options leniently); a misspelt
			// type is a panel Grafana cannot draw.
			if _, known := cog.ConfigForPanelcfgVariant(panel.Type); !known {
				problems = append(problems, Problem{p + ".type", fmt.Sprintf("unknown panel type %q (not a panel in Grafana's schema)", panel.Type)})
			}
			dsType := checkDatasource(p+".datasource", panel.Datasource, &problems)
			if len(panel.Targets) == 0 {
				problems = append(problems, Problem{p + ".targets", "a " + panel.Type + " panel without queries shows nothing"})
			}
			checkTargets(p+".targets", dsType, panel.Targets, &problems)
		}
	}
	walk("panels", doc.Panels)
	return problems
}

// unknownFieldConfigFields fills a gap in the SDK's strict panel decoder: it decodes
// fieldConfig leniently (only fieldConfig.defaults.custom strictly), so a misspelt "unti" for
// "unit" would pass. Only unknown fields are taken from this second decode; type errors in
// fieldConfig are already reported by the panel decoder.
func unknownFieldConfigFields(path string, raw json.RawMessage) []Problem {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var fc dashboard.FieldConfigSource
	err := fc.UnmarshalJSONStrict(raw)
	if err == nil {
		return nil
	}
	var out []Problem
	for _, p := range fromSDKError(err) {
		if p.Message == unknownFieldMessage {
			out = append(out, Problem{joinPath(path, p.Path), p.Message})
		}
	}
	return out
}

// checkDatasource reports a missing or incomplete datasource reference and returns its type.
func checkDatasource(path string, raw json.RawMessage, problems *[]Problem) string {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		*problems = append(*problems, Problem{path, "missing: the panel names no datasource"})
		return ""
	}
	var ref struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	if json.Unmarshal(raw, &ref) != nil {
		return "" // the schema check reports the type error
	}
	if ref.Type == "" {
		*problems = append(*problems, Problem{path + ".type", "missing or empty"})
	}
	if ref.UID == "" {
		*problems = append(*problems, Problem{path + ".uid", "missing or empty"})
	}
	return ref.Type
}

func checkTargets(path, dsType string, targets []json.RawMessage, problems *[]Problem) {
	refIDs := map[string]bool{}
	for i, rawTarget := range targets {
		p := path + "[" + strconv.Itoa(i) + "]"
		var t struct {
			RefID string  `json:"refId"`
			Expr  *string `json:"expr"`
		}
		if json.Unmarshal(rawTarget, &t) != nil {
			continue // the schema check reports it
		}
		switch {
		case t.RefID == "":
			*problems = append(*problems, Problem{p + ".refId", "missing or empty"})
		case refIDs[t.RefID]:
			*problems = append(*problems, Problem{p + ".refId", "duplicate refId " + strconv.Quote(t.RefID) + " in this panel"})
		}
		refIDs[t.RefID] = true
		// A missing expr is the schema check's to report; an empty one passes it but shows nothing.
		if dsType == "prometheus" && t.Expr != nil && strings.TrimSpace(*t.Expr) == "" {
			*problems = append(*problems, Problem{p + ".expr", "empty PromQL expression"})
		}
	}
}

// describeJSONError says where a syntax error is (line and column of the offending byte) or
// what the document is instead of an object.
func describeJSONError(raw []byte, err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		// Offset counts the bytes read, the offending one included.
		before := raw[:max(0, min(int(syntax.Offset)-1, len(raw)))]
		line := bytes.Count(before, []byte("\n")) + 1
		col := len(before) - bytes.LastIndexByte(before, '\n')
		return fmt.Sprintf("invalid JSON at line %d column %d: %s", line, col, tidyMessage(err.Error()))
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return "a dashboard is a JSON object, this document is a JSON " + typeErr.Value
	}
	return tidyMessage(err.Error())
}
