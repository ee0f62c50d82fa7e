package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/eingang/eingang/internal/testenv"
)

// TestDovecotServe runs `eingang serve` with the e-mail channel configured
// as docs/senders.md shows: an invoice mailed to the Dovecot mailbox is filed,
// the sender gets a reply and the municipality the original. With
// EINGANG_SHOW_REPLY set it prints the reply (the sample in docs/senders.md).
func TestDovecotServe(t *testing.T) {
	d := testenv.StartDovecot(t, map[string]string{"rechnung": "secret"})
	sink := testenv.StartSMTPSink(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "imap-password"), []byte("secret\n"), 0o600)
	cfg := fmt.Sprintf(`email:
  mailboxes:
    - url: imap://rechnung@%s/INBOX
      password_file: %s/imap-password
      poll: 1s
  smtp:
    url: smtp://%s
    from: "E-Rechnung Thüringen <rechnung@portal.example>"
  max_mail_bytes: 20MB
`, d.Addr, dir, sink.Addr)
	os.WriteFile(filepath.Join(dir, "eingang.yaml"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(dir, "municipalities.yaml"), []byte(`municipalities:
  - id: lk-weimarer-land
    name: Landkreis Weimarer Land
    leitweg_ids: ["16071"]
    email: kasse@weimarer-land.example
    delivery: deliver
`), 0o644)
	g := startGateway(t, buildBinary(t), freeAddr(t), "--store", filepath.Join(dir, "data"),
		"--config", filepath.Join(dir, "eingang.yaml"), "--directory", filepath.Join(dir, "municipalities.yaml"))
	defer g.kill()

	inv, err := os.ReadFile("../../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: Muster Bau GmbH <buchhaltung@muster-bau.example>\r\nTo: rechnung@portal.example\r\nSubject: Rechnung RE-2026-0042\r\n" +
		"Message-ID: <re-2026-0042@muster-bau.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei unsere Rechnung.\r\n--b\r\nContent-Type: application/xml\r\n" +
		"Content-Disposition: attachment; filename=\"RE-2026-0042.xml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(inv) + "\r\n--b--\r\n"
	c, err := imapclient.DialInsecure(d.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("rechnung", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	a := c.Append("INBOX", int64(len(raw)), nil)
	a.Write([]byte(raw))
	a.Close()
	if _, err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if len(sink.To("buchhaltung@muster-bau.example")) == 1 && len(sink.To("kasse@weimarer-land.example")) == 1 {
			break
		}
	}
	replies := sink.To("buchhaltung@muster-bau.example")
	if len(replies) != 1 || len(sink.To("kasse@weimarer-land.example")) != 1 {
		t.Fatalf("replies %d, deliveries %d; gateway log:\n%s", len(replies), len(sink.To("kasse@weimarer-land.example")), g.logs)
	}
	reply := replies[0].Data
	for _, want := range []string{"Auto-Submitted: auto-replied", "In-Reply-To: <re-2026-0042@muster-bau.example>", "report.json"} {
		if !bytes.Contains(reply, []byte(want)) {
			t.Errorf("reply lacks %q", want)
		}
	}
	if os.Getenv("EINGANG_SHOW_REPLY") != "" {
		fmt.Println(strings.ReplaceAll(string(reply), "\r\n", "\n"))
	}
}
