package synth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// WriteOpenMetrics writes every series in the form promtool's backfill
// needs: timestamps in seconds (milliseconds would land in the year 58,000),
// each metric family in one contiguous block, each series' samples in time
// order (promtool silently drops out-of-order ones), "# EOF" last.
// Within a family samples are interleaved by time, so a histogram's buckets,
// _count and _sum of one instant stay together as OpenMetrics expects.
func (d *Data) WriteOpenMetrics(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var families []string
	byFamily := map[string][]*Series{}
	for _, s := range d.AllSeries() {
		if _, ok := byFamily[s.Family]; !ok {
			families = append(families, s.Family)
		}
		byFamily[s.Family] = append(byFamily[s.Family], s)
	}
	n := d.samples()
	var line []byte
	for _, fam := range families {
		series := byFamily[fam]
		typ := "counter"
		if series[0].Metric != fam+"_total" {
			typ = "histogram"
		}
		bw.WriteString("# TYPE " + fam + " " + typ + "\n")
		prefixes := make([][]byte, len(series))
		values := make([]int64, len(series))
		for j, s := range series {
			prefixes[j] = []byte(s.Selector() + " ")
			values[j] = s.baseline
		}
		for i := 0; i < n; i++ {
			ts := d.Start.Add(time.Duration(i) * time.Minute).Unix()
			for j, s := range series {
				if i > s.last {
					continue
				}
				// Same arithmetic as Series.samples, kept inline because
				// this loop writes a million lines.
				if i > 0 {
					if s.resetAfter[i-1] {
						values[j] = 0
					}
					values[j] += s.events[i]
				}
				if s.missing[i] {
					continue
				}
				line = append(line[:0], prefixes[j]...)
				if s.scale != 0 {
					line = strconv.AppendFloat(line, float64(values[j])*s.scale, 'g', -1, 64)
				} else {
					line = strconv.AppendInt(line, values[j], 10)
				}
				line = append(line, ' ')
				line = strconv.AppendInt(line, ts, 10)
				line = append(line, '\n')
				if _, err := bw.Write(line); err != nil {
					return err
				}
			}
		}
	}
	if err := d.writeGauges(bw); err != nil {
		return err
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

// writeGauges writes the gauge families after the counters, each family's
// samples merged in time order.
func (d *Data) writeGauges(w io.Writer) error {
	var families []string
	byFamily := map[string][]*Gauge{}
	for _, g := range d.AllGauges() {
		if _, ok := byFamily[g.Metric]; !ok {
			families = append(families, g.Metric)
		}
		byFamily[g.Metric] = append(byFamily[g.Metric], g)
	}
	var line []byte
	for _, fam := range families {
		if _, err := io.WriteString(w, "# TYPE "+fam+" gauge\n"); err != nil {
			return err
		}
		gauges := byFamily[fam]
		next := make([]int, len(gauges))
		for {
			// The gauge whose next sample is earliest; ties in gauge order.
			j := -1
			for k, g := range gauges {
				if next[k] < len(g.points) && (j < 0 || g.points[next[k]].t.Before(gauges[j].points[next[j]].t)) {
					j = k
				}
			}
			if j < 0 {
				break
			}
			p := gauges[j].points[next[j]]
			next[j]++
			if p.t.Nanosecond() != 0 {
				return fmt.Errorf("synth: gauge %s has a sample at %s, off the whole second", gauges[j].Selector(), p.t)
			}
			line = append(line[:0], gauges[j].Selector()...)
			line = append(line, ' ')
			line = strconv.AppendFloat(line, p.v, 'g', -1, 64)
			line = append(line, ' ')
			line = strconv.AppendInt(line, p.t.Unix(), 10)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteOpenMetricsFile writes the data to path.
func (d *Data) WriteOpenMetricsFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := d.WriteOpenMetrics(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
