package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/eingang/eingang/store"
)

// A filesystem store keeps each object in a file below its folder. Create
// writes an object once: a second Create of the key fails with ErrExists,
// and an object under retention can be neither replaced nor deleted.
func Example() {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := store.OpenFS(dir)
	if err != nil {
		log.Fatal(err)
	}

	received := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	keep := store.CreateOptions{RetainUntil: store.RetainUntil(received, 10)}
	for _, key := range []string{"originals/2026/b.xml", "originals/2026/a.xml"} {
		body := "<Invoice>" + key + "</Invoice>"
		if err := s.Create(ctx, key, strings.NewReader(body), int64(len(body)), keep); err != nil {
			log.Fatal(err)
		}
	}
	err = s.Create(ctx, "originals/2026/a.xml", strings.NewReader("other"), 5, store.CreateOptions{})
	fmt.Println("create again:", errors.Is(err, store.ErrExists))
	fmt.Println("delete:", errors.Is(s.Delete(ctx, "originals/2026/a.xml"), store.ErrLocked))

	r, err := s.Get(ctx, "originals/2026/a.xml")
	if err != nil {
		log.Fatal(err)
	}
	data, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("get:", string(data))
	info, err := s.Stat(ctx, "originals/2026/a.xml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("retained until:", info.RetainUntil.Format(time.DateOnly))

	objects, err := s.List(ctx, "originals/2026/", "", 100)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objects {
		fmt.Println("list:", o.Key, o.Size)
	}
	_, err = s.Get(ctx, "originals/2026/c.xml")
	fmt.Println("get missing:", errors.Is(err, store.ErrNotFound))
	// Output:
	// create again: true
	// delete: true
	// get: <Invoice>originals/2026/a.xml</Invoice>
	// retained until: 2037-01-01
	// list: originals/2026/a.xml 39
	// list: originals/2026/b.xml 39
	// get missing: true
}
