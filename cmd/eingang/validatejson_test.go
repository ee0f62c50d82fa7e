package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
)

// jsonReport is the line --format json writes, as encoding/json writes
// it: appendReport must write the same bytes.
type jsonReport struct {
	File         string            `json:"file"`
	Accepted     bool              `json:"accepted"`
	RejectReason *string           `json:"reject_reason"`
	Scenario     *string           `json:"scenario"`
	DocType      string            `json:"doc_type"`
	Release      string            `json:"release"`
	Findings     []invoice.Finding `json:"findings"`
}

func marshalReport(t *testing.T, file string, r *invoice.Report) []byte {
	t.Helper()
	jr := jsonReport{File: file, Accepted: r.Accepted, DocType: r.DocType, Release: r.Release, Findings: r.Findings}
	if jr.Findings == nil {
		jr.Findings = []invoice.Finding{}
	}
	if r.RejectReason != "" {
		jr.RejectReason = &r.RejectReason
	}
	if r.Scenario != "" {
		jr.Scenario = &r.Scenario
	}
	b, err := json.Marshal(jr)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestAppendReport: the line appendReport writes equals encoding/json's
// for every document of both test sets under every release, with all
// rules, and for reports made to hold what needs escaping.
func TestAppendReport(t *testing.T) {
	odd := "a\"b\\c<d>e&f\x00\x01\x1f\x7f\b\f\n\r\t\u2028\u2029\xff\xc3(é€😀\xed\xa0\x80"
	reports := []*invoice.Report{
		{},
		{Accepted: true, DocType: "ubl-invoice", Release: odd, Scenario: odd},
		{RejectReason: odd, Findings: []invoice.Finding{
			{Rule: odd, Level: invoice.LevelError, Location: odd, Message: odd},
			{Rule: "BR-CO-10", Level: invoice.LevelWarning, Line: 7, Column: -3, MessageDE: odd, Counted: true,
				Evidence: &invoice.Evidence{Actual: odd, Calculation: "1 + 2 = 3", Fields: []invoice.Field{
					{Path: odd, Value: ""}, {BT: "BT-106", Path: "/x", Value: odd, Line: 1 << 40}}}},
			{Rule: "X", Evidence: &invoice.Evidence{Expected: "one of <a> & <b>"}},
			{Rule: "Y", Evidence: &invoice.Evidence{Fields: []invoice.Field{}}},
		}},
	}
	for i, r := range reports {
		if got, want := appendReport(nil, odd, r), marshalReport(t, odd, r); !bytes.Equal(got, want) {
			t.Errorf("report %d:\n got %s\nwant %s", i, got, want)
		}
	}
	for b := range 256 { // every byte alone, and at every place of two words
		s := string([]byte{byte(b)})
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("byte %#x: got %s, want %s", b, got, want)
		}
		for at := range 17 {
			s := []byte("abcdefghijklmnopq")
			s[at] = byte(b)
			want, _ := json.Marshal(string(s))
			if got := appendString(nil, string(s)); !bytes.Equal(got, want) {
				t.Errorf("byte %#x at %d: got %s, want %s", b, at, got, want)
			}
		}
	}

	v := invoice.NewValidator()
	n := 0
	for _, set := range []string{"conformance", "edge"} {
		files, _, err := collect([]string{filepath.Join(testenv.SharedDir(), set)})
		if err != nil {
			t.Fatalf("%s (EINGANG_SHARED): %v", set, err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, rel := range invoice.Releases() {
				r, err := v.Validate(context.Background(), data, invoice.Options{AllRules: true, Release: rel.Name})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := appendReport(nil, file, r), marshalReport(t, file, r); !bytes.Equal(got, want) {
					t.Fatalf("%s under %s:\n got %s\nwant %s", file, rel.Name, got, want)
				}
				n++
			}
		}
	}
	t.Logf("%d reports written as encoding/json writes them", n)
}
