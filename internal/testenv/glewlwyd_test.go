package testenv

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestGlewlwydOIDC starts glewlwyd and reads its discovery document: the
// issuer is the one configured, the keys are there, and a user whose
// groups change is accepted.
func TestGlewlwydOIDC(t *testing.T) {
	g := StartGlewlwyd(t, []string{"http://127.0.0.1:1/login/oidc/callback"}, 0,
		GlewlwydUser{Username: "anna", Password: "anna-pass-1", Name: "Anna Beispiel", Email: "anna@example.org", Municipality: "erfurt", Groups: []string{"rechnung-erfurt"}})
	resp, err := http.Get(g.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != g.Issuer || doc.JWKSURI == "" {
		t.Errorf("discovery: %+v, want issuer %s", doc, g.Issuer)
	}
	if err := g.SetGroups("anna", []string{"kantine"}); err != nil {
		t.Error(err)
	}
	if err := g.SetGroups("nobody", nil); err == nil {
		t.Error("groups of an unknown user were set")
	}
}
