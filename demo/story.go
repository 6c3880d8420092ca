package demo

// Story is what each demo SLO shows, in the order the demo's config lists
// them, for the start-up message. traffic.go makes it true; demo_test.go
// checks it.
var Story = []struct{ SLO, Shows string }{
	{"api-availability", "99.9% of API requests without a 5xx. An incident began 50 minutes ago and is still burning the budget at about 40x: it pages."},
	{"api-latency", "99% of API requests within 500 ms (p99 < 500 ms). Healthy."},
	{"batch-job-success", "99.5% of batch runs succeed. A bad night ten days ago overspent the month's budget: feature work is frozen."},
	{"pipeline-freshness", "99% of minutes with the pipeline less than 15 minutes behind (time slices). Three stalls this month: caution."},
	{"data-quality", "99.95% of records pass validation. Healthy."},
}
