package rpcserver

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const goldenOpenAPI = "testdata/openapi.json"

func catalogDocument(t testing.TB) ([]byte, *contractorops.Catalog) {
	t.Helper()
	eng, err := contractorops.New(memstore.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := OpenAPI(eng.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	return doc, eng.Catalog()
}

// TestOpenAPIGolden keeps testdata/openapi.json, the published document,
// equal to the one generated from the catalog. After changing the
// catalog, run: go test ./rpcserver -run OpenAPIGolden -update
func TestOpenAPIGolden(t *testing.T) {
	doc, _ := catalogDocument(t)
	if *update {
		if err := os.WriteFile(goldenOpenAPI, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenOpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) {
		t.Errorf("%s is stale: the catalog changed. Review the difference and run\n\tgo test ./rpcserver -run OpenAPIGolden -update", goldenOpenAPI)
	}
}

// TestOpenAPIStructure validates the document against the structure of
// OpenAPI 3.1 (the parts it uses), and against the catalog: one operation
// per procedure, every reference resolving.
func TestOpenAPIStructure(t *testing.T) {
	raw, cat := catalogDocument(t)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range validateOpenAPI(doc) {
		t.Error(p)
	}
	paths, _ := doc["paths"].(map[string]any)
	var want []string
	for _, p := range cat.Procedures() {
		want = append(want, RPCPrefix+p.Name)
	}
	got := sortedKeys(paths)
	if !slices.Equal(got, want) {
		t.Errorf("paths %v\nwant %v", got, want)
	}
}

func TestOpenAPIValidatorCatchesProblems(t *testing.T) {
	raw, _ := catalogDocument(t)
	breakages := map[string]func(doc map[string]any){
		"dangling ref": func(d map[string]any) {
			get(d, "components", "schemas").(map[string]any)["Customer"] = map[string]any{"$ref": "#/components/schemas/Nope"}
		},
		"bad type": func(d map[string]any) {
			get(d, "components", "schemas").(map[string]any)["ResponseMeta"].(map[string]any)["type"] = "record"
		},
		"no responses": func(d map[string]any) {
			delete(get(d, "paths", RPCPrefix+"customer/v1/get", "post").(map[string]any), "responses")
		},
		"duplicate operationId": func(d map[string]any) {
			get(d, "paths", RPCPrefix+"customer/v1/get", "post").(map[string]any)["operationId"] = "customerV1List"
		},
		"wrong version": func(d map[string]any) { d["openapi"] = "3.0.3" },
		"required but absent": func(d map[string]any) {
			get(d, "components", "schemas", "ResponseMeta").(map[string]any)["required"] = []any{"nope"}
		},
		"bad parameter": func(d map[string]any) {
			get(d, "components", "parameters", "IdempotencyKey").(map[string]any)["in"] = "body"
		},
	}
	for name, breakIt := range breakages {
		var doc map[string]any
		json.Unmarshal(raw, &doc)
		breakIt(doc)
		if len(validateOpenAPI(doc)) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}

func get(v any, path ...string) any {
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v
}

// validateOpenAPI returns the problems of an OpenAPI 3.1 document: missing
// required members, unknown schema types, unresolved references, and
// malformed operations, parameters and responses.
func validateOpenAPI(doc map[string]any) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if v, _ := doc["openapi"].(string); !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		bad("openapi %q is not 3.1.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if s, _ := info["title"].(string); s == "" {
		bad("info.title is missing")
	}
	if s, _ := info["version"].(string); s == "" {
		bad("info.version is missing")
	}
	components, _ := doc["components"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	for name, s := range schemes {
		sc, _ := s.(map[string]any)
		if !slices.Contains([]any{"apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"}, sc["type"]) {
			bad("securitySchemes.%s: type %v", name, sc["type"])
		}
		if sc["type"] == "http" && sc["scheme"] == nil {
			bad("securitySchemes.%s: http without scheme", name)
		}
	}
	checkSecurity := func(where string, v any) {
		reqs, ok := v.([]any)
		if !ok {
			bad("%s: security is not an array", where)
		}
		for _, r := range reqs {
			for name := range r.(map[string]any) {
				if schemes[name] == nil {
					bad("%s: unknown security scheme %q", where, name)
				}
			}
		}
	}
	if s, ok := doc["security"]; ok {
		checkSecurity("security", s)
	}

	// Every $ref must resolve in the document.
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if resolve(doc, ref) == nil {
					bad("%s: $ref %q does not resolve", where, ref)
				}
			}
			for k, sub := range x {
				walk(where+"/"+k, sub)
			}
		case []any:
			for i, sub := range x {
				walk(where+"/"+strconv.Itoa(i), sub)
			}
		}
	}
	walk("#", doc)

	schemas, _ := components["schemas"].(map[string]any)
	for name, s := range schemas {
		if !regexp.MustCompile(`^[a-zA-Z0-9._-]+$`).MatchString(name) {
			bad("schema name %q", name)
		}
		checkSchema("components.schemas."+name, s, bad)
	}
	params, _ := components["parameters"].(map[string]any)
	for name, p := range params {
		checkParameter("components.parameters."+name, p, bad)
	}
	responses, _ := components["responses"].(map[string]any)
	for name, r := range responses {
		checkResponse("components.responses."+name, r, bad)
	}

	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		bad("paths is missing")
	}
	opIDs := map[string]string{}
	for path, item := range paths {
		if !strings.HasPrefix(path, "/") {
			bad("path %q does not start with /", path)
		}
		for method, op := range item.(map[string]any) {
			where := path + " " + method
			if !slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, method) {
				bad("%s: unknown method", where)
				continue
			}
			o := op.(map[string]any)
			if id, _ := o["operationId"].(string); id == "" {
				bad("%s: no operationId", where)
			} else if other, dup := opIDs[id]; dup {
				bad("%s: operationId %q also on %s", where, id, other)
			} else {
				opIDs[id] = where
			}
			if s, ok := o["security"]; ok {
				checkSecurity(where, s)
			}
			for i, p := range asSlice(o["parameters"]) {
				checkParameter(fmt.Sprintf("%s parameters[%d]", where, i), p, bad)
			}
			if rb, ok := o["requestBody"].(map[string]any); ok {
				if _, ok := rb["content"].(map[string]any); !ok {
					bad("%s: requestBody without content", where)
				}
				checkContent(where+" requestBody", rb["content"], bad)
			}
			rs, ok := o["responses"].(map[string]any)
			if !ok || len(rs) == 0 {
				bad("%s: no responses", where)
			}
			for code, r := range rs {
				if !regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`).MatchString(code) {
					bad("%s: response code %q", where, code)
				}
				checkResponse(where+" "+code, r, bad)
			}
		}
	}
	return problems
}

func resolve(doc map[string]any, ref string) any {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var v any = doc
	for _, seg := range strings.Split(path, "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[seg]; !ok {
			return nil
		}
	}
	return v
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func checkParameter(where string, v any, bad func(string, ...any)) {
	p, _ := v.(map[string]any)
	if _, ref := p["$ref"]; ref {
		return
	}
	if s, _ := p["name"].(string); s == "" {
		bad("%s: no name", where)
	}
	if !slices.Contains([]any{"query", "header", "path", "cookie"}, p["in"]) {
		bad("%s: in %v", where, p["in"])
	}
	if p["in"] == "path" && p["required"] != true {
		bad("%s: a path parameter must be required", where)
	}
	if p["schema"] == nil && p["content"] == nil {
		bad("%s: no schema", where)
	}
	checkSchema(where+" schema", p["schema"], bad)
}

func checkResponse(where string, v any, bad func(string, ...any)) {
	r, _ := v.(map[string]any)
	if _, ref := r["$ref"]; ref {
		return
	}
	if s, _ := r["description"].(string); s == "" {
		bad("%s: a response needs a description", where)
	}
	checkContent(where, r["content"], bad)
}

func checkContent(where string, v any, bad func(string, ...any)) {
	content, _ := v.(map[string]any)
	for mt, m := range content {
		if !strings.Contains(mt, "/") {
			bad("%s: media type %q", where, mt)
		}
		checkSchema(where+" "+mt, m.(map[string]any)["schema"], bad)
	}
}

// schemaKeywords are the JSON Schema (2020-12) keywords the document may
// use; anything else is a typo.
var schemaKeywords = []string{
	"$ref", "type", "format", "pattern", "enum", "const", "properties", "required", "additionalProperties",
	"items", "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "description",
	"anyOf", "oneOf", "allOf", "contentEncoding",
}

func checkSchema(where string, v any, bad func(string, ...any)) {
	if v == nil {
		return
	}
	s, ok := v.(map[string]any)
	if !ok {
		bad("%s: a schema must be an object", where)
		return
	}
	for k := range s {
		if !slices.Contains(schemaKeywords, k) {
			bad("%s: unknown schema keyword %q", where, k)
		}
	}
	if t, ok := s["type"]; ok {
		if !slices.Contains([]any{"string", "number", "integer", "boolean", "array", "object", "null"}, t) {
			bad("%s: type %v", where, t)
		}
		if t == "array" && s["items"] == nil {
			bad("%s: an array without items", where)
		}
	}
	props, _ := s["properties"].(map[string]any)
	for name, p := range props {
		checkSchema(where+"."+name, p, bad)
	}
	for _, r := range asSlice(s["required"]) {
		if _, ok := props[r.(string)]; !ok {
			bad("%s: required %q is not a property", where, r)
		}
	}
	if e, ok := s["enum"]; ok && len(asSlice(e)) == 0 {
		bad("%s: an empty enum", where)
	}
	checkSchema(where+"[]", s["items"], bad)
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		checkSchema(where+"{}", ap, bad)
	}
}

// TestOpenAPIServed checks the server serves the golden document.
func TestOpenAPIServed(t *testing.T) {
	e := memEnv(t)
	r := e.call("GET", OpenAPIPath, nil, nil)
	want, _ := os.ReadFile(filepath.FromSlash(goldenOpenAPI))
	if r.status != 200 || !bytes.Equal(r.body, want) || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("GET %s: %d, %d bytes", OpenAPIPath, r.status, len(r.body))
	}
}
