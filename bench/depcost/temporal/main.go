// Command temporal links the temporal package (the Temporal driver: the
// Temporal SDK, gRPC and the Temporal API's protobuf descriptors).
package main

import _ "github.com/arazzo-run/arazzo/temporal"

func main() {}
