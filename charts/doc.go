// Package charts draws slobudget's pictures as inline SVG from Go templates:
// no JavaScript, no outside assets, no CSS needed (colours are presentation
// attributes), so a chart renders the same on the status page, in the review's
// HTML, printed, or saved on its own.
//
// Every chart carries its data in a parseable form next to the drawing, for
// browser tests that compare it with the JSON API:
//
//	<svg data-chart="budget" ...>
//	  <polyline data-series="remaining" data-points="UNIX:VALUE UNIX:VALUE ..."/>
//	  <line data-line="threshold" data-name="caution" data-value="0.25"/>
//	  <rect data-span="page" data-start="UNIX" data-end="UNIX"/>
//	  <g data-mark="incident" data-at="UNIX" data-label="..."/>
//	  <rect data-bar="2024-03" data-value="0.9993" data-met="true"/>
//
// Times are Unix seconds and values are written with the shortest decimal
// that reads back as the same float64 (strconv 'g', -1), so equality is exact.
// Each chart has a <title> and a <desc> that says in words what it shows,
// referenced by aria-labelledby, for screen readers.
package charts
