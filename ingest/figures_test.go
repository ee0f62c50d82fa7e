package ingest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/eingang/eingang/store"
)

// TestFigures checks that the operators' figures one gateway counted are
// what another reads, and that filing an invoice of a past day late (a
// recovery) drops that day's kept count, so that the week counts it.
func TestFigures(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The late invoice below is of yesterday, which must be in this week:
	// on a Monday the gateways' clocks run a day ahead.
	var shift time.Duration
	if time.Now().Weekday() == time.Monday {
		shift = 24 * time.Hour
	}
	gw := gateways(t, s, shift, "a", "b")
	a, b := gw[0], gw[1]
	for _, n := range []string{"F-1", "F-2"} {
		if _, err := a.Submit(ctx, Submission{Data: numbered(t, n), Channel: "upload"}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().Add(shift)
	fa, err := a.Figures(ctx, now, 0) // counted now
	if err != nil {
		t.Fatal(err)
	}
	fb, err := b.Figures(ctx, now.Add(time.Second), time.Minute) // read as a counted them
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fa.Submissions, fb.Submissions) || !fa.At.Equal(fb.At) || len(fa.Submissions) != 1 || fa.Submissions[0].Week != 2 {
		t.Fatalf("figures of a %+v and of b %+v, want the same two routed this week", fa, fb)
	}

	// An invoice received yesterday, kept by a gateway that died, is filed
	// today by recovery: yesterday's kept count must not hide it.
	yesterday := now.AddDate(0, 0, -1)
	data := numbered(t, "F-LATE")
	late := metaOf(t, newID(yesterday, 7), data)
	if _, err := a.keep(ctx, late, data, nil); err != nil {
		t.Fatal(err)
	}
	week := func() int {
		st, err := b.Stats(ctx, time.Now().Add(shift))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range st.Submissions {
			n += c.Week
		}
		return n
	}
	if n := week(); n != 2 {
		t.Fatalf("week before the late filing: %d, want 2", n)
	}
	if _, err := s.Stat(ctx, dayFiguresKey(yesterday.Format(time.DateOnly))); err != nil {
		t.Fatalf("yesterday's count was not kept: %v", err)
	}
	restarted := gateways(t, s, shift, "a")[0]
	if n, err := restarted.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recover: %d %v", n, err)
	}
	if n := week(); n != 3 {
		t.Errorf("week after the late filing: %d, want 3", n)
	}
}
