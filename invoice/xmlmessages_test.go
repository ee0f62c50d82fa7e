package invoice

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestParseMessagesDE checks that every message the parser writes has a
// German translation with the same verbs, and that a broken document's
// German finding is German.
func TestParseMessagesDE(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	calls := regexp.MustCompile("(?:p\\.wf\\(|p\\.fail\\(\"XML-[A-Z]+\", |parseError\\([^,]+, \"XML-[A-Z]+\", )(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")
	n := 0
	for _, file := range []string{"xmlparse.go", "xml.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range calls.FindAllStringSubmatch(string(src), -1) {
			format, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %v", m[1], err)
			}
			n++
			key := strings.TrimPrefix(format, wellformedPrefix)
			if key == "" { // the prefix wf adds
				continue
			}
			de, ok := parseMessagesDE[key]
			if !ok {
				t.Errorf("%s: no German message for %q", file, format)
				continue
			}
			if a, b := verbs.FindAllString(format, -1), verbs.FindAllString(de, -1); len(a) != len(b) {
				t.Errorf("%q and %q differ in their verbs", format, de)
			}
		}
	}
	if n < 40 {
		t.Errorf("found %d parser messages, want the parser's 40 or more", n)
	}
	rep, err := Validate(context.Background(), []byte("<Invoice>\n<a></b>\n</Invoice>"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "Das Dokument ist kein wohlgeformtes XML (Zeile 2): das End-Tag </b> passt nicht zu <a>"
	if got := rep.Findings[0].MessageDE; got != want {
		t.Errorf("German message %q, want %q", got, want)
	}
}
