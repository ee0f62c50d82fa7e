package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
)

// BenchmarkValidateCorpusCLI runs the command a KoSIT user would run over
// the conformance corpus, as a whole process per op (start, every
// document on all cores, the JSON findings to a discarded output), and
// reports seconds per run and documents per second:
//
//	EINGANG_SHARED=../shared go test -run '^$' -bench ValidateCorpusCLI -benchtime 10x ./cmd/eingang
func BenchmarkValidateCorpusCLI(b *testing.B) {
	dir := filepath.Join(testenv.SharedDir(), "conformance")
	files, _, err := collect([]string{dir}) // the files the command validates
	if err != nil {
		b.Skipf("no documents in %s (EINGANG_SHARED): %v", dir, err)
	}
	bin := buildBinary(b)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		cmd := exec.Command(bin, "validate", "--format", "json", "--all-rules", dir)
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: some rejected
				b.Fatal(err)
			}
		}
	}
	per := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(per, "s/run")
	b.ReportMetric(float64(len(files))/per, "docs/s")
}
