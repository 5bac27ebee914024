package dev.tcpkit.guard;

import dev.tcpkit.internal.Addresses;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A block of IPv4 or IPv6 addresses written as users write them: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one
 * address, {@code 127.0.0.1} or {@code ::1}.
 *
 * <p>Only literals are accepted, never host names: a rule must not depend on what a DNS server answers. An IPv4
 * client that reaches a dual-stack socket as {@code ::ffff:a.b.c.d} is matched as {@code a.b.c.d}.
 */
public final class Cidr {
    private final String text;
    private final IpSubnetFilterRule rule;

    private Cidr(String text, IpSubnetFilterRule rule) {
        this.text = text;
        this.rule = rule;
    }

    /**
     * Parses {@code address[/prefix]}; without a prefix the block is that one address.
     *
     * @throws IllegalArgumentException quoting the text, if it is not an IP literal with a prefix in range
     */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String literal = Addresses.unbracket(slash < 0 ? trimmed : trimmed.substring(0, slash));
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
        if (address == null) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an IP address or CIDR block (write it as 10.0.0.0/8, ::1 or 2001:db8::/32)");
        }
        int bits = address instanceof Inet4Address ? 32 : 128;
        int prefix = bits;
        if (slash >= 0) {
            prefix = parsePrefix(trimmed.substring(slash + 1), text);
            if (address instanceof Inet4Address && literal.indexOf(':') >= 0) {
                prefix -= 96; // ::ffff:a.b.c.d/104 is a.b.c.d/8: the JDK hands such literals back as IPv4
            }
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has a prefix out of range (0 to " + bits + ")");
        }
        String canonical = Addresses.hostOf(address) + (prefix == bits ? "" : "/" + prefix);
        return new Cidr(canonical, new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
    }

    private static int parsePrefix(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length after the '/'");
        }
        return Integer.parseInt(digits);
    }

    /** Whether {@code address} is in this block. */
    public boolean contains(InetAddress address) {
        return rule.matches(new InetSocketAddress(Addresses.unmapped(address), 0));
    }

    /** The first block of {@code blocks} that contains {@code address}, or {@code null}. */
    static @Nullable Cidr firstContaining(List<Cidr> blocks, InetAddress address) {
        for (Cidr block : blocks) {
            if (block.contains(address)) {
                return block;
            }
        }
        return null;
    }

    /** The block as {@code address/prefix}, or just the address for a single one. */
    @Override
    public String toString() {
        return text;
    }
}
