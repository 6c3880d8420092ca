//go:build slicelabels || dedupelabels

package backend

// labelsNewCopies: these label layouts keep (or intern) the strings given
// to labels.New, so the parser copies them out of the read buffer first.
const labelsNewCopies = false
