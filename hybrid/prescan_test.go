package hybrid

import "testing"

func TestHybridStreamFilters(t *testing.T) {
	tests := []struct {
		dict     string
		indirect bool
		rle      bool
	}{
		{"<< /Filter 12 0 R /Length 3 >>", true, false},
		{"<< /Filter\n7 0 R >>", true, false},
		{"<< /Filter /FlateDecode /Length 12 0 R >>", false, false},
		{"<< /FilterX 2 /Filter /RL >>", false, true},
		{"<< /Filter [/RunLengthDecode] >>", false, true},
		{"<< /Filter /RLX >>", false, false},
		{"<< /Length 2 >>", false, false},
	}
	for _, tt := range tests {
		if got := indirectFilter([]byte(tt.dict)); got != tt.indirect {
			t.Errorf("indirectFilter(%q) = %v, want %v", tt.dict, got, tt.indirect)
		}
		if got := hasName([]byte(tt.dict), "RunLengthDecode", "RL"); got != tt.rle {
			t.Errorf("hasName(%q, RunLength) = %v, want %v", tt.dict, got, tt.rle)
		}
	}
}
