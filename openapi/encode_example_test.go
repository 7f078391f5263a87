package openapi_test

import (
	"fmt"

	"github.com/arazzo-run/arazzo/openapi"
)

func ExampleParameter_EncodeQuery() {
	ids := &openapi.Parameter{Name: "id", In: "query", Style: "form", Explode: true}
	q, _ := ids.EncodeQuery([]any{3, 4, 5})
	fmt.Println(q)

	ids.Explode = false
	q, _ = ids.EncodeQuery([]any{3, 4, 5})
	fmt.Println(q)

	filter := &openapi.Parameter{Name: "filter", In: "query", Style: "deepObject"}
	q, _ = filter.EncodeQuery(map[string]any{"status": "open", "owner": "jo ann"})
	fmt.Println(q)

	_, err := filter.EncodeQuery([]any{1, 2})
	fmt.Println(err)
	// Output:
	// id=3&id=4&id=5
	// id=3,4,5
	// filter%5Bowner%5D=jo%20ann&filter%5Bstatus%5D=open
	// query parameter "filter": style deepObject requires an object, got array
}

func ExampleParameter_EncodePath() {
	handle := &openapi.Parameter{Name: "handle", In: "path", Style: "simple"}
	v, _ := handle.EncodePath("team/a b")
	fmt.Println("/servers/" + v)

	color := &openapi.Parameter{Name: "color", In: "path", Style: "matrix", Explode: true}
	v, _ = color.EncodePath([]any{"blue", "black"})
	fmt.Println("/items" + v)
	// Output:
	// /servers/team%2Fa%20b
	// /items;color=blue;color=black
}

func ExampleEncodeBody() {
	// An Arazzo payload written as a JSON text template arrives as a string and
	// is sent as it is.
	mt := &openapi.MediaType{Name: "application/json"}
	body, contentType, _ := openapi.EncodeBody(mt, `{"petId": "42"}`)
	fmt.Println(contentType, string(body))

	form := &openapi.MediaType{
		Name:     "application/x-www-form-urlencoded",
		Encoding: map[string]openapi.Encoding{"address": {Style: "deepObject"}},
	}
	body, contentType, _ = openapi.EncodeBody(form, map[string]any{
		"name":    "Jane Doe",
		"address": map[string]any{"city": "Berlin"},
	})
	fmt.Println(contentType, string(body))
	// Output:
	// application/json {"petId": "42"}
	// application/x-www-form-urlencoded address%5Bcity%5D=Berlin&name=Jane+Doe
}

func ExampleRequestBody_SelectMediaType() {
	rb := &openapi.RequestBody{Content: []openapi.MediaType{
		{Name: "application/xml"},
		{Name: "application/json"},
	}}
	mt, ok := rb.SelectMediaType("")
	fmt.Println(mt.Name, ok)
	mt, ok = rb.SelectMediaType("text/csv")
	fmt.Println(mt.Name, ok)
	// Output:
	// application/json true
	// text/csv false
}
