package counting

import "testing"

// TestStreamSumsAcrossHours checks the store's protocol: open hours sum by
// bucket, complete hours by total, and a window edge in a complete hour
// without buckets asks for that hour, then sums exactly once supplied.
func TestStreamSumsAcrossHours(t *testing.T) {
	const res = 60_000
	base := int64(1000) * HourMs
	s := NewStream(res)
	// One event per minute over five hours, 2 per minute in the third.
	for m := int64(1); m <= 300; m++ {
		v := 1.0
		if m > 120 && m <= 180 {
			v = 2
		}
		s.Add(base+m*60_000-17_000, v) // revealed 17 s before each minute's end
	}
	if got, _, ok := s.Sum(base, base+5*HourMs); !ok || got != 360 {
		t.Fatalf("whole span: %v (ok %v), want 360", got, ok)
	}
	if got, _, ok := s.Sum(base+150*60_000, base+200*60_000); !ok || got != 30*2+20 {
		t.Fatalf("open hours: %v (ok %v), want 80", got, ok)
	}
	// Seal the first four hours, keeping only the buckets of hour 2.
	s.Fold(base+4*HourMs, map[int64]bool{base + 2*HourMs: true}, base)
	if got, _, ok := s.Sum(base+90*60_000, base+5*HourMs); !ok || got != 30+120+60+60 {
		t.Fatalf("edge in a kept hour: %v (ok %v), want 270", got, ok)
	}
	_, missing, ok := s.Sum(base+150*60_000, base+5*HourMs)
	if ok || missing != base+3*HourMs {
		t.Fatalf("edge in a folded hour: ok %v, missing %d, want hour %d", ok, missing, base+3*HourMs)
	}
	var buckets []Bucket
	for m := int64(121); m <= 180; m++ {
		buckets = append(buckets, Bucket{End: base + m*60_000, V: 2})
	}
	s.SetDetail(base+3*HourMs, buckets)
	if got, _, ok := s.Sum(base+150*60_000, base+5*HourMs); !ok || got != 30*2+60+60 {
		t.Fatalf("edge after SetDetail: %v (ok %v), want 180", got, ok)
	}
	// Late events in a sealed hour are dropped; in an open one they count.
	s.Add(base+HourMs+5, 100)
	s.Add(base+4*HourMs+5, 1)
	if got, _, ok := s.Sum(base, base+5*HourMs); !ok || got != 361 {
		t.Fatalf("after late events: %v, want 361", got)
	}
	// Dropping old hours forgets them; an empty complete hour needs nothing.
	s.Fold(base+4*HourMs, nil, base+HourMs)
	if got, _, ok := s.Sum(base, base+2*HourMs); !ok || got != 60 {
		t.Fatalf("after dropping the first hour: %v (ok %v), want 60", got, ok)
	}
	if got, _, ok := s.Sum(base-10*HourMs+60_000, base-5*HourMs+60_000); !ok || got != 0 {
		t.Fatalf("hours without events: %v (ok %v), want 0 without reading anything", got, ok)
	}
}
