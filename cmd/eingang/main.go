// Command eingang is the XRechnung gateway: it validates e-invoices exactly
// as the KoSIT reference does, archives them and routes them to the
// municipality that must pay.
//
// Usage:
//
//	eingang serve [--addr ADDR] [--store URL] [--directory FILE] [--config FILE]
//	eingang validate [--format text|json] [--all-rules] PATH...
//	eingang token
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: eingang <command> [arguments]

commands:
  serve [--addr ADDR] [--store URL] [--directory FILE] [--config FILE]
                                    run the gateway (default: 127.0.0.1:8080, store ./data, sample directory)
  validate [--format text|json] [--all-rules] PATH...
                                    validate invoices (files or directories)
  token                             print a new bearer token and its SHA-256 for the directory
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "token":
		return cmdToken(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "eingang: unknown command %q\n%s", args[0], usage)
	return 2
}
