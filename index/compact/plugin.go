package compact

import (
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	zap "github.com/blevesearch/zapx/v16"
)

// Type and Version name this segment format in scorch's registry and in
// every index's root file (bleve records them per index snapshot).
const (
	Type    = "govsearch-compact"
	Version = uint32(2)
)

// Field configures one compact field.
type Field struct {
	Name string
	// Positions keeps every token's position, for phrase queries; the
	// documents must then bring term vectors for the field. Without it
	// the field keeps documents and frequencies only, and documents must
	// not bring term vectors.
	Positions bool
}

// Config lists the fields a plugin indexes in its compact section. It
// matters to New only: a segment records its compact fields, so Open and
// Merge read any segment of this Type and Version whatever the Config.
type Config struct {
	Fields []Field
}

func (c Config) validate() error {
	seen := map[string]bool{}
	for _, f := range c.Fields {
		switch {
		case f.Name == "":
			return fmt.Errorf("compact: a field without a name")
		case f.Name == "_id" || f.Name == "_all":
			return fmt.Errorf("compact: field %q is bleve's own and cannot be compact", f.Name)
		case seen[f.Name]:
			return fmt.Errorf("compact: field %q listed twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// Plugin implements scorch.SegmentPlugin: zap v16 for every field but
// the compact ones, and a compact section for those.
type Plugin struct {
	cfg    Config
	fields map[string]Field
	zap    zap.ZapPlugin
}

var _ scorch.SegmentPlugin = (*Plugin)(nil)

// NewPlugin returns a plugin that indexes the fields of cfg compactly.
func NewPlugin(cfg Config) (*Plugin, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &Plugin{cfg: cfg, fields: map[string]Field{}}
	for _, f := range cfg.Fields {
		p.fields[f.Name] = f
	}
	return p, nil
}

// Type implements scorch.SegmentPlugin.
func (*Plugin) Type() string { return Type }

// Version implements scorch.SegmentPlugin.
func (*Plugin) Version() uint32 { return Version }

var (
	registerMu sync.Mutex
	registered *Config
)

// Register makes the plugin of cfg available to scorch under Type and
// Version, without making it the default: only an index created with
// IndexConfig uses it, and only a process that registered it can open
// such an index. It must run before any index is opened (scorch's
// registry is not safe for concurrent use), typically from an init
// function. Registering again with the same fields is a no-op; with other
// fields it is an error, since a process can hold one plugin per Type and
// Version.
func Register(cfg Config) error {
	registerMu.Lock()
	defer registerMu.Unlock()
	if registered != nil {
		if !sameFields(*registered, cfg) {
			return fmt.Errorf("compact: %s v%d already registered with fields %v, not %v", Type, Version, registered.Fields, cfg.Fields)
		}
		return nil
	}
	p, err := NewPlugin(cfg)
	if err != nil {
		return err
	}
	scorch.RegisterSegmentPlugin(p, false)
	registered = &cfg
	return nil
}

func sameFields(a, b Config) bool {
	if len(a.Fields) != len(b.Fields) {
		return false
	}
	x := append([]Field(nil), a.Fields...)
	y := append([]Field(nil), b.Fields...)
	sort.Slice(x, func(i, j int) bool { return x[i].Name < x[j].Name })
	sort.Slice(y, func(i, j int) bool { return y[i].Name < y[j].Name })
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// IndexConfig returns the scorch configuration that makes a new index use
// this plugin: pass it (plus any other keys) as the kvconfig of
// bleve.NewUsing. An existing index keeps the format it was created with.
func IndexConfig() map[string]interface{} {
	return map[string]interface{}{
		"forceSegmentType":    Type,
		"forceSegmentVersion": int(Version),
	}
}
