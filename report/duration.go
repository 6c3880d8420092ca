package report

import (
	"math"
	"strconv"
	"time"
)

const day = 24 * time.Hour

// units from largest to smallest; days are the largest because windows and
// budgets are spoken of in days ("28d"), and weeks or months would be ambiguous.
var units = []struct {
	size time.Duration
	name string
}{
	{day, "d"},
	{time.Hour, "h"},
	{time.Minute, "m"},
	{time.Second, "s"},
}

// HumanDuration spells a duration for people, in at most its two largest
// units, rounded to the smaller one: "43m 12s", "3d 4h", "1h", "-5m 3s".
// Below a second it counts milliseconds ("250ms"), and a positive duration
// under half a millisecond is "<1ms" rather than a misleading "0s".
func HumanDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < 0:
		if d == math.MinInt64 { // its negation overflows
			d++
		}
		return "-" + HumanDuration(-d)
	case d < time.Second:
		ms := d.Round(time.Millisecond)
		if ms == 0 {
			return "<1ms"
		}
		if ms < time.Second {
			return strconv.FormatInt(int64(ms/time.Millisecond), 10) + "ms"
		}
		d = ms
	}
	// Rounding to the smaller unit can carry into a larger one (59m 59.7s is
	// 1h 0m), which changes which two units apply: round again until stable.
	d = d.Round(time.Second)
	for {
		i := largestUnit(d)
		r := d
		if i+1 < len(units) {
			r = d.Round(units[i+1].size)
		}
		if largestUnit(r) == i {
			d = r
			break
		}
		d = r
	}
	i := largestUnit(d)
	big := d / units[i].size
	out := strconv.FormatInt(int64(big), 10) + units[i].name
	if i+1 < len(units) {
		if small := (d - big*units[i].size) / units[i+1].size; small != 0 {
			out += " " + strconv.FormatInt(int64(small), 10) + units[i+1].name
		}
	}
	return out
}

func largestUnit(d time.Duration) int {
	for i, u := range units {
		if d >= u.size {
			return i
		}
	}
	return len(units) - 1
}

// maxHumanSeconds bounds what HumanSeconds spells exactly: a century is past
// any budget or forecast anyone acts on, and well inside time.Duration's range.
const maxHumanSeconds = 100 * 365 * 24 * 3600

// HumanSeconds is HumanDuration for a float number of seconds, as the API and
// metrics carry them. Beyond a century it says "over 100 years" instead of
// overflowing time.Duration; NaN is "unknown".
func HumanSeconds(s float64) string {
	switch {
	case math.IsNaN(s):
		return "unknown"
	case s > maxHumanSeconds:
		return "over 100 years"
	case s < -maxHumanSeconds:
		return "-over 100 years"
	}
	return HumanDuration(time.Duration(math.Round(s * float64(time.Second))))
}
