package slo

import (
	"fmt"
	"strings"
	"testing"
)

func TestSelectSLOs(t *testing.T) {
	c := &Config{Policies: []Policy{DefaultPolicy()}, SLOs: []SLO{{Name: "c"}, {Name: "a"}, {Name: "b"}},
		Exclusions: []Exclusion{{All: true, Reason: "migration", ApprovedBy: "vp"}}}
	got, err := c.SelectSLOs([]string{"b", "c", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.SLOs) != 2 || got.SLOs[0].Name != "c" || got.SLOs[1].Name != "b" || len(got.Policies) != 1 || len(got.Exclusions) != 1 {
		t.Errorf("selected %+v: want c then b (config order) with the policies and exclusions", got)
	}
	if all, _ := c.SelectSLOs(nil); len(all.SLOs) != 3 {
		t.Error("no names must select every SLO")
	}
	if len(c.SLOs) != 3 {
		t.Error("SelectSLOs changed the config it was given")
	}
	_, err = c.SelectSLOs([]string{"a", "nope", "zzz"})
	if err == nil || err.Error() != `--slo: no SLO named "nope", "zzz" in the config (defined: a, b, c)` {
		t.Errorf("error = %v", err)
	}

	big := &Config{}
	for i := range 30 {
		big.SLOs = append(big.SLOs, SLO{Name: fmt.Sprintf("slo-%02d", i)})
	}
	_, err = big.SelectSLOs([]string{"x"})
	if err == nil || !strings.HasSuffix(err.Error(), "slo-11 and 18 more)") {
		t.Errorf("error for a big config = %v", err)
	}
}
