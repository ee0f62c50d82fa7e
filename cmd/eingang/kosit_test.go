package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/internal/testenv"
)

// TestValidateKosit runs validate --format kosit --html and --format json
// --all-rules over two folders of the conformance corpus: the exit codes
// agree, every document has its report and page, and each report lists
// the counted findings of the JSON report, rule id and level, in order.
func TestValidateKosit(t *testing.T) {
	corpus := testenv.Shared(t, "conformance")
	dirs := []string{filepath.Join(corpus, "xrechnung-testsuite"), filepath.Join(corpus, "validator-configuration-xrechnung", "instances")}
	out := t.TempDir()
	var kout, kerr, jout, jerr bytes.Buffer
	kcode := run(context.Background(), append([]string{"validate", "--format", "kosit", "--output", out, "--html"}, dirs...), &kout, &kerr)
	jcode := run(context.Background(), append([]string{"validate", "--format", "json", "--all-rules"}, dirs...), &jout, &jerr)
	if kcode != jcode || kcode != 1 {
		t.Fatalf("exit codes: kosit %d, json %d, want 1 (the folders hold rejected documents)\n%s", kcode, jcode, &kerr)
	}
	files, _, err := collect(dirs)
	if err != nil {
		t.Fatal(err)
	}
	reports := reportNames(out, files)
	sc := bufio.NewScanner(&jout)
	sc.Buffer(nil, 64<<20)
	i := 0
	for ; sc.Scan(); i++ {
		var j struct {
			File     string
			Accepted bool
			Findings []struct {
				Rule, Level string
				Counted     bool
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		if j.File != files[i] {
			t.Fatalf("JSON line %d is %s, want %s", i, j.File, files[i])
		}
		var want []string
		for _, f := range j.Findings {
			if f.Counted {
				want = append(want, f.Rule+"/"+f.Level)
			}
		}
		d := etree.NewDocument()
		if err := d.ReadFromFile(reports[i]); err != nil {
			t.Fatalf("%s: %v", j.File, err)
		}
		var got []string
		for _, m := range d.FindElements("//message") {
			got = append(got, m.SelectAttrValue("code", "")+"/"+m.SelectAttrValue("level", ""))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: report %v, JSON %v", j.File, got, want)
		}
		if accept := d.FindElement("/report/assessment/accept") != nil; accept != j.Accepted {
			t.Errorf("%s: report accepts %v, JSON %v", j.File, accept, j.Accepted)
		}
		if d.FindElement("//documentReference").Text() != filepath.Base(j.File) {
			t.Errorf("%s: documentReference %q", j.File, d.FindElement("//documentReference").Text())
		}
		page, err := os.ReadFile(strings.TrimSuffix(reports[i], ".xml") + ".html")
		if err != nil || !bytes.Contains(page, []byte("Prüfbericht / Validation report")) {
			t.Errorf("%s: HTML page: %v", j.File, err)
		}
		if !strings.Contains(kout.String(), j.File+": ") {
			t.Errorf("%s: no line on stdout", j.File)
		}
	}
	if i != len(files) || i < 80 {
		t.Fatalf("%d JSON reports for %d files", i, len(files))
	}
}

// TestValidateKositFlags checks the flags' combinations.
func TestValidateKositFlags(t *testing.T) {
	fixture := filepath.Join("..", "..", "invoice", "testdata", "minimal-ubl.xml")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"validate", "--html", fixture}, 2, "--html needs --format kosit"},
		{[]string{"validate", "--daemon", fixture}, 2, "--daemon takes no PATH"},
		{[]string{"validate", "--daemon", "--addr", "256.0.0.1:1"}, 2, "kosit daemon"},
		{[]string{"validate", "--help"}, 0, "--format kosit writes the KoSIT validator's report"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.msg, &stderr)
		}
	}
	// Files of one name in two folders get reports of two names.
	got := reportNames("out", []string{"a/x.xml", "b/x.xml", "c/y.XML"})
	if want := []string{"out/x-report.xml", "out/x-2-report.xml", "out/y-report.xml"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reportNames: %v, want %v", got, want)
	}
}

// TestDaemonCLI runs the binary as validate --daemon and as serve with
// kosit_addr: each answers the 1.x protocol and stops on SIGTERM with
// exit status 0.
func TestDaemonCLI(t *testing.T) {
	bin := buildBinary(t)
	fixture, err := os.ReadFile(filepath.Join("..", "..", "invoice", "testdata", "minimal-ubl.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	kositAddr := freeAddr(t)
	if err := os.WriteFile(cfg, []byte("kosit_addr: "+kositAddr+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	daemonAddr := freeAddr(t)
	for _, c := range []struct {
		name string
		args []string
		addr string
	}{
		{"validate --daemon", []string{"validate", "--daemon", "--addr", daemonAddr}, daemonAddr},
		{"serve", []string{"serve", "--addr", freeAddr(t), "--store", t.TempDir(), "--config", cfg}, kositAddr},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs := &syncBuffer{}
			cmd := exec.Command(bin, c.args...)
			cmd.Stdout, cmd.Stderr = logs, logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			url := "http://" + c.addr
			deadline := time.Now().Add(30 * time.Second)
			for {
				resp, err := http.Get(url + "/server/health")
				if err == nil {
					resp.Body.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("daemon did not start: %s", logs)
				}
				time.Sleep(20 * time.Millisecond)
			}
			for _, p := range []struct {
				body   []byte
				status int
			}{{fixture, 200}, {[]byte("<x/>"), 406}, {[]byte("<x"), 422}, {nil, 400}} {
				resp, err := http.Post(url+"/dir/invoice.xml", "application/xml", bytes.NewReader(p.body))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != p.status {
					t.Errorf("%.20q: %d, want %d: %.300s", p.body, resp.StatusCode, p.status, b)
				}
				if p.status != 400 && !bytes.Contains(b, []byte("<rep:documentReference>invoice.xml</rep:documentReference>")) {
					t.Errorf("%.20q: report without the document's name: %.300s", p.body, b)
				}
			}
			cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("after SIGTERM: %v\n%s", err, logs)
			}
		})
	}
}

// TestKoSITWalkthrough runs the KoSIT walkthrough of docs/kosit.md (between the
// <!-- kosit-walkthrough --> markers) with bash in a copy of the
// project's layout, and checks the status codes it prints.
func TestKoSITWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Require(t, "no "+tool+" for the KoSIT walkthrough of docs/kosit.md: "+err.Error())
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "docs", "kosit.md"))
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- kosit-walkthrough -->\n```sh\n", "```\n<!-- /kosit-walkthrough -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatal("docs/kosit.md has no script between <!-- kosit-walkthrough --> markers")
	}
	script := string(readme[i+len(begin) : j])
	project := t.TempDir()
	fixture := filepath.Join(project, "invoice", "testdata", "minimal-ubl.xml")
	data, err := os.ReadFile(filepath.Join("..", "..", "invoice", "testdata", "minimal-ubl.xml"))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(fixture), 0o755)
	}
	if err == nil {
		err = os.WriteFile(fixture, data, 0o644)
	}
	if err == nil {
		err = os.MkdirAll(filepath.Join(project, "bin"), 0o755)
	}
	if err == nil {
		err = os.Rename(buildBinary(t), filepath.Join(project, "bin", "eingang"))
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
	cmd.Dir = project
	cmd.Env = append(os.Environ(), "PORT="+strings.TrimPrefix(freeAddr(t), "127.0.0.1:"), "TMPDIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a daemon a failed run left behind
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"acceptable -> 200\n<rep:accept>\n", "no-scenario -> 406\n", "not-xml -> 422\n", "empty -> 400\n",
		"multipart -> 400\n", "put -> 405\n", "<status>UP</status>\n", "X-Validator-Acceptance: ACCEPTABLE",
		`{"acceptable":1,"rejected":0,"processing-errors":0,`, "minimal-ubl-report.html\nminimal-ubl-report.xml\n",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
}
