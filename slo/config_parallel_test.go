package slo

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

// Decoding a big file on several CPUs gives the SLOs and the errors, in the
// same order, that one goroutine gives.
func TestParallelDecodeEqualsSequential(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("slos:\n  - &dup\n    name: dup\n    service: s\n    sli: {events: {errors: e, total: t}}\n")
	for i := 0; i < 3000; i++ {
		extra := ""
		switch i % 97 {
		case 5:
			extra = "    colour: blue\n"
		case 11:
			extra = "    objective: 1e309\n"
		case 13:
			extra = "    window: 400d\n"
		}
		fmt.Fprintf(&b, "  - name: slo-%d\n    service: svc\n%s    sli:\n      events:\n        errors: x{code=~\"5..\",i=\"%d\"}\n        total: x{i=\"%d\"}\n", i, extra, i, i)
	}
	b.WriteString("  - *dup\n")
	data := b.Bytes()

	parse := func(min int) (*Config, error) {
		saved := parallelDecodeMin
		parallelDecodeMin = min
		defer func() { parallelDecodeMin = saved }()
		return Parse("big.yml", data)
	}
	seqCfg, seqErr := parse(1 << 30)
	parCfg, parErr := parse(100)
	if seqErr == nil {
		t.Fatal("the file's errors were not found")
	}
	if parErr == nil || parErr.Error() != seqErr.Error() {
		t.Fatalf("errors differ:\nsequential %v\nparallel   %v", seqErr, parErr)
	}
	if !reflect.DeepEqual(seqCfg, parCfg) {
		t.Fatal("configs differ")
	}
	if n := bytes.Count([]byte(seqErr.Error()), []byte("\n")); n < 3*30 {
		t.Fatalf("only %d error lines: the test file should have over 90", n)
	}
}
