package review

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// count spells an event count with thousands separators: "1,234,567".
func count(v float64) string { return printer.Sprintf("%d", int64(math.Round(v))) }

// pct spells a ratio as a percent with the given decimals: 0.47 → "47%".
func pct(ratio float64, decimals int) string {
	s := strconv.FormatFloat(ratio*100, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s + "%"
}

// objText spells an objective in percent as written: "99.9%".
func objText(percent float64) string {
	return strconv.FormatFloat(math.Round(percent*1e6)/1e6, 'f', -1, 64) + "%"
}

// sliText spells an SLI with two decimals more than its objective has,
// rounded down so that a month just under the objective never prints as
// meeting it: 99.9% → "99.953%", and 0.9989996 → "99.899%", not "99.900%".
func sliText(sli, objectivePercent float64) string {
	d := objectiveDecimals(objectivePercent) + 2
	scale := math.Pow(10, float64(d+2))
	// The 1e-9 keeps 0.9995 (stored as 0.99949999...) at 99.950%.
	return pct(math.Floor(sli*scale+1e-9)/scale, d)
}

func objectiveDecimals(percent float64) int {
	s := strconv.FormatFloat(math.Round(percent*1e6)/1e6, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
