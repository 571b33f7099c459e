package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/analyzer"
	"govsearch/index"
)

// maxAnalyzeChars bounds /api/analyze: it is a debugging aid, not a bulk
// tokenizer service.
const maxAnalyzeChars = 10000

// analyzeBody is the answer of /api/analyze.
type analyzeBody struct {
	Text   string           `json:"text"`
	Tokens []analyzer.Token `json:"tokens"`
}

// analyzeText returns the text of a GET (?text=) or of a POST body: raw
// text/plain, a JSON object {"text": ...}, or a form with a text field.
func analyzeText(c *gin.Context) (string, error) {
	if c.Request.Method != http.MethodPost {
		return c.Query("text"), nil
	}
	// A body longer than the longest allowed text can take (12 bytes a
	// character: a JSON surrogate pair \uXXXX\uXXXX) cannot pass; reading
	// one byte more tells it apart.
	limit := int64(12*maxAnalyzeChars + 64 + 1)
	data, err := io.ReadAll(io.LimitReader(c.Request.Body, limit))
	if err != nil {
		return "", bodyError(err)
	}
	if int64(len(data)) == limit {
		return "", paramError("text", fmt.Sprintf("the body is longer than %d characters can be", maxAnalyzeChars))
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "", "text/plain":
		return string(data), nil
	case "application/json":
		var body struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return "", paramError("body", "the body is not a JSON object {\"text\": \"...\"}")
		}
		return body.Text, nil
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(data))
		if err != nil {
			return "", paramError("body", "malformed form body")
		}
		return v.Get("text"), nil
	}
	return "", paramError("Content-Type", fmt.Sprintf("%q is not accepted; send text/plain, application/json or a form", index.Clip(mt)))
}

func (s *server) analyze(c *gin.Context) error {
	text, err := analyzeText(c)
	if err != nil {
		return err
	}
	if text == "" {
		return paramError("text", "the text to analyze is missing")
	}
	if !utf8.ValidString(text) {
		return paramError("text", "the text is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(text); n > maxAnalyzeChars {
		return paramError("text", fmt.Sprintf("the text has %d characters; the limit is %d", n, maxAnalyzeChars))
	}
	// The first call loads the dictionary (a few seconds, once per process);
	// that wait is not the request's fault, so the timeout starts after it.
	analyzer.WaitReady()
	tokens, err := within(c.Request.Context(), s.opts.SearchTimeout, func(context.Context) ([]analyzer.Token, error) {
		return analyzer.Tokens(text), nil
	})
	if err != nil {
		return err
	}
	if tokens == nil {
		tokens = []analyzer.Token{}
	}
	writeJSON(c, http.StatusOK, analyzeBody{Text: text, Tokens: tokens})
	return nil
}
