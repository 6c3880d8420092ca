package slo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// peerCases are the peer-format inputs under testdata/peer and the files
// each is read with (an OpenSLO SLO may refer to an SLI in another file).
var peerCases = map[string][]string{
	"sloth":           {"sloth.yml"},
	"sloth-crd":       {"sloth-crd.yml"},
	"pyrra":           {"pyrra.yml"},
	"openslo-v1":      {"openslo-v1.yml", "openslo-v1-sli.yml"},
	"openslo-v1alpha": {"openslo-v1alpha.yml"},
}

// TestGoldenConversions converts each peer input to the native format and
// compares with testdata/peer/NAME.golden (`-update` rewrites them; review
// the diff). Then it reads the output back: the SLOs must be the same.
func TestGoldenConversions(t *testing.T) {
	for name, inputs := range peerCases {
		t.Run(name, func(t *testing.T) {
			var paths []string
			for _, in := range inputs {
				paths = append(paths, filepath.Join("testdata", "peer", in))
			}
			cfg, err := LoadFiles(paths...)
			if err != nil {
				t.Fatal(err)
			}
			out, err := EncodeNative(cfg)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "peer", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(golden); err != nil || string(want) != string(out) {
				t.Errorf("convert output differs from %s (run with -update if intended):\n%s", golden, out)
			}
			back, err := Parse("converted.yml", out)
			if err != nil {
				t.Fatalf("the converted config does not load:\n%v\n%s", err, out)
			}
			if got, want := comparable(back.SLOs), comparable(cfg.SLOs); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the SLOs:\n got  %+v\n want %+v", got, want)
			}
			for _, s := range cfg.SLOs {
				if s.Origin == nil || !strings.Contains(string(out), "# from "+s.Origin.Format) {
					t.Errorf("SLO %s: no origin comment", s.Name)
				}
			}
		})
	}
}

// comparable drops where an SLO was read from, the one thing a conversion
// changes.
func comparable(slos []SLO) []SLO {
	out := make([]SLO, len(slos))
	for i, s := range slos {
		s.File, s.Line, s.Origin = "", 0, nil
		out[i] = s
	}
	return out
}
