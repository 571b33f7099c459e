package index_test

import (
	"fmt"

	"govsearch/index"
)

func ExampleParseQuery() {
	q, err := index.ParseQuery(`一网通办 OR ＰＭ２．５ -棚户区 region:静安区 year:2018..2021 "global city"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.String())
	fmt.Println(q.Terms())

	q, _ = index.ParseQuery("一网通办 NEAR 改革 OR 放管服 营商环境 SENT 企业")
	fmt.Println(q.String())

	_, err = index.ParseQuery("一网通办 OR")
	fmt.Println(err)
	// Output:
	// 一网通办 OR pm2.5 -棚户区 region:静安区 year:2018..2021 "globalcity"
	// [一网通办 pm2.5 globalcity]
	// 一网通办 NEAR/10 改革 OR 放管服 营商环境 SENT 企业
	// q: OR must stand between two terms, at character 6
}
