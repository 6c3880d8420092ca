package slo

import (
	"encoding/json"
	"math"
)

// UnmarshalJSON reads what MarshalJSON writes: a null exhaustionSeconds is
// an exhaustion that never comes (+Inf), so a forecast read back from the
// API (slobudget gate --slobudget.url) says what the daemon's said.
func (f *Forecast) UnmarshalJSON(b []byte) error {
	type plain Forecast // no methods: no recursion
	aux := struct {
		*plain
		ExhaustionSeconds *float64 `json:"exhaustionSeconds"`
	}{plain: (*plain)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.ExhaustionSeconds = math.Inf(1)
	if aux.ExhaustionSeconds != nil {
		f.ExhaustionSeconds = *aux.ExhaustionSeconds
	}
	return nil
}
