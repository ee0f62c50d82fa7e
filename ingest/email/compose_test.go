package email

import (
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
)

// TestNoReply: which mails get no automatic reply, and why.
func TestNoReply(t *testing.T) {
	own := ownAddresses(Config{
		Mailbox:      Mailbox{Username: "Eingang@Intake.example"},
		OwnAddresses: []string{"rechnung@kreis.example", "post"},
		Replies:      NewSender(SMTP{Username: "gateway", From: &mail.Address{Name: "E-Rechnung", Address: "rechnung@portal.example"}}, nil, nil),
	})
	for _, k := range []struct {
		name, header, returnPath, why string
	}{
		{"a supplier", "From: buchhaltung@lieferant.example", "", ""},
		{"the SMTP sender", "From: E-Rechnung <rechnung@portal.example>", "", "own address"},
		{"the SMTP sender in capitals", "From: RECHNUNG@Portal.Example", "", "own address"},
		{"the intake mailbox", "From: eingang@intake.example", "", "own address"},
		{"another mailbox of the gateway", "From: Rechnung@Kreis.example", "", "own address"},
		{"a login name that is no address", "From: gateway", "", "no sender address"},
		{"the mailbox delivered to", "From: Eingang <Post@Stadt.example>\r\nDelivered-To: post@stadt.example", "", "own address"},
		{"the mailbox delivered to, by alias", "From: post@stadt.example\r\nDelivered-To: rechnung@stadt.example\r\nX-Original-To: <post@stadt.example>", "", "own address"},
		{"another mailbox delivered to", "From: a@lieferant.example\r\nDelivered-To: post@stadt.example", "", ""},
		{"Auto-Submitted", "From: a@lieferant.example\r\nAuto-Submitted: auto-replied", "", "Auto-Submitted"},
		{"a bounce", "From: a@lieferant.example", "<>", "bounce"},
		{"no-reply", "From: no-reply@lieferant.example", "", "sender"},
	} {
		m, err := Parse([]byte(k.header + "\r\nSubject: x\r\n\r\nx\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		why := noReply(m, k.returnPath, own)
		if k.why == "" && why != "" || !strings.Contains(why, k.why) {
			t.Errorf("%s: noReply %q, want %q", k.name, why, k.why)
		}
	}
}
