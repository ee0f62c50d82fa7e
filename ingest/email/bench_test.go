package email

import (
	"fmt"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
)

// BenchmarkDovecotIntake measures mails per second from a Dovecot mailbox
// of 1,000 invoice mails (one invoice each) to invoices filed on the
// filesystem store, replies sent. Run with -benchtime 1x.
func BenchmarkDovecotIntake(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := testenv.StartDovecot(b, dovecotUsers)
		e := newEnv(b, testenv.BenchDir(b))
		c := imapUser(b, d.Addr, "rechnung", "secret")
		for j := range n {
			appendMail(b, c, "INBOX", testMail{from: fmt.Sprintf("s%d@lieferant.example", j), messageID: fmt.Sprintf("b%d-%d@x", i, j), subject: "r",
				parts: []string{xmlPart("r.xml", numbered(b, fmt.Sprintf("BENCH-%d-%04d", i, j)))}}.bytes())
		}
		b.StartTimer()
		start := time.Now()
		e.run(b, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "bench"})
		waitFor(b, 10*time.Minute, "1,000 mails done", func() bool { return count(c, "Done") == n })
		b.ReportMetric(n/time.Since(start).Seconds(), "mails/s")
	}
}
