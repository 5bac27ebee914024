package dev.tcpkit.app.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A value the library refuses becomes a usage error (exit 2) in the library's own words: each rule and its message
 * live in the configuration it protects, and the command line only puts the option's name where the library names
 * the value ({@code maxConnections must be >= 0: -1} becomes {@code --max-connections must be >= 0: -1}).
 */
final class UsageErrors {
    private UsageErrors() {}

    /** Runs {@code call}; an {@link IllegalArgumentException} out of it becomes the usage error naming the option. */
    static void rethrowNamingTheOption(CommandSpec spec, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException e) {
            throw of(spec, e);
        }
    }

    /** The usage error for what the library refused. */
    static ParameterException of(CommandSpec spec, IllegalArgumentException refused) {
        return new ParameterException(spec.commandLine(), namingTheOption(spec, String.valueOf(refused.getMessage())));
    }

    /**
     * {@code message} with its subject (the words before its verb: {@code maxConnectionsPerIp}, {@code admin port})
     * replaced by the option or positional parameter of {@code spec} it names, when one does.
     */
    static String namingTheOption(CommandSpec spec, String message) {
        int verb = Stream.of(" must ", " does not ", " needs ")
                .mapToInt(message::indexOf)
                .filter(i -> i > 0)
                .min()
                .orElse(-1);
        if (verb < 0) {
            return message;
        }
        List<String> subject = words(message.substring(0, verb));
        return Stream.concat(
                        spec.options().stream().map(OptionSpec::longestName),
                        spec.positionalParameters().stream().map(ArgSpec::paramLabel))
                .filter(name -> names(subject, words(name.replaceFirst("^-+", ""))))
                .findFirst()
                .map(name -> name + message.substring(verb))
                .orElse(message);
    }

    /**
     * Whether a subject names an option: word for word, each word of the option starting the subject's (the
     * library's {@code admin allowed host} is {@code --admin-allow-host}).
     */
    private static boolean names(List<String> subject, List<String> option) {
        if (subject.size() != option.size()) {
            return false;
        }
        for (int i = 0; i < subject.size(); i++) {
            if (!subject.get(i).startsWith(option.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code maxConnectionsPerIp}, {@code max-connections-per-ip}, {@code admin port}: lower-case words. */
    private static List<String> words(String name) {
        return Arrays.stream(name.split("(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+"))
                .filter(w -> !w.isEmpty())
                .map(w -> w.toLowerCase(Locale.ROOT))
                .toList();
    }
}
