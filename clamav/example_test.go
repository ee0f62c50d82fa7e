package clamav_test

import (
	"context"
	"fmt"
	"log"

	"github.com/eingang/eingang/clamav"
)

// Scan a document with clamd listening on the loopback interface.
func Example() {
	c, err := clamav.New("127.0.0.1:3310") // or "unix:/run/clamav/clamd.ctl"
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.Scan(context.Background(), []byte("<Invoice/>"))
	if err != nil {
		log.Fatal(err) // unreachable, timed out, too long: never a pass
	}
	if v.Infected {
		fmt.Println("refused:", v.Signature)
	}
}
