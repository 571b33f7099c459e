package analyzer

// tradToSimp maps traditional characters to simplified ones. It is replaced
// by a table generated from OpenCC's maintained data (see gen_tradsimp.go).
var tradToSimp = map[rune]rune{}
