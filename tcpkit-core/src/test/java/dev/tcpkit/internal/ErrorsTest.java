package dev.tcpkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void theReasonIsTheLastPartOfTheMessage() {
        assertThat(Errors.reason(new IOException("bind(..) failed: Address already in use")))
                .isEqualTo("address already in use");
        assertThat(Errors.reason(new ConnectException("Connection refused"))).isEqualTo("connection refused");
    }

    @Test
    void theAddressNettysNativeTransportsAppendIsSkipped() {
        assertThat(Errors.reason(new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:9")))
                .isEqualTo("connection refused");
        assertThat(Errors.reason(new ConnectException("connect(..) failed: Connection refused: /[0:0:0:0:0:0:0:1]:9")))
                .isEqualTo("connection refused");
    }

    @Test
    void fileErrorsAndUnknownHostsReadAsUsersExpect() {
        assertThat(Errors.reason(new FileNotFoundException("/nope/out.jsonl (No such file or directory)")))
                .isEqualTo("no such file or directory");
        assertThat(Errors.reason(new UnknownHostException("nowhere.invalid"))).isEqualTo("unknown host");
    }
}
