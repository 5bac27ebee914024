package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How --allow and --deny combine: deny wins; any allow makes it an allow-list; neither lets everyone in. */
final class AccessRulesTest {

    @Test
    void withoutRulesEveryoneGetsIn() throws Exception {
        AccessRules rules = new AccessRules(List.of(), List.of());
        assertThat(rules.denial(InetAddress.getByName("203.0.113.7"))).isNull();
        assertThat(rules.denial(NetUtil.LOCALHOST6)).isNull();
    }

    @Test
    void aDenyBlockKeepsOutItsAddressesAndNamesItself() throws Exception {
        AccessRules rules = new AccessRules(List.of(), List.of(Cidr.parse("10.0.0.0/8")));
        assertThat(rules.denial(InetAddress.getByName("10.1.2.3"))).isEqualTo("matches --deny 10.0.0.0/8");
        assertThat(rules.denial(InetAddress.getByName("192.0.2.1"))).isNull();
    }

    @Test
    void anyAllowBlockLetsInOnlyItsAddresses() throws Exception {
        AccessRules rules = new AccessRules(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("::1")), List.of());
        assertThat(rules.denial(InetAddress.getByName("192.0.2.77"))).isNull();
        assertThat(rules.denial(NetUtil.LOCALHOST6)).isNull();
        assertThat(rules.denial(InetAddress.getByName("198.51.100.1"))).isEqualTo("not in any --allow");
    }

    @Test
    void denyWinsOverAllowWhateverTheOrder() throws Exception {
        AccessRules rules = new AccessRules(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.0.0.66")));
        assertThat(rules.denial(InetAddress.getByName("10.0.0.66"))).isEqualTo("matches --deny 10.0.0.66");
        assertThat(rules.denial(InetAddress.getByName("10.0.0.65"))).isNull();
    }
}
