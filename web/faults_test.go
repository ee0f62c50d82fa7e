package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eingang/eingang/store"
)

// TestHalfClosedClient sends a complete upload over a raw connection and
// closes its sending side before reading the answer, as some clients and
// proxies do: the answer is 201 and the invoice is kept.
func TestHalfClosedClient(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	doc := fixture(t)
	for i := 0; i < 5; i++ {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		body := strings.Replace(string(doc), "RE-2026-0042", fmt.Sprintf("RE-HALF-%d", i), 1)
		fmt.Fprintf(conn, "POST /api/v1/invoices HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("upload %d: reading the answer: %v", i, err)
		}
		answer, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("upload %d from a half-closed client: %d %s", i, resp.StatusCode, answer)
		}
		id := decode(t, answer).ID
		rc, err := e.pipe.Original(context.Background(), id)
		if err != nil {
			t.Fatalf("upload %d: original: %v", i, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != body {
			t.Errorf("upload %d: original differs", i)
		}
		if o, err := e.pipe.Outcome(context.Background(), id); err != nil || o.Status != "routed" {
			t.Errorf("upload %d: %+v %v, want routed", i, o, err)
		}
	}
}

// TestLostAnswer drops the answer to an upload and sends the same bytes
// again: the retry's answer carries the first's outcome and a receipt
// token that reaches its status.
func TestLostAnswer(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t)) // the answer is lost
	resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	u := decode(t, body)
	if resp.StatusCode != 200 || u.Status != "duplicate" || u.Municipality == nil || *u.Municipality != "weimarer-land" || !u.Accepted || u.ReceiptToken == "" {
		t.Fatalf("retry: %d %s, want 200 duplicate with the first's municipality and a receipt token", resp.StatusCode, body)
	}
	resp, body = e.do(t, "GET", "/api/v1/invoices/"+u.ID, u.ReceiptToken, "", nil)
	if s := decode(t, body); resp.StatusCode != 200 || s.Status != "routed" || s.ID != u.ID {
		t.Errorf("status with the retry's token: %d %s", resp.StatusCode, body)
	}
}

// faultStore fails the first write (Put or Create) of a key with the
// prefix and suffix, as a full disk does.
type faultStore struct {
	store.Store
	prefix, suffix string
	once           sync.Once
}

func (f *faultStore) fail(key string) error {
	fail := false
	if strings.HasPrefix(key, f.prefix) && strings.HasSuffix(key, f.suffix) {
		f.once.Do(func() { fail = true })
	}
	if fail {
		return fmt.Errorf("store: write %s: %w", key, store.ErrNoSpace)
	}
	return nil
}

func (f *faultStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := f.fail(key); err != nil {
		return err
	}
	return f.Store.Put(ctx, key, r, size)
}

func (f *faultStore) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	if err := f.fail(key); err != nil {
		return err
	}
	return f.Store.Create(ctx, key, r, size, opts)
}

func (f *faultStore) Sync(ctx context.Context) error { return store.Sync(ctx, f.Store) }

type problemBody struct {
	Code         string `json:"code"`
	Detail       string `json:"detail"`
	Kept         *bool  `json:"kept"`
	ID           string `json:"id"`
	ReceiptToken string `json:"receipt_token"`
}

// TestUploadStoreFailure fails the store on the way: before the invoice
// is kept, the answer is 503 "not accepted"; after, 503 with the id and a
// receipt token whose status is reachable, and sending again files it
// and answers its outcome.
func TestUploadStoreFailure(t *testing.T) {
	for _, c := range []struct {
		name, prefix, suffix string
		kept                 bool
	}{
		{"before keeping", "pending/", "", false},
		{"after keeping", "archive/", "/outcome.json", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := store.OpenFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			e := newEnvStore(t, &faultStore{Store: st, prefix: c.prefix, suffix: c.suffix}, 1<<20, 0)
			resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
			var pd problemBody
			json.Unmarshal(body, &pd)
			if resp.StatusCode != 503 || pd.Code != "store-unavailable" || resp.Header.Get("Retry-After") == "" || pd.Kept == nil || *pd.Kept != c.kept {
				t.Fatalf("upload: %d %s, want 503 store-unavailable with Retry-After and kept %v", resp.StatusCode, body, c.kept)
			}
			if c.kept {
				if pd.ID == "" || pd.ReceiptToken == "" {
					t.Fatalf("kept without id or token: %s", body)
				}
				resp, body := e.do(t, "GET", "/api/v1/invoices/"+pd.ID, pd.ReceiptToken, "", nil)
				if s := decode(t, body); resp.StatusCode != 200 || s.Status != "pending" {
					t.Errorf("status of the kept invoice: %d %s", resp.StatusCode, body)
				}
			}
			resp, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
			u := decode(t, body)
			if u.Municipality == nil || *u.Municipality != "weimarer-land" || (c.kept && (resp.StatusCode != 200 || u.ID != pd.ID)) || (!c.kept && resp.StatusCode != 201) {
				t.Fatalf("sent again: %d %s", resp.StatusCode, body)
			}
			resp, body = e.do(t, "GET", "/api/v1/inbox/"+u.ID, e.tokA, "", nil)
			if resp.StatusCode != 200 {
				t.Errorf("not in the inbox when the retry was answered: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestSmallerPoints: the clearing listing refuses a bad limit like the
// inbox, and the X-Sender-Email header is cut like the form field.
func TestSmallerPoints(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	for _, path := range []string{"/api/v1/clearing?limit=abc", "/api/v1/clearing?limit=0", "/api/v1/clearing?limit=5000"} {
		if resp, body := e.do(t, "GET", path, e.tokOps, "", nil); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s, want 400", path, resp.StatusCode, body)
		}
	}
	if resp, _ := e.do(t, "GET", "/api/v1/clearing?limit=5", e.tokOps, "", nil); resp.StatusCode != 200 {
		t.Errorf("clearing with a good limit: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/invoices", strings.NewReader(string(fixture(t))))
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("X-Sender-Email", strings.Repeat("a", 10000)+"@example.org")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	meta, err := e.pipe.Meta(context.Background(), decode(t, body).ID)
	if err != nil || len(meta.Sender) != 320 {
		t.Errorf("sender kept with %d bytes (%v), want 320", len(meta.Sender), err)
	}
}
