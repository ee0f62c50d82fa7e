package peppol_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// TestHybridPeppolXMLOnly sends a hybrid PDF to the PEPPOL endpoint: it
// takes XML only and says so (415, pointing to upload and e-mail), and
// keeps nothing.
func TestHybridPeppolXMLOnly(t *testing.T) {
	e := startEndpoint(t)
	before := e.files(t)
	req, _ := http.NewRequest("POST", e.url, bytes.NewReader(testenv.HybridPDF(t, fixture(t), "XRECHNUNG")))
	req.Header.Set("Content-Type", "application/pdf")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(body), "upload and e-mail") {
		t.Errorf("a PDF to the PEPPOL endpoint: %d %s, want 415 saying where PDFs go", resp.StatusCode, body)
	}
	if after := e.files(t); len(after) != len(before) {
		t.Errorf("kept %v", after)
	}
}
