package index

import (
	"encoding/json"
	"io"
)

// WriteJSON writes v as one line of JSON, the encoding of every JSON body
// of the HTTP API and of `govsearch search --json`. HTML escaping is off:
// highlights keep their literal <mark> tags (the text around them is
// already HTML-escaped), and the body is served as application/json, never
// as HTML.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
