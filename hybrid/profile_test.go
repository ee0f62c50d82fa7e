package hybrid

import (
	"strings"
	"testing"
)

func TestHybridProfileProblem(t *testing.T) {
	tests := []struct {
		id      string
		profile string
		problem bool
	}{
		{"urn:factur-x.eu:1p0:minimum", ProfileMinimum, true},
		{"urn:zugferd.de:2p0:minimum", ProfileMinimum, true},
		{"urn:factur-x.eu:1p0:basicwl", ProfileBasicWL, true},
		{"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", ProfileBasic, true},
		{"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", ProfileExtended, true},
		{"urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended", ProfileExtended, true},
		{"urn:cen.eu:en16931:2017", ProfileEN16931, false},
		{" urn:cen.eu:en16931:2017 ", ProfileEN16931, false},
		{"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", ProfileXRechnung, false},
		{"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3", ProfileXRechnung, false},
		{"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.0#conformant#urn:xoev-de:kosit:extension:xrechnung_2.0", ProfileXRechnung, false},
		{"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0", ProfileXRechnung, false},
		{"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := ProfileOf(tt.id); got != tt.profile {
			t.Errorf("ProfileOf(%q) = %q, want %q", tt.id, got, tt.profile)
		}
		e := ProfileProblem(tt.id)
		if (e != nil) != tt.problem {
			t.Errorf("ProfileProblem(%q) = %v, want a problem: %v", tt.id, e, tt.problem)
			continue
		}
		if e != nil && (e.Code != CodeProfile || !strings.Contains(e.Message, tt.profile) ||
			!strings.Contains(e.MessageDE, tt.profile) || !strings.Contains(e.Message, "send the profile EN 16931 or XRECHNUNG")) {
			t.Errorf("ProfileProblem(%q) = %+v", tt.id, e)
		}
	}
}
