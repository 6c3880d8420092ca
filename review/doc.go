// Package review computes the quarterly SLO review (issue 8, math.md
// "Review") from per-SLO history buckets and renders it as a table, Markdown,
// JSON or a printable HTML page with charts.
//
// It is pure: the review command fills an Input from the history reader (or
// tests from synthetic data) and calls Compute, then Write. Every figure is
// computed from event counts, never from averaged ratios:
//
//   - achieved SLI over the period and per calendar month of the review's
//     time zone (months are (local midnight of the 1st, next 1st]), met when
//     SLI ≥ objective, budget spent as a share of that month's own budget;
//   - time in each policy state, found by replaying the SLO window's
//     remaining budget at the end of every hourly bucket of the period, and
//     frozen days (local calendar days on which the freeze held at any hour);
//   - pages and tickets the multiwindow burn conditions would have raised,
//     replayed at every 5-minute step (rising edges), per week;
//   - incidents and postmortems (slo.DetectIncidents over the 5m buckets);
//   - the objective the history supports and a verdict: tighten, loosen,
//     keep, or none when no full month has traffic;
//   - a portfolio: the share of SLOs meeting their objective each month,
//     the worst burners and the total freeze days;
//   - what-if: the same counts under another objective or window.
package review
