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

	_, err = index.ParseQuery("一网通办 OR")
	fmt.Println(err)
	// Output:
	// 一网通办 OR pm2.5 globalcity -棚户区 region:静安区 year:2018..2021
	// [一网通办 pm2.5 globalcity]
	// q: OR must stand between two terms
}
