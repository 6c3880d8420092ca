package rules

import "strconv"

// num prints a float the shortest way that parses back to the same float.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
