package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/web/internal/apidoc"
)

// apiValidator returns a validator of answers against openapi.json.
func apiValidator(t testing.TB) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument([]byte(openAPIDocument))
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("openapi.json: %v", errs)
	}
	return v
}

// checkAnswer fails the test where the answer to req is not as
// openapi.json describes it: an undescribed path, method or status, or a
// body or header that does not match its schema.
func checkAnswer(t testing.TB, v validator.Validator, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	// Match the path as the server does, segment by segment on the
	// escaped path: an id of "..%2f..%2fetc" is one segment.
	r := req.Clone(req.Context())
	r.URL.Path, r.URL.RawPath = req.URL.EscapedPath(), ""
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if ok, errs := v.ValidateHttpResponse(r, resp); !ok {
		var msg strings.Builder
		for _, e := range errs {
			fmt.Fprintf(&msg, "\n\t%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				fmt.Fprintf(&msg, "\n\t\t%s: %s", se.FieldPath, se.Reason)
			}
		}
		t.Errorf("%s %s: answer %d (%s) is not as openapi.json describes it:%s\n%.500s",
			req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), msg.String(), body)
	}
}

// TestOpenAPIDocument checks that openapi.json is a valid OpenAPI 3.1
// document and that the gateway serves it as it is kept.
func TestOpenAPIDocument(t *testing.T) {
	v := apiValidator(t)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("openapi.json: %s: %s", e.Message, e.Reason)
		}
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal([]byte(openAPIDocument), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi.json: version %q (%v), want 3.1", doc.OpenAPI, err)
	}
	e := newEnv(t, 1<<20, 0)
	resp, body := e.do(t, "GET", "/api/v1/openapi.json", "", "", nil)
	if resp.StatusCode != 200 || string(body) != openAPIDocument {
		t.Errorf("GET /api/v1/openapi.json: %d, %d bytes, want 200 and openapi.json", resp.StatusCode, len(body))
	}
}

// TestOpenAPIRoutes checks that openapi.json describes every route of the
// route table and nothing else.
func TestOpenAPIRoutes(t *testing.T) {
	s := &server{cfg: Config{Gatherer: prometheus.NewRegistry()}}
	var routes []string
	fallbacks := 0
	for _, rt := range s.routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			fallbacks++ // the 404 for any other path: no operation
			continue
		}
		routes = append(routes, method+" "+path)
	}
	if fallbacks != 1 {
		t.Errorf("%d routes without a method, want the one fallback", fallbacks)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(openAPIDocument), &doc); err != nil {
		t.Fatal(err)
	}
	var described []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				described = append(described, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range routes {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is not described in openapi.json", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json describes %s, which is no route", d)
		}
	}
	if len(routes) < 15 {
		t.Errorf("only %d routes read from the table: %v", len(routes), routes)
	}
}

// TestOpenAPIDocs checks that the API reference, docs/api.md, is what
// `go generate ./web` makes of openapi.json.
func TestOpenAPIDocs(t *testing.T) {
	want, err := apidoc.Markdown([]byte(openAPIDocument))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want)+"\n" {
		t.Errorf("docs/api.md is not made from openapi.json: run go generate ./web")
	}
	for _, s := range []string{"## Endpoints", "### `POST /api/v1/invoices`", "### Receipt"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("docs/api.md lacks %q", s)
		}
	}
}

// TestOpenAPIEveryRoute sends one successful request to every route of
// the route table; e.do checks each answer against openapi.json. The
// other tests check the error answers the same way.
func TestOpenAPIEveryRoute(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	doc := fixture(t)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", doc)
	routed := decode(t, body)
	other := bytes.Replace(bytes.Replace(doc, []byte("RE-2026-0042"), []byte("RE-R"), 1), []byte("<cbc:BuyerReference>16071103-0001-17"), []byte("<cbc:BuyerReference>16071103-0001-18"), 1)
	_, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", other)
	cleared := decode(t, body)
	if routed.Status != "routed" || cleared.Status != "clearing" {
		t.Fatalf("uploads: %s and %s, want routed and clearing", routed.Status, cleared.Status)
	}
	exercised := []string{uploadRoute}
	for _, c := range []struct {
		route, path, token, ctype, body string
		code                            int
	}{
		{"GET /api/v1/invoices/{id}", "/api/v1/invoices/" + routed.ID, routed.ReceiptToken, "", "", 200},
		{"POST /api/v1/validate", "/api/v1/validate?all_rules=true", "", "application/xml", string(doc), 200},
		// A wrong total: a finding with its evidence (actual, expected, calculation, fields).
		{"POST /api/v1/validate", "/api/v1/validate", "", "application/xml", strings.Replace(string(doc), ">1190.00</cbc:TaxInclusiveAmount>", ">1191.00</cbc:TaxInclusiveAmount>", 1), 200},
		{"GET /api/v1/inbox", "/api/v1/inbox?status=all&limit=1", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}", "/api/v1/inbox/" + routed.ID, e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/original", "/api/v1/inbox/" + routed.ID + "/original", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/xml", "/api/v1/inbox/" + routed.ID + "/xml", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/report", "/api/v1/inbox/" + routed.ID + "/report", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/view", "/api/v1/inbox/" + routed.ID + "/view?lang=en", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/attachments/{n}", "/api/v1/inbox/" + routed.ID + "/attachments/1", e.tokA, "", "", 200},
		{"POST /api/v1/inbox/{id}/ack", "/api/v1/inbox/" + routed.ID + "/ack", e.tokA, "", "", 200},
		{"GET /api/v1/inbox/{id}/history", "/api/v1/inbox/" + routed.ID + "/history", e.tokAudA, "", "", 200},
		{"GET /api/v1/audit", "/api/v1/audit?from=2026-01-01&to=" + time.Now().UTC().Format(time.DateOnly), e.tokAudA, "", "", 200},
		{"GET /api/v1/audit", "/api/v1/audit?format=csv&from=2026-01-01&to=" + time.Now().UTC().Format(time.DateOnly), e.tokOps, "", "", 200},
		{"GET /api/v1/clearing", "/api/v1/clearing", e.tokOps, "", "", 200},
		{"POST /api/v1/clearing/{id}/route", "/api/v1/clearing/" + cleared.ID + "/route", e.tokOps, "application/json", `{"municipality":"erfurt"}`, 200},
		{"GET /api/v1/abandoned", "/api/v1/abandoned", e.tokOps, "", "", 200},
		{"GET /api/v1/quarantine", "/api/v1/quarantine", e.tokOps, "", "", 200},
		{"GET /healthz", "/healthz", "", "", "", 200},
		{"GET /readyz", "/readyz", "", "", "", 200},
		{"GET /metrics", "/metrics", "", "", "", 200},
		{openAPIRoute, "/api/v1/openapi.json", "", "", "", 200},
	} {
		method, _, _ := strings.Cut(c.route, " ")
		resp, body := e.do(t, method, c.path, c.token, c.ctype, []byte(c.body))
		if resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d: %.300s", c.path, resp.StatusCode, c.code, body)
		}
		exercised = append(exercised, c.route)
	}
	s := &server{cfg: Config{Gatherer: prometheus.NewRegistry()}}
	for _, rt := range s.routes() {
		if strings.Contains(rt.pattern, " ") && !slices.Contains(exercised, rt.pattern) {
			t.Errorf("route %s is not exercised here", rt.pattern)
		}
	}
}
