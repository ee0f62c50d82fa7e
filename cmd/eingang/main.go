// Command eingang is the XRechnung gateway: it validates e-invoices exactly
// as the KoSIT reference does, archives them and routes them to the
// municipality that must pay.
//
// Usage:
//
//	eingang validate [--format text|json] [--all-rules] PATH...
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: eingang <command> [arguments]

commands:
  validate [--format text|json] [--all-rules] PATH...   validate invoices (files or directories)
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return cmdValidate(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "eingang: unknown command %q\n%s", args[0], usage)
	return 2
}
