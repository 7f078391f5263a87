// Command yaml links go.yaml.in/yaml/v4, which parses every document.
package main

import _ "go.yaml.in/yaml/v4"

func main() {}
