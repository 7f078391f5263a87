// Command transport links the transport package: the Kafka (franz-go), NATS,
// MQTT 5 and 3.1.1 (Paho), AMQP 0-9-1 and WebSocket clients.
package main

import _ "github.com/arazzo-run/arazzo/transport"

func main() {}
