// Package asyncapi is the project's view of AsyncAPI descriptions: what an
// Arazzo runtime needs to send and receive the messages of an operation.
//
//	doc, err := asyncapi.Load(ctx, "/work/api/asyncapi.yaml", nil)
//	if err != nil {
//		var le *asyncapi.LoadError
//		if errors.As(err, &le) {
//			for _, p := range le.Problems {
//				fmt.Println(p) // file:line:col: message
//			}
//		}
//		return err
//	}
//	op := doc.Operation("placeOrder")        // by the key under operations
//	address, _ := op.Channel.Resolve(nil)    // "place-order"
//	u, _ := doc.ServersOf(op.Channel)[0].URL(nil) // kafka://localhost:9092
//	corr := op.Reply.Messages[0].CorrelationID    // $message.header#/orderRequestId
//
// # Loading
//
// Load reads AsyncAPI 3.0 and 3.1 in YAML or JSON, keeping the file, line and
// column of every object. $refs are followed inside the document and into
// other files, every read going through the ReadFunc of WithReadFunc (the
// place to sandbox untrusted descriptions; by default only local files are
// read). Objects referenced from several places are one value: an operation's
// channel is the very *Channel of the document's channels. Traits are merged
// into their messages and operations. An AsyncAPI 2.x description is mapped
// onto the same types (publish is the application's receive, subscribe its
// send) with a warning.
//
// Every problem that makes the description unusable is reported at once in a
// *LoadError; doubtful ones (a SHOULD broken, a 2.x document) are the
// Document's Warnings.
//
// # Perspective
//
// An AsyncAPI document describes one application: action send means that
// application sends. A workflow that talks to it usually does the opposite;
// this package reports the document as written and leaves the choice to its
// caller.
//
// # Schemas
//
// Message headers and payloads are Schemas: JSON-compatible values as written,
// checked with Validate (JSON Schema draft-07, the base of the AsyncAPI Schema
// Object; $refs between schemas and files resolve, nothing is read while
// validating) and turned into values with Sample. Schemas of other formats
// (Avro, Protobuf) are kept as written.
package asyncapi
