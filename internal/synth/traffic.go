package synth

import (
	"math"
	"math/rand"
	"time"
)

// diurnal is the expected number of requests per minute at t: a sinusoid
// with its peak at 12:00 UTC and its trough at 00:00 UTC, so "peak" and
// "night" incidents can be placed by the clock.
func diurnal(base, amplitude float64, t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return base * (1 + amplitude*math.Sin(2*math.Pi*(h-6)/24))
}

// requests draws an integer request count around the expected rate; a
// normal approximation of Poisson noise is plenty for test traffic.
func requests(rng *rand.Rand, rate float64) int64 {
	if rate <= 0 {
		return 0
	}
	n := math.Round(rate + rng.NormFloat64()*math.Sqrt(rate))
	if n < 0 {
		return 0
	}
	return int64(n)
}

// binomial draws how many of n requests fail with probability p, by walking
// the CDF: about n·p+1 steps, exact, and deterministic for a seeded rng.
func binomial(rng *rand.Rand, n int64, p float64) int64 {
	switch {
	case n <= 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	if p > 0.5 {
		return n - binomial(rng, n, 1-p)
	}
	u := rng.Float64()
	q := 1 - p
	pmf := math.Pow(q, float64(n))
	if pmf == 0 {
		// Too many requests for the walk to start; the mean is exact enough
		// for traffic this large and the count stays an integer.
		return int64(math.Round(float64(n) * p))
	}
	cdf := pmf
	var k int64
	for u > cdf && k < n {
		pmf *= float64(n-k) / float64(k+1) * p / q
		k++
		cdf += pmf
	}
	return k
}

// multinomial splits n events over categories with the given probabilities
// (summing to at most 1; the rest goes to the last category).
func multinomial(rng *rand.Rand, n int64, probs []float64) []int64 {
	out := make([]int64, len(probs))
	left, mass := n, 1.0
	for i, p := range probs {
		if i == len(probs)-1 {
			out[i] = left
			break
		}
		k := int64(0)
		if mass > 0 {
			k = binomial(rng, left, math.Min(1, p/mass))
		}
		out[i] = k
		left -= k
		mass -= p
	}
	return out
}
