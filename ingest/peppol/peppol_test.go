package peppol_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/ingest/peppol"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

const (
	lwWeimarerLand = "16071103-0001-17" // BT-10 of the fixture
	sender         = "9930:de123456789"
)

// The test directory: the Landkreis of the fixture and a city.
const directoryYAML = `
municipalities:
  - id: lk-weimarer-land
    name: Landkreis Weimarer Land
    leitweg_ids: ["16071"]
  - id: erfurt
    name: Landeshauptstadt Erfurt
    leitweg_ids: ["16051000"]
`

func fixture(t testing.TB) []byte {
	b, err := os.ReadFile("../../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shared reads a document of the conformance corpus.
func shared(t *testing.T, rel string) []byte {
	dir := os.Getenv("EINGANG_SHARED")
	if dir == "" {
		dir = "../../../shared"
	}
	b, err := os.ReadFile(filepath.Join(dir, "conformance", rel))
	if err != nil {
		if os.Getenv("EINGANG_REQUIRE_SERVICES") != "" {
			t.Fatalf("conformance corpus: %v (set EINGANG_SHARED)", err)
		}
		t.Skipf("conformance corpus not found (set EINGANG_SHARED): %v", err)
	}
	return b
}

// header is an SBDH; wrap puts it around a payload.
type header struct {
	Sender, Receiver, Standard, Type, TypeVersion, Instance, DocumentID, ProcessID string
}

func headerFor(s peppol.Syntax, customization, receiver, instance string) header {
	return header{sender, "0204:" + receiver, s.Namespace, s.Local, s.Version, instance,
		s.Namespace + "::" + s.Local + "##" + customization + "::" + s.Version, peppol.ProcessID}
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*`)

func (h header) wrap(payload []byte) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
  <StandardBusinessDocumentHeader>
    <HeaderVersion>1.0</HeaderVersion>
    <Sender>
      <Identifier Authority="iso6523-actorid-upis">%s</Identifier>
    </Sender>
    <Receiver>
      <Identifier Authority="iso6523-actorid-upis">%s</Identifier>
    </Receiver>
    <DocumentIdentification>
      <Standard>%s</Standard>
      <TypeVersion>%s</TypeVersion>
      <InstanceIdentifier>%s</InstanceIdentifier>
      <Type>%s</Type>
      <CreationDateAndTime>2026-12-02T10:00:00Z</CreationDateAndTime>
    </DocumentIdentification>
    <BusinessScope>
      <Scope>
        <Type>DOCUMENTID</Type>
        <InstanceIdentifier>%s</InstanceIdentifier>
        <Identifier>busdox-docid-qns</Identifier>
      </Scope>
      <Scope>
        <Type>PROCESSID</Type>
        <InstanceIdentifier>%s</InstanceIdentifier>
        <Identifier>cenbii-procid-ubl</Identifier>
      </Scope>
    </BusinessScope>
  </StandardBusinessDocumentHeader>
%s
</StandardBusinessDocument>
`, h.Sender, h.Receiver, h.Standard, h.TypeVersion, h.Instance, h.Type, h.DocumentID, h.ProcessID, xmlDecl.ReplaceAll(payload, nil))
}

// ublSBD wraps the fixture, addressed to its BT-10.
func ublSBD(t testing.TB, instance string) []byte {
	return headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, instance).wrap(fixture(t))
}

// endpoint is a running PEPPOL endpoint over real TLS on loopback.
type endpoint struct {
	url     string
	pipe    *ingest.Pipeline
	dataDir string
	metrics *ingest.Metrics
	ca      *testenv.CA
	client  *http.Client
	reached atomic.Int64 // requests that reached the handler
}

func startEndpoint(t *testing.T) *endpoint {
	t.Helper()
	dataDir := t.TempDir()
	st, err := store.OpenFS(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	e := startEndpointOn(t, st, "", testenv.NewCA(t, "Test Access Point CA"))
	e.dataDir = dataDir
	return e
}

// startEndpointOn starts an endpoint, a gateway of its own named instance,
// on the store st, its TLS certificates issued by ca.
func startEndpointOn(t *testing.T, st store.Store, instance string, ca *testenv.CA) *endpoint {
	t.Helper()
	e := &endpoint{ca: ca}
	dir, err := directory.Parse([]byte(directoryYAML))
	if err != nil {
		t.Fatal(err)
	}
	e.metrics = ingest.NewMetrics(prometheus.NewRegistry())
	e.pipe, err = ingest.New(ingest.Config{Store: st, Validator: invoice.NewValidator(),
		Directory: func() *directory.Directory { return dir }, Metrics: e.metrics, Instance: instance})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pipe.Wait) // the removals of pending markers Submit leaves running
	recv := peppol.New(peppol.Config{Pipeline: e.pipe, Metrics: e.metrics, MaxBytes: 20 << 20,
		Known: func(id string) bool { return dir.Route(id) != nil }})

	certPEM, keyPEM, _ := e.ca.Issue(t, "127.0.0.1", true, time.Now().Add(24*time.Hour))
	files := writeFiles(t, t.TempDir(), map[string][]byte{"server.pem": certPEM, "server-key.pem": keyPEM, "ca.pem": e.ca.PEM})
	cfg, err := peppol.TLSConfig(filepath.Join(files, "server.pem"), filepath.Join(files, "server-key.pem"), filepath.Join(files, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	h := recv.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.reached.Add(1)
		h.ServeHTTP(w, r)
	}))
	srv.TLS = cfg
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e.url = srv.URL + peppol.Path
	_, _, client := e.ca.Issue(t, "POP000001", false, time.Now().Add(24*time.Hour))
	e.client = e.clientWith(&client)
	return e
}

// clientWith returns an HTTPS client that trusts the endpoint's CA and
// presents cert (none if nil).
func (e *endpoint) clientWith(cert *tls.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(e.ca.Cert)
	cfg := &tls.Config{RootCAs: pool}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: time.Minute}
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (e *endpoint) post(t testing.TB, sbd []byte, accept string) answer {
	t.Helper()
	return e.postWith(t, e.client, sbd, accept)
}

// postWith posts an SBD with the client c (another access point's
// certificate).
func (e *endpoint) postWith(t testing.TB, c *http.Client, sbd []byte, accept string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", e.url, bytes.NewReader(sbd))
	req.Header.Set("Content-Type", "application/xml")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

// files lists the store's objects by relative path, once the pending
// markers of the filed submissions are gone (they go after the answers).
func (e *endpoint) files(t testing.TB) []string {
	t.Helper()
	e.pipe.Wait()
	var out []string
	err := filepath.WalkDir(e.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(e.dataDir, path)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *endpoint) count(t testing.TB, re string) int {
	n := 0
	for _, f := range e.files(t) {
		if regexp.MustCompile(re).MatchString(f) {
			n++
		}
	}
	return n
}

func receiptOf(t testing.TB, a answer) peppol.Receipt {
	t.Helper()
	var r peppol.Receipt
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("receipt: %v: %s", err, a.body)
	}
	return r
}

// mlr reads a Message Level Response: the document's response code and
// the rule (StatusReason) of each line.
func mlr(t testing.TB, a answer) (code string, rules []string) {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(a.body); err != nil {
		t.Fatalf("MLR: %v: %s", err, a.body)
	}
	root := doc.Root()
	if root == nil || root.Tag != "ApplicationResponse" || root.NamespaceURI() != peppol.NSApplicationResponse {
		t.Fatalf("not an ApplicationResponse: %s", a.body)
	}
	code = root.FindElement("cac:DocumentResponse/cac:Response/cbc:ResponseCode").Text()
	for _, l := range root.FindElements("cac:DocumentResponse/cac:LineResponse") {
		if l.FindElement("cac:Response/cbc:ResponseCode").Text() != "RE" {
			t.Errorf("line response code is not RE: %s", a.body)
		}
		rules = append(rules, l.FindElement("cac:Response/cac:Status/cbc:StatusReason").Text())
	}
	return code, rules
}

// TestPeppolAccepts sends valid UBL Invoice, CreditNote and CII envelopes
// and checks receipt, archive (the invoice byte for byte, the SBD beside
// it) and the client certificate kept in the envelope.
func TestPeppolAccepts(t *testing.T) {
	e := startEndpoint(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		syntax peppol.Syntax
		doc    func(t *testing.T) []byte
		muni   string
	}{
		{"UBL Invoice", peppol.UBLInvoice, func(t *testing.T) []byte { return fixture(t) }, "lk-weimarer-land"},
		{"UBL CreditNote", peppol.UBLCreditNote, func(t *testing.T) []byte {
			return shared(t, "xrechnung-schematron/instances/ubl-cn/ubl-cn-br-de-1-test.xml")
		}, "lk-weimarer-land"},
		{"CII", peppol.CIIInvoice, func(t *testing.T) []byte {
			return shared(t, "xrechnung-testsuite/business-cases/standard/01.01a-INVOICE_uncefact.xml")
		}, "lk-weimarer-land"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Addressed to the fixture's Leitweg-ID (those of the test suite
			// do not all have valid check digits).
			doc := regexp.MustCompile(`(<[a-z]+:BuyerReference>)[^<]*<`).ReplaceAll(c.doc(t), []byte("${1}"+lwWeimarerLand+"<"))
			sbd := headerFor(c.syntax, invoice.SpecXRechnung, lwWeimarerLand, fmt.Sprintf("accept-%d", i)).wrap(doc)
			a := e.post(t, sbd, "")
			if a.status != http.StatusCreated || a.ctype != "application/json" {
				t.Fatalf("%d %s: %s", a.status, a.ctype, a.body)
			}
			rc := receiptOf(t, a)
			if rc.Status != "routed" || rc.InstanceIdentifier != fmt.Sprintf("accept-%d", i) || len(rc.PayloadSHA256) != 64 {
				t.Errorf("receipt %+v", rc)
			}
			out, err := e.pipe.Outcome(ctx, rc.ID)
			if err != nil || out.Municipality != c.muni {
				t.Errorf("outcome %+v %v, want municipality %s", out, err, c.muni)
			}
			orig := read(t, e.pipe.Original, rc.ID)
			if want := bytes.TrimSpace(xmlDecl.ReplaceAll(doc, nil)); !bytes.Equal(orig, want) {
				t.Errorf("the archived original is not the payload as sent:\n%.300s\nwant\n%.300s", orig, want)
			}
			if env := read(t, e.pipe.Envelope, rc.ID); !bytes.Equal(env, sbd) {
				t.Errorf("the archived envelope is not the SBD as sent")
			}
			meta, err := e.pipe.Meta(ctx, rc.ID)
			if err != nil || meta.Channel != "peppol" || meta.Sender != sender || meta.Reference != rc.InstanceIdentifier ||
				!strings.Contains(meta.Details["tls_client_subject"], "CN=POP000001") || meta.Details["tls_client_serial"] == "" {
				t.Errorf("meta %+v %v", meta, err)
			}
		})
	}
	// The receipt as XML.
	a := e.post(t, ublSBD(t, "accept-xml-1"), "application/xml")
	if a.status != http.StatusOK || a.ctype != "application/xml" {
		// The fixture was filed above under accept-0: the same invoice again.
		t.Fatalf("%d %s: %s", a.status, a.ctype, a.body)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(a.body); err != nil || doc.Root().Tag != "Receipt" ||
		doc.Root().SelectElement("Status").Text() != "duplicate" || doc.Root().SelectElement("InstanceIdentifier").Text() != "accept-xml-1" {
		t.Errorf("XML receipt: %v %s", err, a.body)
	}
}

// read reads a stored object of a submission.
func read(t testing.TB, open func(context.Context, string) (io.ReadCloser, error), id string) []byte {
	t.Helper()
	r, err := open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPeppolRefuses sends broken envelopes: each is answered with its
// error code in an MLR, and nothing of it is kept.
func TestPeppolRefuses(t *testing.T) {
	e := startEndpoint(t)
	good := func(mod func(*header)) []byte {
		h := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "refuse-1")
		mod(&h)
		return h.wrap(fixture(t))
	}
	replace := func(old, new string) []byte {
		b := ublSBD(t, "refuse-2")
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("the SBD has no %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	erfurt := "16051000-" + leitweg.CheckDigits("16051000")
	unknown := "09162000-" + leitweg.CheckDigits("09162000")
	scope := "<Scope>\n        <Type>DOCUMENTID</Type>"
	big := bytes.Replace(fixture(t), []byte("<cbc:DueDate>"), append(append([]byte("<cbc:Note>"), bytes.Repeat([]byte("x"), 30<<20)...), "</cbc:Note><cbc:DueDate>"...), 1)
	cases := []struct {
		name   string
		sbd    []byte
		status int
		code   string
	}{
		{"receiver not BT-10", good(func(h *header) { h.Receiver = "0204:" + erfurt }), 400, peppol.CodeReceiverInvoice},
		{"receiver not scheme 0204", good(func(h *header) { h.Receiver = "9930:de987654321" }), 400, peppol.CodeReceiverScheme},
		{"bad check digits", good(func(h *header) { h.Receiver = "0204:16071103-0001-18" }), 400, peppol.CodeCheckDigits},
		{"malformed Leitweg-ID", good(func(h *header) { h.Receiver = "0204:Stadtverwaltung" }), 400, peppol.CodeReceiverID},
		{"unknown Leitweg-ID", good(func(h *header) { h.Receiver = "0204:" + unknown }), 400, peppol.CodeUnknown},
		{"header version", good(func(h *header) {}), 400, ""}, // replaced below
		{"authority", replace(`<Identifier Authority="iso6523-actorid-upis">`+sender, `<Identifier Authority="GLN">`+sender), 400, peppol.CodeAuthority},
		{"HeaderVersion missing", replace("<HeaderVersion>1.0</HeaderVersion>", ""), 400, peppol.CodeMissing},
		{"Sender missing", regexp.MustCompile(`(?s)<Sender>.*</Sender>`).ReplaceAll(ublSBD(t, "refuse-3"), nil), 400, peppol.CodeMissing},
		{"InstanceIdentifier missing", replace("<InstanceIdentifier>refuse-2</InstanceIdentifier>", ""), 400, peppol.CodeMissing},
		{"InstanceIdentifier empty", replace("<InstanceIdentifier>refuse-2</InstanceIdentifier>", "<InstanceIdentifier> </InstanceIdentifier>"), 400, peppol.CodeMissing},
		{"BusinessScope missing", regexp.MustCompile(`(?s)<BusinessScope>.*</BusinessScope>`).ReplaceAll(ublSBD(t, "refuse-4"), nil), 400, peppol.CodeMissing},
		{"PROCESSID missing", regexp.MustCompile(`(?s)<Scope>\s*<Type>PROCESSID.*?</Scope>`).ReplaceAll(ublSBD(t, "refuse-5"), nil), 400, peppol.CodeMissing},
		{"Receiver twice", regexp.MustCompile(`(?s)<Receiver>.*</Receiver>`).ReplaceAllFunc(ublSBD(t, "refuse-6"), func(b []byte) []byte { return bytes.Join([][]byte{b, b}, []byte("\n")) }), 400, peppol.CodeRepeated},
		{"HeaderVersion twice", replace("<HeaderVersion>1.0</HeaderVersion>", "<HeaderVersion>1.0</HeaderVersion><HeaderVersion>1.0</HeaderVersion>"), 400, peppol.CodeRepeated},
		{"DOCUMENTID twice", replace(scope, scope+"<InstanceIdentifier>x</InstanceIdentifier></Scope>"+scope), 400, peppol.CodeRepeated},
		{"two payloads", headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "refuse-7").wrap(append(xmlDecl.ReplaceAll(fixture(t), nil), xmlDecl.ReplaceAll(fixture(t), nil)...)), 400, peppol.CodeRepeated},
		{"Standard not the payload's", good(func(h *header) { h.Standard = peppol.UBLCreditNote.Namespace }), 400, peppol.CodeDocumentType},
		{"TypeVersion not the payload's", good(func(h *header) { h.TypeVersion = "2.2" }), 400, peppol.CodeDocumentType},
		{"DOCUMENTID not the payload's root", good(func(h *header) {
			h.DocumentID = peppol.UBLCreditNote.Namespace + "::CreditNote##" + invoice.SpecXRechnung + "::2.1"
		}), 400, peppol.CodeDocumentID},
		{"DOCUMENTID without customization", good(func(h *header) { h.DocumentID = peppol.UBLInvoice.Namespace + "::Invoice##::2.1" }), 400, peppol.CodeDocumentID},
		{"DOCUMENTID customization not BT-24", good(func(h *header) {
			h.DocumentID = peppol.UBLInvoice.Namespace + "::Invoice##" + invoice.SpecEN16931 + "::2.1"
		}), 400, peppol.CodeCustomization},
		{"PROCESSID", good(func(h *header) { h.ProcessID = "urn:www.cenbii.eu:profile:bii04:ver1.0" }), 400, peppol.CodeProcessID},
		{"payload not an invoice", headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "refuse-8").wrap([]byte(`<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>`)), 400, peppol.CodeNotInvoice},
		{"envelope without payload", headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "refuse-9").wrap(nil), 400, peppol.CodeNoPayload},
		{"payload not well-formed", bytes.Replace(ublSBD(t, "refuse-10"), []byte("</cbc:ID>"), nil, 1), 400, peppol.CodeNotWellformed},
		{"DOCTYPE", replace(`<StandardBusinessDocument `, `<!DOCTYPE StandardBusinessDocument [<!ENTITY x "y">]><StandardBusinessDocument `), 400, peppol.CodeNotWellformed},
		{"not UTF-8", replace(`encoding="UTF-8"?>`, `encoding="ISO-8859-1"?>`), 400, peppol.CodeEncoding},
		{"not an SBD", fixture(t), 400, peppol.CodeNotSBD},
		{"empty", nil, 400, peppol.CodeEmpty},
		{"30 MB payload", headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "refuse-11").wrap(big), 413, peppol.CodeTooLarge},
	}
	cases[5].sbd, cases[5].code = replace("<HeaderVersion>1.0</HeaderVersion>", "<HeaderVersion>2.0</HeaderVersion>"), peppol.CodeHeaderVersion
	before := e.files(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := e.post(t, c.sbd, "")
			if a.status != c.status || a.ctype != "application/xml" {
				t.Fatalf("%d %s, want %d: %s", a.status, a.ctype, c.status, a.body)
			}
			code, rules := mlr(t, a)
			if code != "RE" || len(rules) != 1 || rules[0] != c.code {
				t.Errorf("MLR %s %v, want RE [%s]: %s", code, rules, c.code, a.body)
			}
			if n := testutil.ToFloat64(e.metrics.ChannelErrors.WithLabelValues("peppol", c.code)); n < 1 {
				t.Errorf("eingang_channel_errors_total{kind=%q} = %v", c.code, n)
			}
		})
	}
	if after := e.files(t); len(after) != len(before) {
		t.Errorf("refused messages left objects in the store: %v", after)
	}

	// Not XML at all as content type.
	req, _ := http.NewRequest("POST", e.url, bytes.NewReader(ublSBD(t, "refuse-12")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form content type: %d, want 415", resp.StatusCode)
	}
}

// TestPeppolRejects sends an invoice that breaks rules, and one whose
// payload the validator finds not well-formed: 422 with an MLR line per
// failed rule; both are archived among the rejected.
func TestPeppolRejects(t *testing.T) {
	e := startEndpoint(t)
	ctx := context.Background()
	broken := bytes.Replace(fixture(t), []byte("<cbc:DocumentCurrencyCode>EUR<"), []byte("<cbc:DocumentCurrencyCode>XXX<"), 1)
	unbound := bytes.Replace(fixture(t), []byte("<cbc:DueDate>"), []byte("<bad:Extra/><cbc:DueDate>"), 1)
	for i, doc := range [][]byte{broken, unbound} {
		sbd := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, fmt.Sprintf("reject-%d", i)).wrap(doc)
		a := e.post(t, sbd, "")
		if a.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d: %s", a.status, a.body)
		}
		code, rules := mlr(t, a)
		desc := regexp.MustCompile(`archived under ([0-9a-f-]{36})`).FindSubmatch(a.body)
		if code != "RE" || desc == nil {
			t.Fatalf("MLR: %s", a.body)
		}
		id := string(desc[1])
		var rep invoice.Report
		if err := json.Unmarshal(read(t, e.pipe.Report, id), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rules) != rep.Errors() || len(rules) == 0 {
			t.Errorf("%d MLR lines, the report has %d errors: %v", len(rules), rep.Errors(), rules)
		}
		if i == 1 && !strings.HasPrefix(rules[0], "XML") {
			t.Errorf("unbound prefix: rules %v", rules)
		}
		if out, err := e.pipe.Outcome(ctx, id); err != nil || out.Status != ingest.StatusRejected {
			t.Errorf("outcome %+v %v", out, err)
		}
		// The same message again: the same answer, nothing kept twice.
		again := e.post(t, sbd, "")
		if again.status != http.StatusUnprocessableEntity || !bytes.Contains(again.body, []byte(id)) {
			t.Errorf("again: %d %s", again.status, again.body)
		}
	}
	if n := e.count(t, `^archive/.*/original$`); n != 2 {
		t.Errorf("%d originals archived, want 2", n)
	}
}

// TestPeppolDuplicate sends one message again, and then 50 times at once:
// every answer is the first receipt, and it is filed (and archived) once.
// The same InstanceIdentifier with another payload is refused.
func TestPeppolDuplicate(t *testing.T) {
	e := startEndpoint(t)
	sbd := ublSBD(t, "dup-1")
	first := e.post(t, sbd, "")
	if first.status != http.StatusCreated {
		t.Fatalf("%d %s", first.status, first.body)
	}
	again := e.post(t, sbd, "")
	if again.status != http.StatusOK || !bytes.Equal(again.body, first.body) {
		t.Errorf("again: %d %s, want 200 %s", again.status, again.body, first.body)
	}
	other := bytes.Replace(sbd, []byte("RE-2026-0042"), []byte("RE-2026-0043"), 1)
	if a := e.post(t, other, ""); a.status != http.StatusConflict || !bytes.Contains(a.body, []byte(peppol.CodeReused)) {
		t.Errorf("same InstanceIdentifier, other payload: %d %s", a.status, a.body)
	}

	// 50 at once, of a message not seen before.
	sbd = headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "dup-2").wrap(
		bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0044"), 1))
	var wg sync.WaitGroup
	answers := make([]answer, 50)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = e.post(t, sbd, "")
		}()
	}
	wg.Wait()
	created := 0
	id := receiptOf(t, answers[0]).ID
	for _, a := range answers {
		if a.status == http.StatusCreated {
			created++
		} else if a.status != http.StatusOK {
			t.Errorf("%d %s", a.status, a.body)
		}
		if rc := receiptOf(t, a); rc.ID != id || rc.Status != "routed" {
			t.Errorf("receipt %+v, want the first's (%s, routed)", rc, id)
		}
	}
	if created != 1 {
		t.Errorf("%d answers 201, want 1", created)
	}
	if n := e.count(t, `^inbox/lk-weimarer-land/new/`); n != 2 {
		t.Errorf("%d inbox entries, want 2 (dup-1 and dup-2)", n)
	}
	if n := e.count(t, `^archive/.*/original$`); n != 2 {
		t.Errorf("%d originals archived, want 2 (dup-1 and dup-2)", n)
	}
}

// TestPeppolDuplicateAccessPoints sends one SBDH sender and
// InstanceIdentifier from two access points (client certificates of the
// same CA) with different payloads: each is a submission of its own, and
// each one's resend is answered with its own first receipt, never the
// other's; either one sending the other's payload under it reuses its own
// InstanceIdentifier. A third access point sending the first's message
// gets the invoice's duplicate receipt, not the first's. A renewed certificate of the first access point (same
// subject and issuer, a new key) still resends its message.
func TestPeppolDuplicateAccessPoints(t *testing.T) {
	e := startEndpoint(t)
	_, _, certB := e.ca.Issue(t, "POP000002", false, time.Now().Add(24*time.Hour))
	apA, apB := e.client, e.clientWith(&certB)
	sbdA := ublSBD(t, "ap-1")
	sbdB := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "ap-1").wrap(
		bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0045"), 1))

	firstA := e.postWith(t, apA, sbdA, "")
	firstB := e.postWith(t, apB, sbdB, "")
	for _, a := range []answer{firstA, firstB} {
		if a.status != http.StatusCreated {
			t.Fatalf("first of an access point: %d %s, want 201", a.status, a.body)
		}
	}
	rcA, rcB := receiptOf(t, firstA), receiptOf(t, firstB)
	if rcA.ID == rcB.ID || rcA.Status != "routed" || rcB.Status != "routed" {
		t.Errorf("receipts %+v and %+v, want two routed submissions", rcA, rcB)
	}
	if n := e.count(t, `^inbox/lk-weimarer-land/new/`); n != 2 {
		t.Errorf("%d inbox entries, want 2", n)
	}

	// Each one's resend: its own first receipt.
	for _, c := range []struct {
		name   string
		client *http.Client
		sbd    []byte
		first  answer
	}{{"A again", apA, sbdA, firstA}, {"B again", apB, sbdB, firstB}} {
		if a := e.postWith(t, c.client, c.sbd, ""); a.status != http.StatusOK || !bytes.Equal(a.body, c.first.body) {
			t.Errorf("%s: %d %s, want 200 %s", c.name, a.status, a.body, c.first.body)
		}
	}

	// The other's payload under its own InstanceIdentifier: another
	// payload, reused, whoever sent it first.
	for _, c := range []struct {
		name   string
		client *http.Client
		sbd    []byte
	}{{"B sends A's", apB, sbdA}, {"A sends B's", apA, sbdB}} {
		if a := e.postWith(t, c.client, c.sbd, ""); a.status != http.StatusConflict || !bytes.Contains(a.body, []byte(peppol.CodeReused)) {
			t.Errorf("%s: %d %s, want 409", c.name, a.status, a.body)
		}
	}
	// A third access point sends A's message: the same invoice again, not
	// A's message.
	_, _, certC := e.ca.Issue(t, "POP000003", false, time.Now().Add(24*time.Hour))
	a := e.postWith(t, e.clientWith(&certC), sbdA, "")
	if a.status != http.StatusOK || bytes.Equal(a.body, firstA.body) {
		t.Errorf("C sends A's: %d %s, want 200 and not A's first receipt", a.status, a.body)
	} else if rc := receiptOf(t, a); rc.Status != "duplicate" || rc.ID != rcA.ID {
		t.Errorf("C sends A's: receipt %+v, want status duplicate of %s", rc, rcA.ID)
	}

	// A third payload under the InstanceIdentifier, from A: reused.
	other := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "ap-1").wrap(
		bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0046"), 1))
	if a := e.postWith(t, apA, other, ""); a.status != http.StatusConflict || !bytes.Contains(a.body, []byte(peppol.CodeReused)) {
		t.Errorf("A reuses its InstanceIdentifier: %d %s, want 409", a.status, a.body)
	}

	// A's renewed certificate: the same access point.
	_, _, renewed := e.ca.Issue(t, "POP000001", false, time.Now().Add(48*time.Hour))
	if a := e.postWith(t, e.clientWith(&renewed), sbdA, ""); a.status != http.StatusOK || !bytes.Equal(a.body, firstA.body) {
		t.Errorf("A again with a renewed certificate: %d %s, want 200 %s", a.status, a.body, firstA.body)
	}
	if n := e.count(t, `^inbox/lk-weimarer-land/new/`); n != 2 {
		t.Errorf("%d inbox entries, want 2", n)
	}
}

// TestPeppolDuplicateKeptBefore checks a message kept the way it was
// before keys named the access point (key: sender and InstanceIdentifier;
// the client certificate's subject in the details): the access point that
// sent it gets its first receipt when it sends it again, and
// instance-id-reused for another payload under its InstanceIdentifier;
// another access point's message with that sender and InstanceIdentifier
// is a submission of its own.
func TestPeppolDuplicateKeptBefore(t *testing.T) {
	e := startEndpoint(t)
	ctx := context.Background()
	_, _, cert := e.ca.Issue(t, "POP000007", false, time.Now().Add(24*time.Hour))
	old := e.clientWith(&cert)
	sbd := ublSBD(t, "before-1")
	env, err := peppol.Parse(sbd)
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.pipe.Submit(ctx, ingest.Submission{
		Data: env.Payload, Channel: peppol.Channel, Sender: env.Sender, Reference: env.InstanceIdentifier, ContentType: "application/xml",
		ChannelData: ingest.ChannelData{Envelope: sbd, Key: env.Sender + " " + env.InstanceIdentifier, Details: map[string]string{
			"tls_client_subject": cert.Leaf.Subject.String(), "tls_client_serial": cert.Leaf.SerialNumber.String()}},
	})
	if err != nil || first.Status != ingest.StatusRouted {
		t.Fatalf("kept before: %+v %v", first, err)
	}

	for i := range 2 {
		a := e.postWith(t, old, sbd, "")
		if a.status != http.StatusOK {
			t.Fatalf("again %d: %d %s, want 200", i, a.status, a.body)
		}
		if rc := receiptOf(t, a); rc.ID != first.ID || rc.Status != "routed" || rc.InstanceIdentifier != "before-1" {
			t.Errorf("again %d: receipt %+v, want the first (%s, routed)", i, rc, first.ID)
		}
	}
	other := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, "before-1").wrap(
		bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0047"), 1))
	if a := e.postWith(t, old, other, ""); a.status != http.StatusConflict || !bytes.Contains(a.body, []byte(peppol.CodeReused)) {
		t.Errorf("another payload from the same access point: %d %s, want 409", a.status, a.body)
	}
	a := e.post(t, other, "")
	if a.status != http.StatusCreated {
		t.Fatalf("another access point: %d %s, want 201", a.status, a.body)
	}
	if rc := receiptOf(t, a); rc.ID == first.ID || rc.Status != "routed" {
		t.Errorf("another access point: receipt %+v, want a routed submission of its own", rc)
	}
	if n := e.count(t, `^inbox/lk-weimarer-land/new/`); n != 2 {
		t.Errorf("%d inbox entries, want 2", n)
	}
}

// TestPeppolClientCertificates checks that without a client certificate,
// with one of another CA or with an expired one no request reaches the
// handler.
func TestPeppolClientCertificates(t *testing.T) {
	e := startEndpoint(t)
	_, _, other := testenv.NewCA(t, "Other CA").Issue(t, "POP000002", false, time.Now().Add(24*time.Hour))
	_, _, expired := e.ca.Issue(t, "POP000003", false, time.Now().Add(-time.Hour))
	for _, c := range []struct {
		name string
		cert *tls.Certificate
	}{{"no client certificate", nil}, {"another CA", &other}, {"expired", &expired}} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.url, bytes.NewReader(ublSBD(t, "tls-1")))
			req.Header.Set("Content-Type", "application/xml")
			resp, err := e.clientWith(c.cert).Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("answered %d", resp.StatusCode)
			}
		})
	}
	if n := e.reached.Load(); n != 0 {
		t.Errorf("%d requests reached the handler", n)
	}
	if a := e.post(t, ublSBD(t, "tls-2"), ""); a.status != http.StatusCreated {
		t.Errorf("with the right certificate: %d %s", a.status, a.body)
	}
}

// TestPeppolTestdata checks that testdata/sbd-ubl.xml, the SBD of the
// curl example of docs/senders.md, wraps the fixture as the tests do
// (EINGANG_UPDATE=1 rewrites it).
func TestPeppolTestdata(t *testing.T) {
	want := ublSBD(t, "readme-0001")
	got, err := os.ReadFile("testdata/sbd-ubl.xml")
	if os.Getenv("EINGANG_UPDATE") != "" {
		if err := os.WriteFile("testdata/sbd-ubl.xml", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("testdata/sbd-ubl.xml is not the fixture's SBD (%v): run with EINGANG_UPDATE=1", err)
	}
}

// TestPeppolTwoGateways sends each of 20 invoices to two gateways on one
// real MinIO at the same moment, as a sending access point that retries
// on another address of the receiver would: each is filed once, and both
// answers name the same submission.
func TestPeppolTwoGateways(t *testing.T) {
	srv, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx := context.Background()
	st, err := store.OpenS3(ctx, store.S3Config{Bucket: "peppol", Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	ca := testenv.NewCA(t, "Test Access Point CA")
	gws := []*endpoint{startEndpointOn(t, st, "gw1", ca), startEndpointOn(t, st, "gw2", ca)}
	const n = 20
	answers := make([][2]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		sbd := headerFor(peppol.UBLInvoice, invoice.SpecXRechnung, lwWeimarerLand, fmt.Sprintf("two-%d", i)).wrap(
			bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(fmt.Sprintf("RE-TWO-%d", i)), 1))
		for g := range gws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i][g] = gws[g].post(t, sbd, "")
			}()
		}
	}
	wg.Wait()
	ids := map[string]bool{}
	for i, a := range answers {
		for g := range gws {
			if a[g].status != http.StatusCreated && a[g].status != http.StatusOK {
				t.Fatalf("invoice %d at gw%d: %d %s", i, g+1, a[g].status, a[g].body)
			}
		}
		first, second := receiptOf(t, a[0]), receiptOf(t, a[1])
		if first.ID != second.ID || first.Status != "routed" {
			t.Errorf("invoice %d: answered %s (%s) and %s (%s), want one routed submission", i, first.ID, first.Status, second.ID, second.Status)
		}
		if (a[0].status == http.StatusCreated) == (a[1].status == http.StatusCreated) {
			t.Errorf("invoice %d: answers %d and %d, want one 201 and one 200", i, a[0].status, a[1].status)
		}
		ids[first.ID] = true
	}
	for _, gw := range gws {
		gw.pipe.Wait()
	}
	inbox, err := gws[1].pipe.Inbox(ctx, "lk-weimarer-land", "new", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	filed := map[string]int{}
	for _, o := range inbox {
		filed[o.ID]++
	}
	if len(inbox) != n || len(filed) != n {
		t.Errorf("inbox holds %d entries of %d submissions, want %d", len(inbox), len(filed), n)
	}
	for id := range ids {
		if filed[id] != 1 {
			t.Errorf("%s filed %d times, want once", id, filed[id])
		}
	}
}
