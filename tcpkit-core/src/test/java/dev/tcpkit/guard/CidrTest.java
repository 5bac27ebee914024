package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class CidrTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
        "10.0.0.0/8, 10.255.1.2, true",
        "10.0.0.0/8, 11.0.0.1, false",
        "10.1.2.3/8, 10.9.9.9, true",
        "127.0.0.1, 127.0.0.1, true",
        "127.0.0.1, 127.0.0.2, false",
        "0.0.0.0/0, 203.0.113.7, true",
        "0.0.0.0/0, ::1, false",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, 2001:db9::1, false",
        "::1, ::1, true",
        "[::1]/128, ::1, true",
        "::/0, 2001:db8::1, true",
        "::/0, 10.0.0.1, false",
        "::ffff:10.0.0.0/104, 10.1.1.1, true",
    })
    void containsTheAddressesOfItsBlock(String block, String address, boolean contained) throws Exception {
        assertThat(Cidr.parse(block).contains(InetAddress.getByName(address))).isEqualTo(contained);
    }

    @Test
    void matchesAnIpv4ClientSeenThroughADualStackSocketAsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 2};
        InetAddress client = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(client).isInstanceOf(Inet6Address.class);
        assertThat(Cidr.parse("127.0.0.2").contains(client)).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(client)).isFalse();
    }

    @Test
    void showsItselfAsWrittenWithoutARedundantPrefix() {
        assertThat(Cidr.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThat(Cidr.parse("127.0.0.1/32")).hasToString("127.0.0.1");
        assertThat(Cidr.parse("0:0:0:0:0:0:0:1")).hasToString("::1");
        assertThat(Cidr.parse(" 2001:db8::/32 ")).hasToString("2001:db8::/32");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com/24", "10.0.0", "10.0.0.256", "", "/8", "::1::2"})
    void rejectsWhatIsNotAnIpLiteralQuotingIt(String text) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + text + "' is not an IP address or CIDR block");
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/33, 32", "::/129, 128", "10.0.0.0/-1, 32", "10.0.0.0/, 32", "10.0.0.0/x, 32"})
    void rejectsAPrefixOutOfRangeQuotingIt(String text, int bits) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + text + "' has ");
    }
}
