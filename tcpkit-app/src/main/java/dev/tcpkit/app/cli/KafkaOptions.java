package dev.tcpkit.app.cli;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.kafka.KafkaSink;
import dev.tcpkit.sink.RecordSink;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where records go beside stdout and {@code --output}: a Kafka topic (the {@code Kafka} section of reply, log and
 * chat). Property values are never printed: they may hold secrets ({@code sasl.jaas.config}, passwords).
 */
final class KafkaOptions {
    @Option(
            names = "--kafka",
            paramLabel = "BOOTSTRAP[,BOOTSTRAP...]",
            description =
                    "Also send every record to Kafka (host:port of its brokers); a reply waits until Kafka has it.")
    @Nullable
    String bootstrap;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", description = "The topic records go to (with --kafka).")
    @Nullable
    String topic;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "A producer setting (SASL, TLS, ...); repeatable, over --kafka-properties.")
    List<String> properties = new ArrayList<>();

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description = "Producer settings from a properties file (keeps secrets off the command line).")
    @Nullable
    Path propertiesFile;

    /**
     * The Kafka sink these options ask for, or {@code null} without {@code --kafka}.
     *
     * @throws ParameterException if the options do not go together
     * @throws IOException saying in one line why the producer cannot be made (its properties file, a setting)
     */
    @Nullable
    RecordSink sink(CommandLine commandLine) throws IOException {
        if (bootstrap == null) {
            if (topic != null || !properties.isEmpty() || propertiesFile != null) {
                throw new ParameterException(commandLine, "--kafka-topic and --kafka-property need --kafka");
            }
            return null;
        }
        if (topic == null || topic.isBlank()) {
            throw new ParameterException(commandLine, "--kafka needs --kafka-topic");
        }
        Properties config = new Properties();
        if (propertiesFile != null) {
            try (Reader in = Files.newBufferedReader(propertiesFile)) {
                config.load(in);
            } catch (IOException e) {
                throw new IOException("cannot read --kafka-properties " + propertiesFile + ": " + Errors.reason(e), e);
            }
        }
        for (String property : properties) {
            int eq = property.indexOf('=');
            if (eq < 1) {
                throw new ParameterException(commandLine, "--kafka-property needs KEY=VALUE, not a bare key");
            }
            config.setProperty(property.substring(0, eq).trim(), property.substring(eq + 1));
        }
        config.setProperty("bootstrap.servers", bootstrap);
        try {
            return new KafkaSink(config, topic);
        } catch (KafkaException e) {
            // The message names the setting, never its value.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot start the Kafka producer: " + cause.getMessage(), e);
        }
    }
}
