package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"

	"github.com/slobudget/slobudget/slo"
)

// Options change what Generate names things.
type Options struct {
	// UIDPrefix starts every dashboard uid; default "slobudget". Give each
	// config its own prefix when several slobudget installations share one
	// Grafana, so their dashboards do not replace each other.
	UIDPrefix string
	// TitlePrefix is put before every dashboard title, e.g. "Payments: ".
	TitlePrefix string
}

// File is one generated dashboard.
type File struct {
	// Name is the file name: the uid with ".json".
	Name string
	UID  string
	// JSON is the indented dashboard JSON, ending in a newline.
	JSON []byte
}

// Generate returns the overview and detail dashboards for cfg, in that
// order. The output depends only on cfg and o, so it can be checked in and
// compared.
func Generate(cfg *slo.Config, o Options) ([]File, error) {
	if cfg == nil || len(cfg.SLOs) == 0 {
		return nil, fmt.Errorf("dashboards: the config defines no SLOs")
	}
	if o.UIDPrefix == "" {
		o.UIDPrefix = "slobudget"
	}
	if !uidChars.MatchString(o.UIDPrefix) {
		return nil, fmt.Errorf("dashboards: uid prefix %q: use only letters, digits, '-' and '_'", o.UIDPrefix)
	}
	det := detail(o, cfg)
	boards := []Dashboard{overview(o, cfg, det.UID), det}
	files := make([]File, 0, len(boards))
	for _, d := range boards {
		b, err := marshal(d)
		if err != nil {
			return nil, fmt.Errorf("dashboards: %s: %w", d.Title, err)
		}
		files = append(files, File{Name: d.UID + ".json", UID: d.UID, JSON: b})
	}
	return files, nil
}

// WriteDir writes files into dir, creating it if needed.
func WriteDir(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dashboards: %w", err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.JSON, 0o644); err != nil {
			return fmt.Errorf("dashboards: %w", err)
		}
	}
	return nil
}

// marshal writes JSON without HTML escaping: queries contain < and >, and
// "\u003c" in a checked-in dashboard would only make it harder to read.
func marshal(d Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MaxUIDLength is Grafana's limit on dashboard uids.
const MaxUIDLength = 40

var uidChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// makeUID derives a dashboard uid from the prefix and the dashboard's kind.
// It does not depend on the SLOs, so links and bookmarks survive config
// changes. A uid that would exceed Grafana's limit keeps its start and ends
// in a hash of the whole, which keeps it unique and stable.
func makeUID(prefix, kind string) string {
	uid := prefix + "-" + kind
	if len(uid) <= MaxUIDLength {
		return uid
	}
	h := fnv.New32a()
	h.Write([]byte(uid))
	sum := fmt.Sprintf("%08x", h.Sum32())
	return uid[:MaxUIDLength-len(sum)-1] + "-" + sum
}
