package slo

import (
	"runtime"
	"sync"

	"gopkg.in/yaml.v3"
)

// parallelDecodeMin is the number of SLOs from which decodeSLOs spreads the
// work over the CPUs; below it one goroutine is faster.
var parallelDecodeMin = 512

// decodeSLOs decodes the entries of `slos:` in order, each with its own
// error list, so that a huge file is decoded on every CPU (decoding an SLO
// validates its selectors with the PromQL parser, most of a big file's
// check). Results and errors come out in the entries' order, as one
// goroutine would give them. Decoding only reads the yaml nodes, so an entry
// repeated through an alias is safe to decode twice at once.
func decodeSLOs(top reporter, nodes []*yaml.Node) []sloDraft {
	type decoded struct {
		draft sloDraft
		ok    bool
		errs  []ConfigError
	}
	out := make([]decoded, len(nodes))
	decodeOne := func(i int) {
		d := &out[i]
		d.draft, d.ok = decodeSLO(reporter{file: top.file, errs: &d.errs}, nodes[i], i)
	}
	workers := min(runtime.GOMAXPROCS(0), len(nodes)/parallelDecodeMin+1)
	if workers <= 1 {
		for i := range nodes {
			decodeOne(i)
		}
	} else {
		var wg sync.WaitGroup
		chunk := (len(nodes) + workers - 1) / workers
		for lo := 0; lo < len(nodes); lo += chunk {
			hi := min(lo+chunk, len(nodes))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					decodeOne(i)
				}
			}()
		}
		wg.Wait()
	}
	var drafts []sloDraft
	if len(out) > 0 {
		drafts = make([]sloDraft, 0, len(out))
	}
	for _, d := range out {
		*top.errs = append(*top.errs, d.errs...)
		if d.ok {
			drafts = append(drafts, d.draft)
		}
	}
	return drafts
}
