// Command mkapidoc writes the API reference from the OpenAPI description:
//
//	go run ./internal/mkapidoc -o ../docs/api.md openapi.json
//
// It is run by `go generate ./web`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/eingang/eingang/web/internal/apidoc"
)

func main() {
	out := flag.String("o", "", "the Markdown file to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: mkapidoc -o FILE.md OPENAPI.json")
		os.Exit(2)
	}
	spec, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkapidoc: %v\n", err)
		os.Exit(1)
	}
	md, err := apidoc.Markdown(spec)
	if err == nil {
		err = os.WriteFile(*out, append(md, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkapidoc: %v\n", err)
		os.Exit(1)
	}
}
