package testenv

import (
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestDovecot starts Dovecot, logs in, appends a mail, restarts it and
// finds the mail again.
func TestDovecot(t *testing.T) {
	d := StartDovecot(t, map[string]string{"rechnung": "secret"})
	login := func() *imapclient.Client {
		c, err := imapclient.DialInsecure(d.Addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login("rechnung", "secret").Wait(); err != nil {
			t.Fatalf("login: %v\n%s", err, d.Log())
		}
		return c
	}
	c := login()
	msg := "From: a@example.org\r\nSubject: x\r\n\r\nhello\r\n"
	a := c.Append("INBOX", int64(len(msg)), nil)
	a.Write([]byte(msg))
	a.Close()
	if _, err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	d.Stop()
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	c = login()
	defer c.Close()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 1 {
		t.Fatalf("%d messages after restart, want 1", sel.NumMessages)
	}
	if !c.Caps().Has(imap.CapMove) || !c.Caps().Has(imap.CapIdle) {
		t.Errorf("capabilities %v lack MOVE or IDLE", c.Caps())
	}
}
