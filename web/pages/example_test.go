package pages_test

import (
	"net/http"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/web/pages"
)

// The pages go on the gateway's mux beside the API; the pipeline is their
// backend.
func ExamplePages_Register() {
	var pipe *ingest.Pipeline // from ingest.New
	mux := http.NewServeMux()
	pages.New(pages.Config{Backend: pipe, MaxBody: 20 << 20}).Register(mux)
	// ... the API's routes on the same mux, then http.Server{Handler: mux}.
}
