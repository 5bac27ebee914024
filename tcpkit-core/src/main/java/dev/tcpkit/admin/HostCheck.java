package dev.tcpkit.admin;

import io.netty.util.NetUtil;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which {@code Host} a request to the admin endpoint may name: an IP literal ({@code 127.0.0.1}, {@code [::1]}),
 * {@code localhost}, or a name given with {@code --admin-allow-host}, each with or without a port; and no {@code Host}
 * at all (HTTP/1.0).
 *
 * <p>This is what stops DNS rebinding: a web page on {@code evil.example} whose name is re-bound to 127.0.0.1 reaches
 * the endpoint from the user's browser, which sends {@code Host: evil.example} and an {@code Origin} that agrees with
 * it, so the same-origin check alone lets it read the connection list and close every connection. Rebinding needs a
 * name the attacker controls; an IP literal cannot be re-bound, and a balancer on another machine sends the machine's
 * address. See issue 11.
 */
final class HostCheck {
    private final Set<String> names;

    /** @param allowedHosts names besides {@code localhost}, {@linkplain AdminConfig#normalize normalized} */
    HostCheck(List<String> allowedHosts) {
        Set<String> all = new HashSet<>(allowedHosts);
        all.add("localhost");
        this.names = Set.copyOf(all);
    }

    /** Whether a request whose {@code Host} header is {@code host} ({@code null}: none) is answered. */
    boolean allows(@Nullable String host) {
        if (host == null || host.isEmpty()) {
            return true;
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0
                    && NetUtil.isValidIpV6Address(host.substring(1, end))
                    && isPortOrNothing(host.substring(end + 1));
        }
        int colon = host.indexOf(':');
        String name = colon < 0 ? host : host.substring(0, colon);
        if (colon >= 0 && !isPortOrNothing(host.substring(colon))) {
            return false; // an IPv6 literal without brackets, or a port that is not one
        }
        return NetUtil.isValidIpV4Address(name) || names.contains(AdminConfig.normalize(name));
    }

    /** {@code ""} or {@code ":"} followed by one to five digits. */
    private static boolean isPortOrNothing(String rest) {
        if (rest.isEmpty()) {
            return true;
        }
        if (rest.charAt(0) != ':' || rest.length() < 2 || rest.length() > 6) {
            return false;
        }
        for (int i = 1; i < rest.length(); i++) {
            if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
