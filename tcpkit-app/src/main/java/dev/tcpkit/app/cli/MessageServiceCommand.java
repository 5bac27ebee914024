package dev.tcpkit.app.cli;

import picocli.CommandLine.ArgGroup;

/** A {@code serve} service that prints the messages it receives: reply, log, chat. */
abstract class MessageServiceCommand extends ServiceCommand {
    @ArgGroup(validate = false, heading = "%nMessages:%n", order = 5)
    MessageOptions messages = new MessageOptions();

    @ArgGroup(validate = false, heading = "%nKafka:%n", order = 6)
    KafkaOptions kafka = new KafkaOptions();
}
