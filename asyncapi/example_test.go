package asyncapi_test

import (
	"context"
	"fmt"

	"github.com/arazzo-run/arazzo/asyncapi"
)

func Example() {
	doc, err := asyncapi.Load(context.Background(), "testdata/pet-asyncapi.yaml", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	op := doc.Operation("placeOrder")
	address, _ := op.Channel.Resolve(nil)
	server, _ := doc.ServersOf(op.Channel)[0].URL(nil)
	reply := op.Reply.Messages[0]
	fmt.Println(op.Action, address, "on", server)
	fmt.Println("reply on", op.Reply.Channel.Address, "correlated by", reply.CorrelationID.Expr)
	fmt.Println("payload", reply.Payload.Sample())
	// Output:
	// receive place-order on kafka://localhost:9092
	// reply on confirm-order correlated by $message.header#/orderRequestId
	// payload map[orderId:1]
}
