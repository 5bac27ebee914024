package dev.tcpkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1",
        "::ffff:127.0.0.1, 127.0.0.1",
        "0:0:0:0:0:0:0:1, ::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:DB8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "fe80:0:0:0:0:0:0:1%1, fe80::1",
    })
    void anAddressIsShownAsUsersWriteIt(String literal, String shown) throws Exception {
        assertThat(Addresses.hostOf(InetAddress.getByName(literal))).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1:80", "::1, [::1]:80", "::ffff:10.0.0.1, 10.0.0.1:80"})
    void aSocketAddressIsHostColonPortWithIpv6Bracketed(String literal, String shown) throws Exception {
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByName(literal), 80)))
                .isEqualTo(shown);
    }
}
