package statuspage

// legendItem explains one colour or mark of the page. Key is the class the
// page uses for it ("tone-ok", "b-alert", "st-fresh"); a test checks that
// every such class on the page has an item here.
type legendItem struct {
	Key, Sample, Text string
	// Class draws the sample as the page draws the real thing.
	Class string
}

// legend lists every colour and mark, in the order the eye meets them.
var legend = []legendItem{
	{"tone-ok", "healthy", "the policy's first state: budget healthy, feature work as planned", "badge tone-ok"},
	{"tone-warn", "caution", "the policy's second state: budget low", "badge tone-warn"},
	{"tone-bad", "at-risk", "a later state, before the last", "badge tone-bad"},
	{"tone-crit", "frozen", "the last state, a freeze, or the budget spent", "badge tone-crit"},
	{"tone-none", "—", "no numbers: no data, not evaluated yet, or never evaluated successfully; never a decision", "badge tone-none"},
	{"freeze", "FREEZE", "the policy freezes feature releases", "freeze"},
	{"provisional", "PROVISIONAL", "decided on data for less than half the SLO window", "provisional"},
	{"b-ok", "0.42", "burn rate: the budget lasts longer than the window", "b b-ok"},
	{"b-warn", "1.50", "burn rate above 1: the budget runs out before the window ends", "b b-warn"},
	{"b-alert", "15.00", "burn rate above an alert's factor: that half of the alert condition holds", "b b-alert"},
	{"b-none", "no traffic", "no events in that window: no burn rate", "b b-none"},
	{"page", "PAGE", "a page-severity burn alert holds: on-call acts now", "flag page"},
	{"ticket", "TICKET", "a ticket-severity burn alert holds: act within days", "flag ticket"},
	{"st-fresh", "FRESH", "numbers from the latest evaluation: the data is current, not that the SLO is healthy", "st st-fresh"},
	{"st-stale", "STALE", "the latest evaluation failed or is overdue: older numbers shown", "st st-stale"},
	{"st-nodata", "NO DATA", "Prometheus answered, but the SLI's series do not exist", "st st-nodata"},
	{"st-failed", "FAILED", "never evaluated successfully: no numbers", "st st-failed"},
	{"st-waiting", "WAITING", "the first evaluation has not finished", "st st-waiting"},
}
