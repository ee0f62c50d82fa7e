// Command eingang is the XRechnung gateway: it validates e-invoices exactly
// as the KoSIT reference does, archives them and routes them to the
// municipality that must pay.
//
// Usage:
//
//	eingang serve [--addr ADDR] [--store URL] [--directory FILE] [--config FILE]
//	eingang validate [--format text|json|kosit] [--all-rules] [--output DIR] [--html] PATH...
//	eingang validate --daemon [--addr ADDR]
//	eingang verify [--store URL] [--json FILE] [--resume FILE] [--metrics FILE]
//	eingang verify --export FILE.zip
//	eingang export [--store URL] --municipality ID --from DATE --to DATE -o FILE.zip
//	eingang token
//	eingang version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
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
  validate [--format text|json|kosit] [--all-rules] [--rules NAME] [--output DIR] [--html] PATH...
                                    validate invoices (files or directories)
  rules [--config FILE] [--at DATE] [--json]
                                    list the rule releases, which is in force, and what each changes
  validate --daemon [--addr ADDR]   serve the KoSIT validator's daemon protocol (default 127.0.0.1:8081)
  verify [--store URL] [--json FILE] [--resume FILE] [--metrics FILE]
                                    check the archive's fixity (hashes, retention, completeness)
  verify --export FILE.zip          check an export against its manifest
  export [--store URL] --municipality ID --from DATE --to DATE -o FILE.zip
                                    write a municipality's invoices of a period as a ZIP
  token                             print a new bearer token and its SHA-256 for the directory
  user add --name NAME [--municipality ID] [--role clerk|auditor|operator] [--directory FILE]
                                    add a local account (password from stdin or a prompt)
  version                           print the module version and the revision it was built from

"eingang <command> --help" explains a command.
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
	case "user":
		return cmdUser(args[1:], os.Stdin, stdout, stderr)
	case "validate":
		return cmdValidate(ctx, args[1:], stdout, stderr)
	case "rules":
		return cmdRules(args[1:], stdout, stderr)
	case "version":
		return cmdVersion(args[1:], stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[1:], stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "eingang: unknown command %q\n%s", args[0], usage)
	return 2
}

// parseFlags parses a command's arguments as Go's flag package does: -h
// and --help print the usage and exit 0, a bad flag exits 2, and so does
// an argument after the flags where the command takes none (positional
// false). It returns -1 when the command should go on.
func parseFlags(fl *flag.FlagSet, args []string, positional bool) int {
	err := fl.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	case !positional && fl.NArg() > 0:
		fmt.Fprintf(fl.Output(), "eingang %s: unexpected argument %q (it takes flags only)\n", fl.Name(), fl.Arg(0))
		fl.Usage()
		return 2
	}
	return -1
}

// newFlags returns a flag set that writes to stderr and whose usage is
// text followed by the flags.
func newFlags(name, text string, stderr io.Writer) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), text)
		n := 0
		fl.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fl.Output(), "\nflags:")
			fl.PrintDefaults()
		}
	}
	return fl
}

// cmdVersion prints the module version and the VCS revision of the build.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fl := newFlags("version", "usage: eingang version\n\nPrints the module version, the revision and time of the commit the binary\nwas built from (\"+modified\" when the work tree had changes) and the Go version.\n", stderr)
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	fmt.Fprintln(stdout, version())
	return 0
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "eingang (no build information)"
	}
	v := []string{"eingang", bi.Main.Version}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev != "" {
		v = append(v, "revision "+rev+modified)
	}
	if at != "" {
		v = append(v, at)
	}
	return strings.Join(append(v, bi.GoVersion), " ")
}
