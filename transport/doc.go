// Package transport sends and receives messages on brokers, one small adapter
// per protocol behind one interface:
//
//	conn, err := transport.Dial(ctx, transport.Config{
//		URL:  &url.URL{Scheme: "kafka", Host: "127.0.0.1:9092"},
//		User: "svc", Password: pass, Mechanism: "SCRAM-SHA-512",
//	})
//	if err != nil {
//		return err // a *DialError naming the server, never the password
//	}
//	defer conn.Close()
//	sub, _ := conn.Subscribe(ctx, &transport.Subscribe{Channel: "confirm-order"})
//	_ = conn.Publish(ctx, &transport.Publish{Message: transport.Message{
//		Channel: "place-order", Headers: map[string]string{"orderRequestId": "r-1"},
//		Payload: []byte(`{"petId":7}`), ContentType: "application/json"}})
//	reply, err := sub.Next(ctx) // the first record produced to confirm-order after Subscribe
//
// # Protocols
//
//   - kafka, kafka-secure: github.com/twmb/franz-go. Publish waits for the acks of
//     all in-sync replicas (idempotent producer; a topic that does not exist is
//     created if the cluster allows it). A subscription reads every partition
//     from the end offsets it took when it was made, without a consumer group,
//     so it commits nothing and takes nothing from the application's consumers.
//     SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
//   - nats, tls: github.com/nats-io/nats.go, core NATS. Publish flushes to the
//     server; Subscribe returns once the server has the subscription. A queue
//     group may be joined. User and password, or a token.
//   - mqtt, mqtts, secure-mqtt, mqtt5: MQTT 5 with github.com/eclipse/paho.golang;
//     with protocolVersion 3.1.1 the MQTT 3 client github.com/eclipse/paho.mqtt.golang
//     (which carries no headers). Publish at QoS 1 or 2 waits for the broker's
//     PUBACK or PUBCOMP; Subscribe for its SUBACK. Topic filters with + and #.
//   - amqp, amqps: AMQP 0-9-1 with github.com/rabbitmq/amqp091-go. Publish
//     waits for the publisher confirm (and reports a mandatory message the
//     broker returned). A routing-key channel is received through a queue of
//     the subscription's own bound to the exchange; a queue channel (or the
//     default exchange) is consumed from the queue, and what the reader Skips
//     goes back to it.
//   - ws, wss: github.com/coder/websocket. One connection per channel, the
//     address a path under the server URL; text frames for textual content.
//     A bearer token or user and password in the handshake.
//   - memory: an in-process broker (NewMemory) for tests and mocks.
//
// TLS is on for the secure protocols (kafka-secure, tls, mqtts, secure-mqtt,
// amqps, wss), verifying the server against the system's roots unless
// Config.TLS says otherwise.
//
// # Subscriptions
//
// What a subscription receives waits in it until Next reads it, up to 10,000
// messages or 64 MiB (the oldest are dropped past that); Kafka and AMQP leave
// the backlog with the broker instead. A Next that ends with its context
// leaves the subscription working.
package transport
