package web

// The API's description: OpenAPI 3.1, kept beside the handlers (openapi.json)
// and served as it is kept.

import (
	_ "embed"
	"io"
	"net/http"
)

//go:generate go run ./internal/mkapidoc -o ../docs/api.md openapi.json

// openAPIRoute serves the API's description.
const openAPIRoute = "GET /api/v1/openapi.json"

// openAPIDocument is the OpenAPI 3.1 description of the routes in
// server.routes; TestOpenAPIRoutes keeps the two in step.
//
//go:embed openapi.json
var openAPIDocument string

// openAPI answers the API's description.
func (s *server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, openAPIDocument)
}
