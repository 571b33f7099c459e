package analyzer_test

import (
	"fmt"

	"govsearch/analyzer"
)

func ExampleTokens() {
	for _, t := range analyzer.Tokens("静安区区长于勇：ＰＭ２．５下降3.8%，一網通辦") {
		fmt.Printf("%d %s %q %d-%d\n", t.Position, t.Term, t.Text, t.Start, t.End)
	}
	// Output:
	// 1 静安区 "静安区" 0-9
	// 2 区长 "区长" 9-15
	// 3 于勇 "于勇" 15-21
	// 4 pm2.5 "ＰＭ２．５" 24-39
	// 5 下降 "下降" 39-45
	// 6 3.8% "3.8%" 45-49
	// 7 一网通办 "一網通辦" 52-64
}

func ExampleNormalize() {
	fmt.Println(analyzer.Normalize("一網通辦 ＰＭ２．５\n１９５５年"))
	// Output: 一网通办pm2.51955年
}
