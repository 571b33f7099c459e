package web

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/analyzer"
)

// maxAnalyzeChars bounds /api/analyze: it is a debugging aid, not a bulk
// tokenizer service.
const maxAnalyzeChars = 10000

// analyzeBody is the answer of GET /api/analyze.
type analyzeBody struct {
	Text   string           `json:"text"`
	Tokens []analyzer.Token `json:"tokens"`
}

func (s *server) analyze(c *gin.Context) error {
	text, present := c.GetQuery("text")
	if !present || text == "" {
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
