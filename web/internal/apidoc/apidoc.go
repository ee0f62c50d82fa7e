// Package apidoc writes the API reference (docs/api.md) from the
// gateway's OpenAPI description (web/openapi.json), so that the two cannot
// part: the web package's tests check that docs/api.md is what Markdown
// makes of the description, and `go generate ./web` rewrites it.
package apidoc

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// Markdown returns the API reference for the OpenAPI 3.1 description spec.
func Markdown(spec []byte) ([]byte, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	d := &m.Model
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("<!-- Made from web/openapi.json by `go generate ./web`: edit that, not this. -->\n\n")
	w("# HTTP API\n\n%s\n\n%s\n\n", d.Info.Summary, d.Info.Description)
	w("The description this page is made from is [web/openapi.json](../web/openapi.json) (OpenAPI %s); "+
		"a running gateway serves it at `GET /api/v1/openapi.json`, for client generators and API gateways.\n\n", d.Version)

	w("## Authentication\n\nProtected endpoints take a bearer token: `Authorization: Bearer <token>`.\n\n")
	w("| token | what it is |\n| --- | --- |\n")
	for name, s := range d.Components.SecuritySchemes.FromOldest() {
		w("| %s | %s |\n", name, cell(s.Description))
	}
	w("\n")

	// The operations, by tag in the order of the document's tags.
	type op struct {
		method, path string
		o            *v3.Operation
	}
	byTag := map[string][]op{}
	for path, item := range d.Paths.PathItems.FromOldest() {
		for method, o := range item.GetOperations().FromOldest() {
			tag := ""
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			byTag[tag] = append(byTag[tag], op{strings.ToUpper(method), path, o})
		}
	}
	w("## Endpoints\n\n| endpoint | what it does | token |\n| --- | --- | --- |\n")
	for _, t := range d.Tags {
		for _, p := range byTag[t.Name] {
			w("| [`%s %s`](#%s) | %s | %s |\n", p.method, p.path, anchor(p.method+" "+p.path), cell(p.o.Summary), security(p.o.Security))
		}
	}
	w("\n")
	for _, t := range d.Tags {
		w("## %s\n\n%s\n\n", title(t.Name), t.Description)
		for _, p := range byTag[t.Name] {
			operation(&b, p.method, p.path, p.o)
		}
	}

	w("## Schemas\n\nThe JSON bodies of the answers. A field not marked required may be left out.\n\n")
	for name, sp := range d.Components.Schemas.FromOldest() {
		s := sp.Schema()
		w("### %s\n\n", name)
		if s.Description != "" {
			w("%s\n\n", s.Description)
		}
		if orderedmap.Len(s.Properties) == 0 {
			w("Type: %s.\n\n", typeOf(sp))
			continue
		}
		w("| field | type | required | meaning |\n| --- | --- | --- | --- |\n")
		for field, fp := range s.Properties.FromOldest() {
			req := ""
			for _, r := range s.Required {
				if r == field {
					req = "yes"
				}
			}
			w("| `%s` | %s | %s | %s |\n", field, cell(typeOf(fp)), req, cell(describe(fp)))
		}
		w("\n")
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// operation writes one endpoint's section.
func operation(b *bytes.Buffer, method, path string, o *v3.Operation) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("### `%s %s`\n\n%s.", method, path, o.Summary)
	if o.Description != "" {
		w(" %s", o.Description)
	}
	w("\n\nToken: %s.\n\n", security(o.Security))
	if len(o.Parameters) > 0 {
		w("| parameter | in | type | required | meaning |\n| --- | --- | --- | --- | --- |\n")
		for _, p := range o.Parameters {
			req := ""
			if p.Required != nil && *p.Required {
				req = "yes"
			}
			w("| `%s` | %s | %s | %s | %s |\n", p.Name, p.In, cell(typeOf(p.Schema)), req, cell(p.Description))
		}
		w("\n")
	}
	if rb := o.RequestBody; rb != nil {
		w("Request body")
		if rb.Description != "" {
			w(": %s", rb.Description)
		}
		w("\n\n| content type | body |\n| --- | --- |\n")
		for ct, mt := range rb.Content.FromOldest() {
			w("| `%s` | %s |\n", ct, cell(body(mt.Schema)))
		}
		w("\n")
	}
	w("| answer | content | meaning |\n| --- | --- | --- |\n")
	for code, r := range o.Responses.Codes.FromOldest() {
		var content []string
		for ct, mt := range r.Content.FromOldest() {
			c := "`" + ct + "`"
			if mt.Schema != nil && mt.Schema.IsReference() {
				c += ": " + typeOf(mt.Schema)
			}
			content = append(content, c)
		}
		desc := r.Description
		for name, h := range r.Headers.FromOldest() {
			desc += fmt.Sprintf(" Header `%s`: %s", name, h.Description)
		}
		w("| %s | %s | %s |\n", code, cell(strings.Join(content, ", ")), cell(desc))
	}
	w("\n")
}

// security names the tokens an operation takes, or "none".
func security(reqs []*base.SecurityRequirement) string {
	var names []string
	for _, r := range reqs {
		for name := range r.Requirements.KeysFromOldest() {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, " or ")
}

// body describes a request body's schema: its type, and the fields of an
// object written inline.
func body(sp *base.SchemaProxy) string {
	if sp == nil {
		return ""
	}
	s := sp.Schema()
	if sp.IsReference() {
		return typeOf(sp)
	}
	if orderedmap.Len(s.Properties) == 0 {
		return describe(sp)
	}
	var fields []string
	for name, fp := range s.Properties.FromOldest() {
		f := "`" + name + "` (" + typeOf(fp)
		for _, r := range s.Required {
			if r == name {
				f += ", required"
			}
		}
		fields = append(fields, f+"): "+strings.TrimSuffix(describe(fp), "."))
	}
	return "object: " + strings.Join(fields, "; ") + "."
}

// typeOf writes a schema's type: a link for a named schema, else its
// JSON types with their constraints.
func typeOf(sp *base.SchemaProxy) string {
	if sp == nil {
		return ""
	}
	if sp.IsReference() {
		name := sp.GetReference()[strings.LastIndex(sp.GetReference(), "/")+1:]
		return fmt.Sprintf("[%s](#%s)", name, strings.ToLower(name))
	}
	s := sp.Schema()
	t := strings.Join(s.Type, " or ")
	if s.Items != nil && s.Items.IsA() {
		t = "array of " + typeOf(s.Items.A)
	}
	var c []string
	if s.Format != "" {
		c = append(c, s.Format)
	}
	if len(s.Enum) > 0 {
		var vs []string
		for _, e := range s.Enum {
			if e.Tag == "!!null" {
				vs = append(vs, "null")
				continue
			}
			vs = append(vs, "`"+e.Value+"`")
		}
		c = append(c, "one of "+strings.Join(vs, ", "))
	}
	if s.Minimum != nil {
		c = append(c, "from "+strconv.FormatFloat(*s.Minimum, 'f', -1, 64))
	}
	if s.Maximum != nil {
		c = append(c, "to "+strconv.FormatFloat(*s.Maximum, 'f', -1, 64))
	}
	if s.MaxLength != nil {
		c = append(c, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	if s.Default != nil {
		c = append(c, "default `"+s.Default.Value+"`")
	}
	if len(c) > 0 {
		t += " (" + strings.Join(c, ", ") + ")"
	}
	return t
}

// describe is a schema's description; a named schema is described in
// its own section.
func describe(sp *base.SchemaProxy) string {
	if sp.IsReference() {
		return ""
	}
	return sp.Schema().Description
}

// cell makes text fit a table cell.
func cell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// anchor is the heading anchor GitHub makes of `text`: lower case,
// punctuation but hyphens dropped, spaces as hyphens.
func anchor(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// title capitalises a tag's name for a heading.
func title(tag string) string {
	if tag == "" {
		return "Other"
	}
	return strings.ToUpper(tag[:1]) + tag[1:]
}
