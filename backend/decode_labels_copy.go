//go:build !slicelabels && !dedupelabels

package backend

// labelsNewCopies: with Prometheus's default label layout (stringlabels),
// labels.New copies names and values into the Labels' own buffer, so the
// parser may hand it strings that point into the read buffer.
const labelsNewCopies = true
