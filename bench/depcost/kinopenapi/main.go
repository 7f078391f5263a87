// Command kinopenapi links kin-openapi's openapi3, which the openapi package
// loads descriptions with (it brings santhosh-tekuri/jsonschema/v6, whose
// package initialisation compiles its meta-schemas).
package main

import _ "github.com/getkin/kin-openapi/openapi3"

func main() {}
