package invoice

import "testing"

// TestCatalogue checks the catalogue against the rule table: every entry
// documents a rule, no id is in two families' catalogues, and an override
// in a definition says something other than the catalogue.
func TestCatalogue(t *testing.T) {
	seen := map[string]int{}
	for _, c := range catalogues() {
		for id := range c {
			seen[id]++
		}
	}
	used := map[string]bool{}
	for _, r := range allRules() {
		if r.ID != "" {
			used[r.ID] = true
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s is in %d catalogues", id, n)
		}
		if !used[id] {
			t.Errorf("%s is in the catalogue but no rule has it", id)
		}
	}
	for _, family := range ruleTables() {
		for _, r := range family {
			if r.ID == "" || r.Flag == "" && r.Message == "" {
				continue
			}
			d, ok := lookupDoc(r.ID)
			if !ok {
				continue // its own words only: document panics where these are missing
			}
			if r.Flag == d.Flag && r.Message == d.Message && r.MessageDE == d.MessageDE {
				t.Errorf("%s (%s) overrides the catalogue with its own words", r.ID, r.Syntax())
			}
			if r.Message != "" && r.MessageDE == "" || r.Message == "" && r.MessageDE != "" {
				t.Errorf("%s (%s) overrides one message but not the other", r.ID, r.Syntax())
			}
		}
	}
}
