/** Records into Kafka: {@code KafkaSink}, a {@code RecordSink} on the official producer. */
module dev.tcpkit.kafka {
    exports dev.tcpkit.kafka;

    requires transitive dev.tcpkit.core;
    requires kafka.clients;
    requires org.slf4j;
    requires static org.jspecify;
}
