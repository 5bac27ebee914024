package dev.tcpkit.guard;

import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code --allow} and {@code --deny}: a client matching any deny block is denied; otherwise, if any allow block is
 * given, only a client matching one gets in; with neither, everyone does. The order of the options does not matter.
 */
final class AccessRules {
    private final List<Cidr> allow;
    private final List<Cidr> deny;

    AccessRules(List<Cidr> allow, List<Cidr> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    /** Why {@code client} is denied, naming the option that decides it, or {@code null} if it may come in. */
    @Nullable
    String denial(InetAddress client) {
        Cidr denied = Cidr.firstContaining(deny, client);
        if (denied != null) {
            return "matches --deny " + denied;
        }
        if (!allow.isEmpty() && Cidr.firstContaining(allow, client) == null) {
            return "not in any --allow";
        }
        return null;
    }
}
