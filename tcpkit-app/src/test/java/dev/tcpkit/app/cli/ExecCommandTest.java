package dev.tcpkit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tcpkit serve exec}'s command line, in process: its help and its usage errors (nothing is served). */
@Timeout(30)
final class ExecCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        return TcpkitCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true), args)
                .execute(args);
    }

    @Test
    void helpShowsItsOptionsBesideEveryServicesOnes() {
        assertThat(execute("serve", "exec", "--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: tcpkit serve exec")
                .contains("--kill-timeout=DURATION", "COMMAND", "--max-connections", "at most 256 programs")
                .contains("tcpkit serve exec --port 7000 -- date");
        assertThat(execute("serve", "--help")).isZero();
        assertThat(out.toString()).contains("exec");
    }

    @Test
    void withoutACommandItIsAUsageError() {
        assertThat(execute("serve", "exec", "--port", "0")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).hasValue("Missing required parameter: 'COMMAND'");
    }

    @Test
    void aCommandThatCannotBeRunIsAUsageErrorBeforeListening() {
        assertThat(execute("serve", "exec", "--port", "0", "--", "no-such-program-tcpkit", "-x"))
                .isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).hasValue("cannot run no-such-program-tcpkit: not found on PATH");
        assertThat(err.toString()).doesNotContain("listening", "Exception");
    }

    @Test
    void aNegativeKillTimeoutIsAUsageError() {
        assertThat(execute("serve", "exec", "--kill-timeout", "-1s", "--", "cat"))
                .isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElse("")).contains("--kill-timeout");
    }
}
